import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the test upstream answers a path: JSON echo, a 500, hold until `releaseHeld()`, or reset the connection. */
export type UpstreamBehaviour = 'echo' | 'fail' | 'hold' | 'reset';

export interface TestUpstream {
  url: URL;
  /** TCP connections opened to this upstream so far. */
  readonly connections: number;
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Requests whose client went away before the answer (the caller aborted). */
  readonly aborted: number;
  readonly requests: number;
  setBehaviour(behaviour: (path: string) => UpstreamBehaviour): void;
  releaseHeld(): void;
  /** Resolves once `count` requests are in flight at the same time. */
  waitForInFlight(count: number): Promise<void>;
  close(): Promise<void>;
}

/** A small real HTTP server on 127.0.0.1:0 that counts what the app does to it. */
export async function startTestUpstream(): Promise<TestUpstream> {
  let behaviour: (path: string) => UpstreamBehaviour = () => 'echo';
  let held: Array<() => void> = [];
  const waiters = new Set<{ count: number; resolve: () => void }>();
  const stats = { connections: 0, inFlight: 0, maxInFlight: 0, aborted: 0, requests: 0 };

  const answer = (request: IncomingMessage, response: ServerResponse, kind: UpstreamBehaviour): void => {
    const done = (): void => {
      stats.inFlight -= 1;
    };
    if (kind === 'reset') {
      done();
      request.socket.destroy();
      return;
    }
    if (kind === 'fail') {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}', done);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: request.url }), done);
  };

  const server = createServer((request, response) => {
    stats.requests += 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    for (const waiter of waiters) if (stats.inFlight >= waiter.count) waiter.resolve();
    const kind = behaviour(request.url ?? '/');
    if (kind !== 'hold') return answer(request, response, kind);
    let answered = false;
    response.on('close', () => {
      if (answered) return;
      stats.aborted += 1;
      stats.inFlight -= 1;
    });
    held.push(() => {
      answered = true;
      answer(request, response, 'echo');
    });
  });
  server.on('connection', () => {
    stats.connections += 1;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: new URL(`http://127.0.0.1:${port}`),
    get connections() {
      return stats.connections;
    },
    get inFlight() {
      return stats.inFlight;
    },
    get maxInFlight() {
      return stats.maxInFlight;
    },
    get aborted() {
      return stats.aborted;
    },
    get requests() {
      return stats.requests;
    },
    setBehaviour(next) {
      behaviour = next;
    },
    releaseHeld() {
      const release = held;
      held = [];
      for (const answerHeld of release) answerHeld();
    },
    waitForInFlight(count) {
      if (stats.inFlight >= count) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const waiter = {
          count,
          resolve: () => {
            waiters.delete(waiter);
            resolve();
          },
        };
        waiters.add(waiter);
      });
    },
    async close() {
      held = [];
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
