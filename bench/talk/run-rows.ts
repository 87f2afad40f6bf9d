import { littlesBound, warmupFor } from './config.js';
import { measure, type LoadSpec } from './measure.js';
import { ratio, row, withServer, type StartGenerated, type TalkContext } from './rows-common.js';
import { makeVariant, readDefaultUpstreamConnections, startGeneratedServer, startMinimalHono, type RunningServer } from './servers.js';
import { failureRows, memoryRow } from './slow-upstream-rows.js';
import { startSyncServer } from './sync-server.js';
import type { Measurement, Row } from './types.js';
import { perQueryConnection, perRequestClient, sequentialFanOut, type Variant } from './variants.js';

type WiredId = 'external-std' | 'external-default-high' | 'db';

/** Runs every row of the talk's table in order, each server started and stopped around its rows. */
export async function runTalkRows(ctx: TalkContext): Promise<Row[]> {
  const { load, signal, upstream } = ctx;
  const spec = (path: string, connections = load.connections): LoadSpec => ({
    path,
    connections,
    durationMs: load.durationMs,
    warmupMs: warmupFor(connections, load.warmupMs),
  });
  const high = load.highConnections;
  const bound = littlesBound(load.connections, load.upstreamLatencyMs);
  const highBound = littlesBound(high, load.upstreamLatencyMs);
  const defaultPool = readDefaultUpstreamConnections(ctx.projectRoot);
  const raisedPool = { UPSTREAM_CONNECTIONS: String(high) };
  const rows: Row[] = [];
  const started = (id: string): void => ctx.log(`  measuring ${id}…`);
  const generated: StartGenerated = (root, env, upstreamUrl = upstream.url) =>
    startGeneratedServer(root, { databaseUrl: ctx.databaseUrl, upstreamUrl, env }, signal);

  started('sync');
  const sync = await withServer(
    startSyncServer(upstream.url).then((s) => ({ url: s.url, stop: s.close })),
    (s) => measure(s, upstream, { ...spec('/external'), warmupMs: 0 }, signal),
  );
  rows.push(
    row(
      'sync',
      '1',
      'sync',
      'sync server, one request at a time',
      load.connections,
      sync,
      `the talk's WSGI worker: each request waits for the previous one's 100 ms upstream call, so ${sync.requestsPerSecond.toFixed(1)} req/s whatever the load, and latency is time in the queue (p99 ${(sync.p99Ms / 1000).toFixed(1)} s)`,
    ),
  );

  const wired = await withServer(generated(ctx.projectRoot, {}), async (server) => {
    const result: Partial<Record<WiredId, Measurement>> = {};
    for (const [id, load_] of [
      ['external-std', spec('/external')],
      ['external-default-high', spec('/external', high)],
      ['db', spec('/db')],
    ] as const) {
      started(id);
      result[id] = await measure(server, upstream, load_, signal);
    }
    return result as Record<WiredId, Measurement>;
  });
  // 3 calls per request at 100 connections need 300 sockets: the raised pool keeps /concurrent from queueing in the client.
  const [raised, concurrent] = await withServer(generated(ctx.projectRoot, raisedPool), async (server) => {
    started('external-high');
    const external = await measure(server, upstream, spec('/external', high), signal);
    started('concurrent');
    return [external, await measure(server, upstream, spec('/concurrent'), signal)];
  });
  rows.push(
    row(
      'external-std',
      '2',
      'generated',
      'generated /external',
      load.connections,
      wired['external-std'],
      `the talk's aiohttp row: one event loop keeps ${load.connections} upstream calls in flight, so req/s approaches Little's law, ${load.connections} / 0.1 s = ${bound.toLocaleString('en-US')}`,
      `${(wired['external-std'].requestsPerSecond / bound).toFixed(2)}x Little`,
    ),
  );
  rows.push(
    row(
      'external-default-high',
      '2',
      'generated',
      `generated /external, ${high} conns, default pool`,
      high,
      wired['external-default-high'],
      `the client pool bounds calls in flight: the default UPSTREAM_CONNECTIONS=${defaultPool ?? '?'} caps /external at ${defaultPool ?? '?'} / 0.1 s = ${defaultPool ? (defaultPool * 10).toLocaleString('en-US') : '?'} req/s however many clients wait (the extra ones queue inside the pool)`,
      `${(wired['external-default-high'].requestsPerSecond / highBound).toFixed(2)}x Little`,
    ),
  );
  rows.push(
    row(
      'external-high',
      '2',
      'generated',
      `generated /external, ${high} conns, pool ${high}`,
      high,
      raised,
      `the same with UPSTREAM_CONNECTIONS=${high} (bound ${highBound.toLocaleString('en-US')} req/s): now the CPU of one process, not waiting, is the limit`,
      `${(raised.requestsPerSecond / highBound).toFixed(2)}x Little`,
    ),
  );

  const naive = async (
    variant: Variant,
    id: string,
    label: string,
    load_: LoadSpec,
    beside: Measurement,
    env: Record<string, string>,
    shows: (m: Measurement) => string,
  ): Promise<void> => {
    ctx.log(`  building variant ${variant.name}…`);
    const root = await makeVariant(ctx.projectRoot, ctx.workDir, variant, signal);
    started(id);
    const m = await withServer(generated(root, { ...env, ...variant.env }), (server) => measure(server, upstream, load_, signal));
    rows.push(row(id, '3', 'naive', label, load_.connections, m, shows(m), ratio(m, beside, 'wired')));
  };
  await naive(
    perRequestClient,
    'per-request-client',
    `naive: client per request, ${high} conns`,
    spec('/external', high),
    raised,
    raisedPool,
    (m) =>
      `the talk's "client connections" slide: a session per request opened ${m.upstreamConnections ?? '?'} upstream TCP connections where the shared client opened ${raised.upstreamConnections ?? '?'} new ones (its pool connected during the warm-up); the shared client has ${(raised.requestsPerSecond / m.requestsPerSecond).toFixed(2)}x its throughput`,
  );
  rows.push(
    row(
      'db',
      '3',
      'generated',
      'generated /db (pg.Pool)',
      load.connections,
      wired.db,
      "the talk's DB connection pool: a few pooled connections to the sibling database serve every request",
    ),
  );
  await naive(
    perQueryConnection,
    'per-query-connection',
    'naive: DB connection per query',
    spec('/db'),
    wired.db,
    {},
    (m) =>
      `a connection (TCP, startup, auth) per query: the pool has ${(wired.db.requestsPerSecond / m.requestsPerSecond).toFixed(2)}x its throughput`,
  );
  rows.push(
    row(
      'concurrent',
      '3',
      'generated',
      `generated /concurrent (Promise.all), pool ${high}`,
      load.connections,
      concurrent,
      "the talk's explicit concurrency: 3 independent 100 ms calls at once, so latency is the slowest of them",
    ),
  );
  await naive(
    sequentialFanOut,
    'sequential',
    `naive: sequential fan-out, pool ${high}`,
    spec('/concurrent'),
    concurrent,
    raisedPool,
    (m) =>
      `the talk's naive approach: awaiting the 3 calls one after another sums them (p50 ${m.p50Ms.toFixed(0)} ms vs ${concurrent.p50Ms.toFixed(0)} ms)`,
  );

  rows.push(...(await failureRows(ctx, generated)));
  rows.push(await memoryRow(ctx, generated));

  started('json');
  const [json, hono] = await withServer(generated(ctx.projectRoot, {}), (server) =>
    withServer(startMinimalHono(ctx.projectRoot, signal), (reference) => alternate(server, reference, spec('/json'), signal)),
  );
  rows.push(
    row(
      'json',
      'ref',
      'generated',
      'generated /json',
      load.connections,
      json,
      "the talk's JSON slide, pure CPU: what the wired middleware costs (request id, log, secure headers, body limit, deadline)",
      ratio(json, hono, 'minimal Hono'),
    ),
  );
  rows.push(
    row(
      'minimal-hono',
      'ref',
      'reference',
      'minimal hand-written Hono /json',
      load.connections,
      hono,
      'the floor of the stack: Hono on @hono/node-server, one route, no middleware',
    ),
  );
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
