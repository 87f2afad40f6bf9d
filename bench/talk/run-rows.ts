import { littlesBound } from './config.js';
import { measure, type LoadSpec } from './measure.js';
import { startMockUpstream, type MockUpstream } from './repo-modules.js';
import { makeVariant, startGeneratedServer, startMinimalHono, type RunningServer } from './servers.js';
import { startSyncServer } from './sync-server.js';
import type { Measurement, Row, RowKind, TalkLoad } from './types.js';
import { noDeadline, perQueryConnection, perRequestClient, sequentialFanOut, type Variant } from './variants.js';

export interface TalkContext {
  projectRoot: string;
  workDir: string;
  databaseUrl: string;
  /** The talk's upstream: the repo's mock at 100 ms. */
  upstream: MockUpstream;
  load: TalkLoad;
  signal: AbortSignal;
  log(line: string): void;
}

/** The generated server's client pool is raised for every row, or it (10 by default) caps /external at 100 req/s. */
export const RAISED_POOL = { UPSTREAM_CONNECTIONS: '1000' };
const FAILURE_BUDGET_MS = 1000;

async function withServer<T>(start: Promise<RunningServer>, work: (server: RunningServer) => Promise<T>): Promise<T> {
  const server = await start;
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}

const ratio = (top: Measurement, bottom: Measurement, what: string): string => `${(top.requestsPerSecond / bottom.requestsPerSecond).toFixed(2)}x ${what}`;

function row(id: string, group: string, kind: RowKind, label: string, connections: number, measurement: Measurement, shows: string, vs?: string): Row {
  return { id, group, kind, label, connections, measurement, shows, ...(vs === undefined ? {} : { ratio: vs }) };
}

