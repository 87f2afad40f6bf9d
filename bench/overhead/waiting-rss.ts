import { runLoad, sampleProcessUsage, startMockUpstream, summariseUsage, type LoadResult } from '../talk/repo-modules.js';
import { startGeneratedServer, startMinimalHono, type ServerProcess } from './servers.js';
import type { OverheadConfig, WaitingRss } from './types.js';

const MB = 2 ** 20;
const MEASURED_BURSTS = 2;

function failuresOf(result: LoadResult): number {
  const non2xx = Object.entries(result.statusCounts)
    .filter(([status]) => Number(status) < 200 || Number(status) >= 300)
    .reduce((sum, [, n]) => sum + n, 0);
  return non2xx + Object.values(result.errors).reduce((sum, n) => sum + n, 0);
}

/** `count` requests on as many new connections at once, all waiting on the slow upstream; peak RSS meanwhile. */
async function burst(server: ServerProcess, count: number, signal: AbortSignal): Promise<{ rssPeakMb: number; failures: number }> {
  const sampler = sampleProcessUsage(server.pid, 50);
  const result = await runLoad(
    { target: { url: `${server.url}/external` }, connections: count, amount: count, workers: 2, timeout: 10_000, drainTimeout: 10_000 },
    signal,
  );
  const usage = summariseUsage(sampler.stop());
  return { rssPeakMb: (usage?.rssPeakBytes ?? 0) / MB, failures: failuresOf(result) };
}

/**
 * The talk's "1000 requests waiting" for both apps, fresh processes against a mock upstream at
 * `waitingLatencyMs`: a first burst opens every connection (inbound and to the upstream, as a
 * server that has seen such a load holds them), then measured bursts alternate between the two.
 */
export async function measureWaitingRss(
  projectRoot: string,
  databaseUrl: string,
  config: OverheadConfig,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<WaitingRss> {
  const upstream = await startMockUpstream({ latencyMs: config.waitingLatencyMs, jitterMs: 0, faults: [] });
  const servers: ServerProcess[] = [];
  try {
    log(
      `  RSS with ${config.waitingRequests} requests waiting on a ${config.waitingLatencyMs} ms upstream: a first burst each, then ${MEASURED_BURSTS} measured bursts each, alternating`,
    );
    const minimal = await startMinimalHono(projectRoot, upstream.url, signal);
    servers.push(minimal);
    // The per-call timeout (2 s by default) must outlast the slow upstream.
    const generated = await startGeneratedServer(
      projectRoot,
      { databaseUrl, upstreamUrl: upstream.url, accessLog: false, env: { UPSTREAM_TIMEOUT_MS: String(config.waitingLatencyMs * 2) } },
      signal,
    );
    servers.push(generated);
    const out: WaitingRss = {
      waiting: config.waitingRequests,
      upstreamLatencyMs: config.waitingLatencyMs,
      minimalMb: [],
      generatedMb: [],
      maxInFlight: 0,
      minimalErrors: 0,
      generatedErrors: 0,
    };
    await burst(minimal, config.waitingRequests, signal);
    await burst(generated, config.waitingRequests, signal);
    for (let i = 0; i < MEASURED_BURSTS; i++) {
      const a = await burst(minimal, config.waitingRequests, signal);
      const b = await burst(generated, config.waitingRequests, signal);
      out.minimalMb.push(a.rssPeakMb);
      out.generatedMb.push(b.rssPeakMb);
      out.minimalErrors += a.failures;
      out.generatedErrors += b.failures;
      log(`    burst ${i + 1}: minimal ${a.rssPeakMb.toFixed(0)} MB, generated ${b.rssPeakMb.toFixed(0)} MB`);
    }
    out.maxInFlight = upstream.stats().maxInFlight;
    return out;
  } finally {
    await Promise.allSettled(servers.map((server) => server.stop()));
    await upstream.close();
  }
}
