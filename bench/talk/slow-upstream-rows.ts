import { measure, toMeasurement } from './measure.js';
import { readProcessUsage, runLoad, sampleProcessUsage, startMockUpstream, summariseUsage, type MockUpstream } from './repo-modules.js';
import { row, withServer, type StartGenerated, type TalkContext } from './rows-common.js';
import { makeVariant } from './servers.js';
import type { Row } from './types.js';
import { noDeadline } from './variants.js';

const FAILURE_BUDGET_MS = 1000;
const MB = 2 ** 20;
/** Long enough to sample RSS with every request waiting, short of the per-call timeout (2 s by default). */
const MEMORY_WAIT_MS = 1000;

/** The repo's mock upstream, with a latency that can jump mid-run (the mock reads it per request). */
async function startSwitchableUpstream(initialMs: number): Promise<{ upstream: MockUpstream; setLatency(ms: number): void }> {
  let latencyMs = initialMs;
  const upstream = await startMockUpstream({
    get latencyMs() {
      return latencyMs;
    },
    jitterMs: 0,
    faults: [],
  });
  return {
    upstream,
    setLatency: (ms) => {
      latencyMs = ms;
    },
  };
}

/** The failure slide: the upstream's latency jumps from 50 ms to 3 s under load, with and without the deadline. */
export async function failureRows(ctx: TalkContext, generated: StartGenerated): Promise<Row[]> {
  const { load, signal } = ctx;
  const rows: Row[] = [];
  for (const variant of [undefined, noDeadline]) {
    const id = variant ? 'failure-no-deadline' : 'failure-deadline';
    const root = variant ? await makeVariant(ctx.projectRoot, ctx.workDir, variant, signal) : ctx.projectRoot;
    const { upstream, setLatency } = await startSwitchableUpstream(50);
    try {
      ctx.log(`  measuring ${id}…`);
      const env = { REQUEST_DEADLINE_MS: String(FAILURE_BUDGET_MS), ...variant?.env };
      const [before, after] = await withServer(generated(root, env, upstream.url), async (server) => {
        const normal = await measure(
          server,
          upstream,
          { path: '/external', connections: load.connections, durationMs: load.durationMs / 2, warmupMs: load.warmupMs },
          signal,
        );
        setLatency(3000);
        const slow = await measure(
          server,
          upstream,
          { path: '/external', connections: load.connections, durationMs: Math.max(load.durationMs, 4000), warmupMs: 0, drainMs: 3500 },
          signal,
        );
        return [normal, slow];
      });
      const { aborted } = upstream.stats();
      rows.push(
        variant
          ? row(
              id,
              '4',
              'naive',
              'upstream 50 ms -> 3 s, no deadline',
              load.connections,
              after,
              `the talk's failure slide as it happened: p99 went from ${before.p99Ms.toFixed(0)} ms to ${(after.p99Ms / 1000).toFixed(2)} s, every request held as long as the slow upstream (${variant.about})`,
            )
          : row(
              id,
              '4',
              'generated',
              `upstream 50 ms -> 3 s, deadline ${FAILURE_BUDGET_MS} ms`,
              load.connections,
              after,
              `the fix: p99 went from ${before.p99Ms.toFixed(0)} ms to ${(after.p99Ms / 1000).toFixed(2)} s, the budget; ${after.gatewayTimeouts} answers were 504 at the deadline and ${aborted} upstream calls were cancelled, not left running`,
            ),
      );
    } finally {
      await upstream.close();
    }
  }
  return rows;
}

/**
 * The talk's "to save memory": a fresh server (client pool raised to hold them all) gets
 * `highConnections` requests at once while the upstream takes 1 s, long enough to sample its RSS
 * with all of them waiting. A first such burst only opens the connections (no high-throughput
 * warm-up, whose garbage would count as memory held); the upstream's max in flight proves they
 * waited together.
 */
export async function memoryRow(ctx: TalkContext, generated: StartGenerated): Promise<Row> {
  const { load, signal } = ctx;
  const { upstream } = await startSwitchableUpstream(MEMORY_WAIT_MS);
  try {
    ctx.log('  measuring memory…');
    const pool = { UPSTREAM_CONNECTIONS: String(load.highConnections) };
    return await withServer(generated(ctx.projectRoot, pool, upstream.url), async (server) => {
      const burst = {
        target: { url: `${server.url}/external` },
        connections: load.highConnections,
        amount: load.highConnections,
        workers: 2,
        drainTimeout: 5000,
      };
      const fresh = (await readProcessUsage(server.pid!))?.rssBytes ?? 0;
      await runLoad(burst, signal);
      const idle = (await readProcessUsage(server.pid!))?.rssBytes ?? 0;
      const sampler = sampleProcessUsage(server.pid!, 50);
      const result = await runLoad(burst, signal);
      const usage = summariseUsage(sampler.stop());
      const peak = usage?.rssPeakBytes ?? 0;
      const waited = upstream.stats().maxInFlight;
      return row(
        'memory',
        '5',
        'generated',
        `RSS, ${load.highConnections} requests waiting`,
        load.highConnections,
        toMeasurement(result, usage),
        `the talk's "to save memory": one process held ${waited} requests waiting on the upstream at once in ${(peak / MB).toFixed(0)} MB RSS (${(fresh / MB).toFixed(0)} MB just started, ${(idle / MB).toFixed(0)} MB after a first such burst); a sync worker holds one request per process`,
      );
    });
  } finally {
    await upstream.close();
  }
}
