import { connect, type Socket } from 'node:net';
import { parseResponse } from './keep-alive-load.js';

/** A raw TCP connection to `base` that collects what the server sends and when it closed. */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far, as latin1 text. */
  received(): string;
  /** Resolves with the first complete HTTP response (status, raw text) or undefined if the socket closed first. */
  response(timeoutMs: number): Promise<{ status: number; text: string } | undefined>;
  /** Resolves with performance.now() when the server closed the socket; rejects after timeoutMs. */
  closed(timeoutMs: number): Promise<number>;
}

export async function openRawConnection(base: string): Promise<RawConnection> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let data = Buffer.alloc(0);
  let closedAt: number | undefined;
  const waiters: Array<() => void> = [];
  const wake = (): void => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  socket.on('data', (chunk: Buffer) => {
    data = Buffer.concat([data, chunk]);
    wake();
  });
  socket.on('error', () => undefined); // a reset is observed as 'close'
  socket.on('close', () => {
    closedAt = performance.now();
    wake();
  });

  const waitFor = <T>(ready: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${what} within ${timeoutMs} ms; received: ${data.toString('latin1').slice(0, 300)}`)),
        timeoutMs,
      );
      const check = (): void => {
        const value = ready();
        if (value === undefined) {
          waiters.push(check);
          return;
        }
        clearTimeout(timer);
        resolve(value);
      };
      check();
    });

  return {
    socket,
    received: () => data.toString('latin1'),
    response: (timeoutMs) =>
      waitFor(
        () => {
          const parsed = parseResponse(data);
          if (parsed) return { value: { status: parsed.status, text: data.subarray(0, parsed.length).toString('latin1') } };
          return closedAt === undefined ? undefined : { value: undefined };
        },
        timeoutMs,
        'response',
      ).then((result) => result.value),
    closed: (timeoutMs) => waitFor(() => closedAt, timeoutMs, 'close'),
  };
}
