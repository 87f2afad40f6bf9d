import { connect, type Socket } from 'node:net';

/** What happened to one request of a keep-alive load run. */
export interface RequestOutcome {
  /** performance.now() when the request's bytes were handed to the socket. */
  writtenAt: number;
  /** performance.now() of the first response byte, if any came. */
  firstByteAt?: number;
  /** performance.now() when the whole response had arrived. */
  doneAt?: number;
  status?: number;
  /** Set when the socket ended or failed before a complete response. */
  error?: string;
  /** performance.now() when this request's connection was established. */
  connectedAt: number;
  /** 0 for the first request on its connection, 1 for the next, and so on. */
  indexOnConnection: number;
}

export interface KeepAliveLoad {
  outcomes: RequestOutcome[];
  /** Fresh connections that were refused (or reset before sending). */
  refusedConnects(): number;
  /** performance.now() of each refused connect, in order. */
  refusedAt: number[];
  /** Stops sending; resolves once every socket has settled (each request has an outcome). */
  stop(): Promise<void>;
}

/**
 * A closed-model load of `connections` raw keep-alive sockets, each sending `GET path` again as soon
 * as the previous answer is complete; unlike the bench engine it keeps every request's outcome, so a
 * test can ask what happened to the requests written before a given moment. A socket the server
 * closes is reopened until `stop()`.
 */
export function startKeepAliveLoad(base: string, path: string, connections: number): KeepAliveLoad {
  const { hostname, port } = new URL(base);
  const outcomes: RequestOutcome[] = [];
  const open = new Set<Promise<void>>();
  let stopped = false;
  const refusedAt: number[] = [];

  const runConnection = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const socket: Socket = connect(Number(port), hostname);
      socket.setNoDelay(true);
      let current: RequestOutcome | undefined;
      let buffer = Buffer.alloc(0);
      let sentAny = false;
      let connectedAt = 0;
      let sent = 0;
      const send = (): void => {
        if (stopped || socket.destroyed) {
          socket.end();
          return;
        }
        current = { writtenAt: performance.now(), connectedAt, indexOnConnection: sent++ };
        outcomes.push(current);
        sentAny = true;
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`);
      };
      socket.on('connect', () => {
        connectedAt = performance.now();
        send();
      });
      socket.on('data', (chunk: Buffer) => {
        if (!current) return;
        current.firstByteAt ??= performance.now();
        buffer = Buffer.concat([buffer, chunk]);
        const parsed = parseResponse(buffer);
        if (!parsed) return;
        current.status = parsed.status;
        current.doneAt = performance.now();
        current = undefined;
        buffer = buffer.subarray(parsed.length);
        if (parsed.close) socket.end();
        else send();
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (current) current.error = error.code ?? error.message;
        else if (!sentAny) refusedAt.push(performance.now());
      });
      socket.on('close', () => {
        if (current && !current.error) current.error = 'closed before a complete response';
        current = undefined;
        resolve();
      });
    });

  const keepOpen = (): void => {
    const run = runConnection().then(() => {
      open.delete(run);
      if (!stopped) setTimeout(keepOpen, 5); // reconnect; refused connects are counted, not fatal
    });
    open.add(run);
  };
  for (let i = 0; i < connections; i++) keepOpen();

  return {
    outcomes,
    refusedConnects: () => refusedAt.length,
    refusedAt,
    stop: async () => {
      stopped = true;
      while (open.size > 0) await Promise.all([...open]);
    },
  };
}

/** Status, byte length and `Connection: close` of the first complete response in `buffer` (Content-Length or chunked), or undefined. */
export function parseResponse(buffer: Buffer): { status: number; length: number; close: boolean } | undefined {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const head = buffer.subarray(0, headEnd).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]);
  const close = /\r\nconnection: *close/i.test(head);
  const contentLength = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (contentLength) {
    const length = headEnd + 4 + Number(contentLength[1]);
    return buffer.length >= length ? { status, length, close } : undefined;
  }
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
    const end = buffer.indexOf('\r\n0\r\n\r\n', headEnd);
    return end === -1 ? undefined : { status, length: end + 7, close };
  }
  return { status, length: headEnd + 4, close }; // no body (e.g. 204, 304)
}
