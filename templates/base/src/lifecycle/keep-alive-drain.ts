import type { Server } from 'node:http';
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

/** What the drain knows of one connection; the server's response class keeps it current. */
export interface ConnectionState {
  /** Responses begun and not yet finished (more than one only when a client pipelines). */
  inFlight: number;
  /** performance.now() when the last response finished, or when the connection opened. */
  idleSince: number;
  /** Shared by the server's connections: true once the drain began. */
  readonly drain: { draining: boolean };
}

const connectionState = Symbol('keep-alive connection state');
type TrackedSocket = Socket & { [connectionState]?: ConnectionState };

/** The state of a tracked connection (undefined on a server without `trackKeepAlive`). */
export function stateOf(socket: Socket | null | undefined): ConnectionState | undefined {
  return (socket as TrackedSocket | null | undefined)?.[connectionState];
}

/**
 * Tracks the server's connections so a shutdown can end keep-alive without resetting anyone:
 * `http.Server#close` (and `closeIdleConnections`) destroys every idle socket at once, including
 * one whose client is writing its next request at that moment. After `start()`, each response
 * says `Connection: close` (the client reconnects, through the load balancer, elsewhere) and a
 * socket is closed only once it has been idle for `idleMs`, i.e. had its chance of a next request.
 * The server's response class (http/service-response.ts) counts each connection's responses, so a
 * request costs no listener here. Call it before `listen`.
 * @example
 * const keepAlive = trackKeepAlive(server);
 * process.once('SIGTERM', () => keepAlive.start());
 */
export function trackKeepAlive(server: Server, { idleMs = 1_000 }: KeepAliveDrainOptions = {}): KeepAliveDrain {
  const connections = new Set<TrackedSocket>();
  const drain = { draining: false };

  server.on('connection', (socket: TrackedSocket) => {
    socket[connectionState] = { inFlight: 0, idleSince: performance.now(), drain };
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });

  const sweep = (): void => {
    const now = performance.now();
    for (const socket of connections) {
      const state = socket[connectionState];
      if (state && state.inFlight === 0 && now - state.idleSince >= idleMs) socket.destroy();
    }
  };

  return {
    start: () => {
      if (drain.draining) return;
      drain.draining = true; // responses whose head is not written yet say Connection: close too
      sweep();
      // The open sockets keep the process alive while they matter; the sweep does not have to.
      setInterval(sweep, Math.min(100, Math.max(10, idleMs / 4))).unref();
    },
    size: () => connections.size,
    destroyAll: () => {
      for (const socket of connections) socket.destroy();
    },
  };
}
