import type { Server } from 'node:http';

export interface CloseServerResult {
  /** True when in-flight requests outlived the grace period and their sockets were cut. */
  forced: boolean;
}

/**
 * Stops accepting connections and lets in-flight requests finish, for at most `graceMs`.
 * Requests still arriving on open keep-alive sockets are served with `Connection: close`.
 */
export function closeServer(server: Server, graceMs: number): Promise<CloseServerResult> {
  return new Promise((resolve) => {
    server.on('request', (_request, response) => response.setHeader('connection', 'close'));
    // A keep-alive socket becomes idle once its in-flight response is sent: close it then.
    const sweeper = setInterval(() => server.closeIdleConnections(), 100);
    const timer = setTimeout(() => {
      server.closeAllConnections();
      finish(true);
    }, graceMs);
    const finish = (forced: boolean): void => {
      clearInterval(sweeper);
      clearTimeout(timer);
      resolve({ forced });
    };
    server.close(() => finish(false));
    server.closeIdleConnections();
  });
}

/** Runs `shutdown` once on SIGTERM or SIGINT; a second signal exits at once. */
export function onShutdownSignal(shutdown: (signal: NodeJS.Signals) => Promise<void>): void {
  let shuttingDown = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (shuttingDown) process.exit(1);
    shuttingDown = true;
    void shutdown(signal);
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