/** Runs every row of the talk's table in order, each server started and stopped around its rows. */
export async function runTalkRows(ctx: TalkContext): Promise<Row[]> {
  const { load, signal, upstream } = ctx;
  const spec = (path: string, connections = load.connections): LoadSpec => ({ path, connections, durationMs: load.durationMs, warmupMs: load.warmupMs });
  const bound = littlesBound(load.connections, load.upstreamLatencyMs);
  const rows: Row[] = [];
  const started = (id: string): void => ctx.log(`  measuring ${id}…`);

  started('sync');
  const sync = await withServer(startSyncServer(upstream.url).then((s) => ({ url: s.url, stop: s.close })), (s) => measure(s, upstream, { ...spec('/external'), warmupMs: 0 }, signal));
  rows.push(row('sync', '1', 'sync', 'sync server, one request at a time', load.connections, sync,
    `the talk's WSGI worker: each request waits for the previous one's 100 ms upstream call, so ${sync.requestsPerSecond.toFixed(1)} req/s whatever the load, and latency is queueing (p99 ${(sync.p99Ms / 1000).toFixed(1)} s)`));

  const generated = (root: string, env: Record<string, string>, upstreamUrl = upstream.url): Promise<RunningServer> =>
    startGeneratedServer(root, { databaseUrl: ctx.databaseUrl, upstreamUrl, env }, signal);
  const wired = await withServer(generated(ctx.projectRoot, RAISED_POOL), async (server) => {
    const result: Record<string, Measurement> = {};
    for (const [id, load_] of [['external-std', spec('/external')], ['external-high', spec('/external', load.highConnections)], ['db', spec('/db')], ['concurrent', spec('/concurrent')]] as const) {
      started(id);
      result[id] = await measure(server, upstream, load_, signal);
    }
    return result as Record<'external-std' | 'external-high' | 'db' | 'concurrent', Measurement>;
  });
  const maxWaiting = upstream.stats().maxInFlight;
  const highBound = littlesBound(load.highConnections, load.upstreamLatencyMs);
  rows.push(row('external-std', '2', 'generated', 'generated /external', load.connections, wired['external-std'],
    `the talk's aiohttp row: one event loop keeps ${load.connections} upstream calls in flight, so req/s approaches Little's law (${load.connections} / 0.1 s = ${bound}) at 100 ms each`,
    `${(wired['external-std'].requestsPerSecond / bound).toFixed(2)}x Little`));
  rows.push(row('external-high', '2', 'generated', `generated /external, ${load.highConnections} conns`, load.highConnections, wired['external-high'],
    `the same at ${load.highConnections} connections (bound ${highBound.toLocaleString('en-US')} req/s): where one core's CPU, not waiting, becomes the limit`,
    `${(wired['external-high'].requestsPerSecond / highBound).toFixed(2)}x Little`));

  started('external-default-pool');
  const defaultPool = await withServer(generated(ctx.projectRoot, {}), (server) => measure(server, upstream, spec('/external'), signal));
  rows.push(row('external-default-pool', '2', 'generated', 'generated /external, default pool (10)', load.connections, defaultPool,
    'the default UPSTREAM_CONNECTIONS=10 bounds calls in flight to 10, so 10 / 0.1 s = 100 req/s: the bounded client pool is the knob to raise behind a fast upstream',
    ratio(defaultPool, wired['external-std'], 'raised pool')));

  const naive = async (variant: Variant, id: string, label: string, load_: LoadSpec, beside: Measurement, shows: (m: Measurement) => string): Promise<void> => {
    ctx.log(`  building variant ${variant.name}…`);
    const root = await makeVariant(ctx.projectRoot, ctx.workDir, variant, signal);
    started(id);
    const m = await withServer(generated(root, { ...RAISED_POOL, ...variant.env }), (server) => measure(server, upstream, load_, signal));
    rows.push(row(id, '3', 'naive', label, load_.connections, m, shows(m), ratio(m, beside, 'wired')));
  };
  await naive(perRequestClient, 'per-request-client', `naive: client per request, ${load.highConnections} conns`, spec('/external', load.highConnections), wired['external-high'],
    (m) => `the talk's "client connections" slide: a session per request opens ${m.upstreamConnections ?? '?'} upstream TCP connections instead of reusing ${wired['external-high'].upstreamConnections ?? '?'}; shared client ${(wired['external-high'].requestsPerSecond / m.requestsPerSecond).toFixed(2)}x its throughput`);
  rows.push(row('db', '3', 'generated', 'generated /db (pg.Pool)', load.connections, wired.db, 'the talk\'s DB connection pool: 10 pooled connections to the sibling database serve every request'));
  await naive(perQueryConnection, 'per-query-connection', 'naive: DB connection per query', spec('/db'), wired.db,
    (m) => `a connection (TCP, startup, auth) per query: the pool is ${(wired.db.requestsPerSecond / m.requestsPerSecond).toFixed(2)}x its throughput`);
  rows.push(row('concurrent', '3', 'generated', 'generated /concurrent (Promise.all)', load.connections, wired.concurrent, 'the talk\'s explicit concurrency: 3 independent 100 ms calls at once, latency is the slowest (~100 ms)'));
  await naive(sequentialFanOut, 'sequential', 'naive: sequential fan-out', spec('/concurrent'), wired.concurrent,
    (m) => `the talk's naive approach: awaiting the 3 calls one after another sums them (p50 ${m.p50Ms.toFixed(0)} ms vs ${wired.concurrent.p50Ms.toFixed(0)} ms)`);

  rows.push(...await failureRows(ctx, generated));

  rows.push(row('memory', '5', 'generated', `RSS, ${load.highConnections} requests waiting`, load.highConnections, wired['external-high'],
    `the talk's "to save memory": one process held up to ${maxWaiting} requests waiting on the upstream at once in ${wired['external-high'].rssPeakMb?.toFixed(0) ?? '?'} MB peak RSS (one sync worker holds one)`));

  started('json');
  const [json, hono] = await withServer(generated(ctx.projectRoot, RAISED_POOL), (server) =>
    withServer(startMinimalHono(ctx.projectRoot, signal), (reference) => alternate(server, reference, spec('/json'), signal)));
  rows.push(row('json', 'ref', 'generated', 'generated /json', load.connections, json,
    'the talk\'s JSON slide: pure CPU, the cost of the wired middleware (request id, log, secure headers, body limit, deadline)', ratio(json, hono, 'minimal Hono')));
  rows.push(row('minimal-hono', 'ref', 'reference', 'minimal hand-written Hono /json', load.connections, hono, 'the floor of the stack: Hono on @hono/node-server with one route and no middleware'));
  return rows;
}

