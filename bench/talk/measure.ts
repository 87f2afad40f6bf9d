import { runLoad, sampleProcessUsage, summariseUsage, summarizeLoadResult, type LoadResult, type MockUpstream } from './repo-modules.js';
import type { RunningServer } from './servers.js';
import type { Measurement } from './types.js';

export interface LoadSpec {
  path: string;
  connections: number;
  durationMs: number;
  /** Same load before the measured run, not counted (JIT, pools filling). */
  warmupMs: number;
  /** How long to wait for in-flight answers after the run (default 2 s). */
  drainMs?: number;
}

/** Reduces an engine result (and the server's /proc samples) to the table's figures. */
export function toMeasurement(
  result: LoadResult,
  server?: { rssPeakBytes: number; cpuCores: number },
  upstreamConnections?: number,
): Measurement {
  const { latency } = summarizeLoadResult(result);
  const statuses = Object.entries(result.statusCounts);
  const count = (keep: (status: number) => boolean): number => statuses.filter(([s]) => keep(Number(s))).reduce((sum, [, n]) => sum + n, 0);
  return {
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: latency.p50 / 1000,
    p99Ms: latency.p99 / 1000,
    completed: result.completed,
    non2xx: count((s) => s < 200 || s >= 300),
    gatewayTimeouts: count((s) => s === 504),
    failed: Object.values(result.errors).reduce((sum, n) => sum + n, 0),
    ...(server === undefined ? {} : { rssPeakMb: server.rssPeakBytes / 2 ** 20, serverCores: server.cpuCores }),
    ...(upstreamConnections === undefined ? {} : { upstreamConnections }),
  };
}

/** Warms up, then loads `server` with the engine while sampling its RSS and counting upstream connections. */
export async function measure(
  server: RunningServer,
  upstream: MockUpstream | undefined,
  spec: LoadSpec,
  signal: AbortSignal,
): Promise<Measurement> {
  signal.throwIfAborted();
  const load = {
    target: { url: `${server.url}${spec.path}` },
    connections: spec.connections,
    drainTimeout: spec.drainMs ?? 2000,
    workers: spec.connections >= 500 ? 2 : 1,
  };
  if (spec.warmupMs > 0) await runLoad({ ...load, duration: spec.warmupMs }, signal);
  const sampler = server.pid === undefined ? undefined : sampleProcessUsage(server.pid, 100);
  const before = upstream?.stats().connectionsOpened;
  const result = await runLoad({ ...load, duration: spec.durationMs }, signal);
  const usage = sampler ? summariseUsage(sampler.stop()) : undefined;
  const opened = upstream && before !== undefined ? upstream.stats().connectionsOpened - before : undefined;
  return toMeasurement(result, usage, opened);
}
