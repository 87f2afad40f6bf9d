import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

/** Jobs run strictly one after another, in arrival order: a WSGI worker with its request queue. */
export interface SerialQueue {
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Jobs queued or running. */
  readonly pending: number;
  /** Jobs not yet started reject instead of running. */
  close(): void;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  let closed = false;
  return {
    run<T>(job: () => Promise<T>): Promise<T> {
      pending++;
      const result = tail.then(() => (closed ? Promise.reject(new Error('The queue is closed.')) : job()));
      tail = result.then(
        () => {
          pending--;
        },
        () => {
          pending--;
        },
      );
      return result;
    },
    get pending() {
      return pending;
    },
    close() {
      closed = true;
    },
  };
}

export interface SyncServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The talk's sync setup on Node: every request waits in one queue and is served only after the
 * previous one got its upstream answer, as one WSGI worker does with a blocking HTTP client.
 * Its single keep-alive connection stands for the worker's `requests.Session`.
 */
export async function startSyncServer(upstreamUrl: string): Promise<SyncServer> {
  const upstream = new Pool(upstreamUrl, { connections: 1 });
  const queue = createSerialQueue();
  const server = createServer((request, response) => {
    queue
      .run(async () => {
        // A worker still serves a request whose client gave up; only an already closed socket is skipped.
        if (response.destroyed) return;
        // The talk's sync worker as it was: no timeout on the call (what the generated server fixes).
        // eslint-disable-next-line async-server/require-timeout
        const answer = await upstream.request({ method: 'GET', path: '/data/external' });
        const data: unknown = await answer.body.json();
        const body = JSON.stringify({ upstream: data });
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        response.end(body);
      })
      .catch(() => {
        if (!response.headersSent) response.writeHead(502).end();
      });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      queue.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.destroy();
    },
  };
}
