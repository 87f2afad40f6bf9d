import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KeepAliveDrain } from './keep-alive-drain.js';

export interface DrainServerOptions {
  /** How long to keep serving (and accepting) after the signal, while load balancers notice /readyz. */
  lameDuckMs: number;
  /** How long in-flight requests may take once the listener has closed. */
  graceMs: number;
  /** Called when the listener has closed: new connections are refused from then on. */
  onListenerClosed?: (openConnections: number) => void;
}

export interface DrainServerResult {
  /** True when in-flight requests outlived the grace period and their sockets were cut. */
  forced: boolean;
}

/**
 * Stops a server without losing a request: `Connection: close` on every response from now on,
 * serving as usual for `lameDuckMs` (readiness already says 503, so load balancers stop sending),
 * then closing the listener and letting in-flight requests finish for at most `graceMs`. Idle
 * keep-alive sockets close only once they had their chance of a next request (see keep-alive-drain).
 */
export async function drainServer(server: Server, keepAlive: KeepAliveDrain, options: DrainServerOptions): Promise<DrainServerResult> {
  keepAlive.start();
  if (server.listening && options.lameDuckMs > 0) await sleep(options.lameDuckMs);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (forced: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ forced });
    };
    const timer = setTimeout(() => {
      keepAlive.destroyAll();
      finish(true);
    }, options.graceMs);
    // http.Server#close would also destroy every idle socket at once (Node >= 19), racing the next
    // request on it: close only the listener; the callback runs once the last connection is gone.
    NetServer.prototype.close.call(server, () => finish(false));
    options.onListenerClosed?.(keepAlive.size());
  });
}

export interface ShutdownSignalOptions {
  /** Called before exiting at once on a second Ctrl-C. */
  onCutShort?: () => void;
}

/**
 * A second signal this soon is the same stop: a process group gets it from the kernel, and again
 * from a parent that forwards it (asyncsrv start, npm). Only a later Ctrl-C, a person's, cuts short.
 */
const REPEAT_WINDOW_MS = 1_000;

/**
 * Runs `shutdown` once, on the first SIGTERM or SIGINT or when the returned function is called
 * (e.g. because the parent process is gone). A repeated signal is ignored, except a SIGINT more
 * than a second after the first: a second Ctrl-C exits at once (130).
 * @example
 * const stop = onShutdownSignal(async (reason) => { await drain(); process.exit(0); });
 */
export function onShutdownSignal(
  shutdown: (reason: string) => Promise<void>,
  options: ShutdownSignalOptions = {},
): (reason: string) => void {
  let startedAt: number | undefined;
  const begin = (reason: string): void => {
    if (startedAt !== undefined) return;
    startedAt = performance.now();
    void shutdown(reason);
  };
  const handle = (signal: NodeJS.Signals): void => {
    if (startedAt !== undefined && signal === 'SIGINT' && performance.now() - startedAt >= REPEAT_WINDOW_MS) {
      options.onCutShort?.();
      process.exit(130);
    }
    begin(signal);
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
  return begin;
}
