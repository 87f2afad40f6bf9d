import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the upstream treats each request: answer JSON at once, answer after `delayMs`, or destroy the socket. */
export type UpstreamFault = { kind: 'answer' } | { kind: 'slow'; delayMs: number } | { kind: 'reset' };

export interface UpstreamCounts {
  /** Requests whose headers arrived. */
  received: number;
  /** Requests answered in full. */
  answered: number;
  /** Requests whose socket closed (the caller gave up) before the answer was sent. */
  aborted: number;
  /** Requests still waiting for their answer. */
  inFlight: number;
}

/** A test upstream on 127.0.0.1 whose behaviour can be switched, that can go down and come back on the same port. */
export interface FaultUpstream {
  port: number;
  url: string;
  counts(): UpstreamCounts;
  resetCounts(): void;
  setFault(fault: UpstreamFault): void;
  /** Closes the port and every open socket: callers now see connection refused. */
  goDown(): Promise<void>;
  /** Listens again on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultUpstream(): Promise<FaultUpstream> {
  let fault: UpstreamFault = { kind: 'answer' };
  let counts: UpstreamCounts = { received: 0, answered: 0, aborted: 0, inFlight: 0 };
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((request, response) => {
    counts.received += 1;
    if (fault.kind === 'reset') {
      counts.aborted += 1;
      request.socket.destroy();
      return;
    }
    counts.inFlight += 1;
    let settled = false;
    const answer = (): void => {
      if (settled) return;
      settled = true;
      counts.inFlight -= 1;
      counts.answered += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: request.url }));
    };
    response.on('close', () => {
      if (settled) return;
      settled = true;
      counts.inFlight -= 1;
      counts.aborted += 1;
      clearTimeout(timer);
      timers.delete(timer);
    });
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        answer();
      },
      fault.kind === 'slow' ? fault.delayMs : 0,
    );
    timers.add(timer);
  });

  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const goDown = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    resetCounts: () => {
      counts = { received: 0, answered: 0, aborted: 0, inFlight: counts.inFlight };
    },
    setFault: (next) => {
      fault = next;
    },
    goDown,
    comeBack: () => listen(port),
    close: goDown,
  };
}
