import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFaultSchedule, type UpstreamFault } from '../parse-flags.js';

export interface MockUpstreamOptions {
  /** Base latency of every answer, as the talk's 100 ms upstream. */
  latencyMs: number;
  /** Each answer's latency varies uniformly by up to ± this much. */
  jitterMs: number;
  faults: readonly UpstreamFault[];
  /** Seeded jitter keeps runs reproducible. */
  seed?: number;
}

/** What the upstream saw: the keep-alive evidence (connections) and the abort evidence. */
export interface MockUpstreamStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  /** TCP connections accepted since start; stays at the client's pool size with keep-alive. */
  connectionsOpened: number;
  connectionsOpen: number;
  maxConnectionsOpen: number;
  /** Requests whose client went away before the answer (deadline aborts). */
  aborted: number;
  faults: { slow: number; error: number; reset: number };
}

export interface MockUpstream {
  url: string;
  stats(): MockUpstreamStats;
  close(): Promise<void>;
}

/**
 * A stand-in for the external service on 127.0.0.1: answers `GET /data/<key>` (any path) with
 * JSON after a set latency and jitter, injects faults on an exact share of requests, and counts
 * connections, requests in flight and aborts.
 */
export async function startMockUpstream(options: MockUpstreamOptions): Promise<MockUpstream> {
  const stats: MockUpstreamStats = {
    requests: 0,
    inFlight: 0,
    maxInFlight: 0,
    connectionsOpened: 0,
    connectionsOpen: 0,
    maxConnectionsOpen: 0,
    aborted: 0,
    faults: { slow: 0, error: 0, reset: 0 },
  };
  const random = seededRandom(options.seed ?? 1);
  const nextFault = createFaultSchedule(options.faults);
  const server = createServer((request, response) => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const fault = nextFault();
    const jitter = options.jitterMs === 0 ? 0 : (random() * 2 - 1) * options.jitterMs;
    const delay = Math.max(0, options.latencyMs + jitter + (fault?.kind === 'slow' ? fault.delayMs : 0));
    if (fault) stats.faults[fault.kind]++;
    const timer = setTimeout(() => answer(request, response, fault), delay);
    response.once('close', () => {
      stats.inFlight--;
      if (!response.writableFinished) {
        clearTimeout(timer);
        stats.aborted++;
      }
    });
  });
  server.on('connection', (socket) => {
    stats.connectionsOpened++;
    stats.connectionsOpen++;
    stats.maxConnectionsOpen = Math.max(stats.maxConnectionsOpen, stats.connectionsOpen);
    socket.once('close', () => {
      stats.connectionsOpen--;
    });
  });
  server.keepAliveTimeout = 60_000;
  // A backlog above Node's default (511): a bench opens up to thousands of client connections at once.
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ ...stats, faults: { ...stats.faults } }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(request: IncomingMessage, response: ServerResponse, fault: UpstreamFault | undefined): void {
  if (fault?.kind === 'reset') {
    request.socket.destroy();
    return;
  }
  const status = fault?.kind === 'error' ? fault.status : 200;
  const key = decodeURIComponent((request.url ?? '/').split('?')[0]?.split('/').pop() ?? '');
  const body = JSON.stringify(status === 200 ? { key, source: 'mock upstream' } : { error: 'injected fault', status });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/** mulberry32: a tiny deterministic generator, so jitter is the same from run to run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
