// Used by `asyncsrv dev` (over the IPC channel it opens); harmless otherwise: without the channel each call does nothing.

/**
 * Under `asyncsrv dev` the next version of the server boots and migrates while the old one still
 * serves, and binds the port only once the old one has let go: a restart costs a listen, not a
 * boot. Resolves at once when dev did not ask for that hand-off.
 */
export function waitForDevListenCue(): Promise<void> {
  if (!process.send || process.env.ASYNCSRV_DEV_HANDOFF !== '1') return Promise.resolve();
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      if ((message as { type?: unknown } | null)?.type !== 'asyncsrv:listen') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    process.send?.({ type: 'asyncsrv:ready' });
  });
}

/** Tells `asyncsrv dev` (if it started us) where we listen and which routes we serve, for its banner. */
export function announceToDev(url: string, upstream: string, app: { routes: ReadonlyArray<{ method: string; path: string }> }): void {
  process.send?.({ type: 'asyncsrv:listening', url, upstream, routes: routeTable(app) });
}

/** Method and path of every route (middleware, registered on `/*`, left out). */
function routeTable(app: { routes: ReadonlyArray<{ method: string; path: string }> }): Array<{ method: string; path: string }> {
  const seen = new Set<string>();
  return app.routes
    .filter((route) => route.method !== 'ALL' && route.path !== '/*') // middleware, for all or some methods
    .filter((route) => !seen.has(`${route.method} ${route.path}`) && Boolean(seen.add(`${route.method} ${route.path}`)))
    .map(({ method, path }) => ({ method, path }));
}