/** Two servers measured in alternating rounds of half the duration; each keeps its best round, so a burst of load from others hits both alike. */
async function alternate(a: RunningServer, b: RunningServer, spec: LoadSpec, signal: AbortSignal): Promise<[Measurement, Measurement]> {
  const half = { ...spec, durationMs: Math.max(1000, spec.durationMs / 2) };
  const best = (x: Measurement, y: Measurement): Measurement => (y.requestsPerSecond > x.requestsPerSecond ? y : x);
  let ma = await measure(a, undefined, half, signal);
  let mb = await measure(b, undefined, half, signal);
  ma = best(ma, await measure(a, undefined, { ...half, warmupMs: 0 }, signal));
  mb = best(mb, await measure(b, undefined, { ...half, warmupMs: 0 }, signal));
  return [ma, mb];
}

/** The failure slide: the upstream's latency jumps from 50 ms to 3 s under load, with and without the deadline. */
async function failureRows(ctx: TalkContext, generated: (root: string, env: Record<string, string>, upstreamUrl: string) => Promise<RunningServer>): Promise<Row[]> {
  const { load, signal } = ctx;
  const rows: Row[] = [];
  for (const variant of [undefined, noDeadline]) {
    const id = variant ? 'failure-no-deadline' : 'failure-deadline';
    const root = variant ? await makeVariant(ctx.projectRoot, ctx.workDir, variant, signal) : ctx.projectRoot;
    const latency = { ms: 50 };
    // A getter: the mock reads its latency per request, so the jump happens mid-run without a restart.
    const upstream = await startMockUpstream({ get latencyMs() { return latency.ms; }, jitterMs: 0, faults: [] });
    try {
      ctx.log(`  measuring ${id}…`);
      const env = { ...RAISED_POOL, REQUEST_DEADLINE_MS: String(FAILURE_BUDGET_MS), ...variant?.env };
      const [before, after] = await withServer(generated(root, env, upstream.url), async (server) => {
        const normal = await measure(server, upstream, { path: '/external', connections: load.connections, durationMs: load.durationMs / 2, warmupMs: load.warmupMs }, signal);
        latency.ms = 3000;
        const slow = await measure(server, upstream, { path: '/external', connections: load.connections, durationMs: Math.max(load.durationMs, 4000), warmupMs: 0, drainMs: 3500 }, signal);
        return [normal, slow];
      });
      const aborted = upstream.stats().aborted;
      rows.push(variant
        ? row(id, '4', 'naive', 'upstream 50 ms -> 3 s, no deadline', load.connections, after,
          `the talk's failure slide as it happened: p99 went from ${before.p99Ms.toFixed(0)} ms to ${(after.p99Ms / 1000).toFixed(2)} s, every request held for the slow upstream (${variant.about})`)
        : row(id, '4', 'generated', `upstream 50 ms -> 3 s, deadline ${FAILURE_BUDGET_MS} ms`, load.connections, after,
          `the fix: p99 went from ${before.p99Ms.toFixed(0)} ms to ${formatSeconds(after.p99Ms)}, the budget; ${after.gatewayTimeouts} answers were 504 at the deadline and ${aborted} upstream calls were cancelled, not left running`));
    } finally {
      await upstream.close();
    }
  }
  return rows;
}

const formatSeconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
