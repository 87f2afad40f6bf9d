import { setMaxListeners } from 'node:events';
import type { Context, MiddlewareHandler } from 'hono';
import { ClientClosedError, DeadlineExceededError } from '../errors.js';
import type { AppEnv } from '../types.js';

export interface DeadlineOptions {
  /** Time budget of one request, in milliseconds. */
  budgetMs: number;
}

/**
 * Gives each request a time budget. Its `c.var.signal` aborts at the deadline or when the client
 * disconnects, and is passed to every upstream call and query, so work stops instead of piling
 * up; the request answers 504 at the deadline even if a callee ignores the signal.
 * (`hono/timeout` only races the handler; it does not cancel what the handler started.)
 * @example
 * app.use(deadline({ budgetMs: 5000 }));
 * app.get('/x', (c) => upstream.getJson('/x', { signal: c.var.signal }));
 */
export function deadline({ budgetMs }: DeadlineOptions): MiddlewareHandler<AppEnv> {
  return async function deadlineMiddleware(c, next) {
    const controller = new AbortController();
    const { signal } = controller;
    setMaxListeners(1_000, signal); // one listener per concurrent call: /queries may start 500
    const timer = setTimeout(() => controller.abort(new DeadlineExceededError(budgetMs)), budgetMs);
    const stopWatching = watchClientDisconnect(c, () => controller.abort(new ClientClosedError()));
    c.set('signal', signal);
    try {
      await raceAbort(next(), signal);
    } finally {
      clearTimeout(timer);
      stopWatching();
    }
  };
}

/** Calls `onDisconnect` if the client goes away before the response is sent. */
function watchClientDisconnect(c: Context<AppEnv>, onDisconnect: () => void): () => void {
  const outgoing = c.env?.outgoing;
  if (!outgoing) {
    // app.request() in tests: no socket; the Request's own signal stands in.
    const requestSignal = c.req.raw.signal;
    requestSignal.addEventListener('abort', onDisconnect, { once: true });
    return () => requestSignal.removeEventListener('abort', onDisconnect);
  }
  // On Node, watch the socket directly: reading `c.req.raw.signal` would build a full Request per request.
  const onClose = (): void => {
    if (!outgoing.writableFinished) onDisconnect();
  };
  outgoing.once('close', onClose);
  return () => outgoing.off('close', onClose);
}

function raceAbort(work: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
