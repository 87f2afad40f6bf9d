import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface KeepAliveDrainOptions {
  /**
   * How long a connection must have been idle before a drain closes it. A client that keeps
   * sending writes its next request within a round trip of the last response; closing a socket
   * sooner races that request, and the client sees a reset instead of an answer.
   */
  idleMs?: number;
}

export interface KeepAliveDrain {
  /** From now on every response carries `Connection: close`, and idle connections are closed once idle for `idleMs`. */
  start(): void;
  /** Connections still open. */
  size(): number;
  /** Cuts every connection at once (the grace period is over). */
  destroyAll(): void;
}

interface ConnectionState {
  /** Requests whose response has not closed yet (more than one only when a client pipelines). */
  inFlight: number;
  /** performance.now() when the last response closed, or when the connection opened. */
  idleSince: number;
  /** The response being written: a drain may still add `Connection: close` before its headers go out. */
  response: ServerResponse | undefined;
}

/**
 * Tracks the server's connections so a shutdown can end keep-alive without resetting anyone:
 * `http.Server#close` (and `closeIdleConnections`) destroys every idle socket at once, including
 * one whose client is writing its next request at that moment. After `start()`, each response
 * says `Connection: close` (the client reconnects, through the load balancer, elsewhere) and a
 * socket is closed only once it has been idle for `idleMs`, i.e. had its chance of a next request.
 * Call it before `listen`.
 * @example
 * const keepAlive = trackKeepAlive(server);
 * process.once('SIGTERM', () => keepAlive.start());
 */
export function trackKeepAlive(server: Server, { idleMs = 1_000 }: KeepAliveDrainOptions = {}): KeepAliveDrain {
  const connections = new Map<Socket, ConnectionState>();
  let draining = false;

  server.on('connection', (socket: Socket) => {
    connections.set(socket, { inFlight: 0, idleSince: performance.now(), response: undefined });
    socket.once('close', () => connections.delete(socket));
  });

  // One shared listener, so a request costs no closure.
  function onResponseClose(this: ServerResponse): void {
    const state = connections.get(this.req.socket);
    if (!state) return;
    state.inFlight -= 1;
    state.idleSince = performance.now();
    if (state.response === this) state.response = undefined;
  }
  // Prepended: it runs before the app's listener, while the headers can still change.
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const state = connections.get(request.socket);
    if (state) {
      state.inFlight += 1;
      state.response = response;
    }
    if (draining) response.setHeader('connection', 'close');
    response.on('close', onResponseClose);
  });

  const sweep = (): void => {
    const now = performance.now();
    for (const [socket, state] of connections) {
      if (state.inFlight === 0 && now - state.idleSince >= idleMs) socket.destroy();
    }
  };

  return {
    start: () => {
      if (draining) return;
      draining = true;
      for (const state of connections.values()) {
        if (state.response && !state.response.headersSent) state.response.setHeader('connection', 'close');
      }
      sweep();
      // The open sockets keep the process alive while they matter; the sweep does not have to.
      setInterval(sweep, Math.min(100, Math.max(10, idleMs / 4))).unref();
    },
    size: () => connections.size,
    destroyAll: () => {
      for (const socket of connections.keys()) socket.destroy();
    },
  };
}
