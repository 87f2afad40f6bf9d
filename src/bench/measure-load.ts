import { runLoad, type LoadOptions, type LoadResult } from './engine/index.js';
import { upstreamDelta, type ScenarioReport } from './report/format-report.js';
import { latencyMs } from './report/latency-ms.js';
import { insideSeries, perSecondSeries, processSeries } from './report/timeline.js';
import type { Scenario } from './scenarios.js';
import { sampleMetrics, serverFigures, type Sample, type ServerFigures } from './server-metrics/index.js';
import { sampleProcessUsage, summariseUsage, type UsageSample } from './target/process-usage.js';
import type { MockUpstream } from './upstream/mock-upstream.js';

/** What watches the server while load runs: its process (pid), its /metrics, the mock upstream. */
export interface Probes {
  pid: number | undefined;
  /** The target's /metrics URL, when it answers one. */
  metricsUrl: string | undefined;
  upstream: MockUpstream | undefined;
}

/** One load run with the server's side of it. */
export interface Measured {
  result: LoadResult;
  usage: UsageSample[];
  scrapes: Sample[][];
  scrapeTimesMs: number[];
  upstream?: ScenarioReport['upstream'];
}

/** Runs one load while sampling the server's process and /metrics and counting the upstream's calls. */
export async function measureLoad(load: LoadOptions, probes: Probes, signal: AbortSignal): Promise<Measured> {
  const sampler = probes.pid === undefined ? undefined : sampleProcessUsage(probes.pid);
  const metrics = probes.metricsUrl === undefined ? undefined : sampleMetrics(probes.metricsUrl);
  const upstreamBefore = probes.upstream?.stats();
  let result: LoadResult;
  try {
    result = await runLoad(load, signal);
  } catch (error) {
    // A failed run still stops the samplers, so no timer keeps the process alive.
    sampler?.stop();
    await metrics?.stop();
    throw error;
  }
  const usage = sampler ? sampler.stop() : [];
  const scrapes = metrics ? await metrics.stop() : [];
  const measured: Measured = { result, usage, scrapes, scrapeTimesMs: metrics ? metrics.timesMs() : [] };
  if (probes.upstream && upstreamBefore) measured.upstream = upstreamDelta(upstreamBefore, probes.upstream.stats());
  return measured;
}

/** The server's figures of a measured run, when /metrics answered at its start and its end. */
export function insideFigures(measured: Measured): ServerFigures | undefined {
  return measured.scrapes.length >= 2 ? serverFigures(measured.scrapes) : undefined;
}

/** A scenario's entry in the report, from one measured run: the load result, the server's figures, the timeline. Pure. */
export function scenarioReport(scenario: Scenario, measured: Measured): ScenarioReport {
  const { result } = measured;
  const entry: ScenarioReport = { name: scenario.name, paths: scenario.requests.map((r) => r.path), result, latencyMs: latencyMs(result) };
  const figures = insideFigures(measured);
  if (figures) entry.serverMetrics = figures;
  const usage = summariseUsage(measured.usage);
  if (usage) entry.server = usage;
  if (measured.upstream) entry.upstream = measured.upstream;
  entry.timeline = { perSecond: perSecondSeries(result) };
  const process = processSeries(measured.usage);
  if (process) entry.timeline.process = process;
  const inside = insideSeries(measured.scrapes, measured.scrapeTimesMs);
  if (inside) entry.timeline.inside = inside;
  return entry;
}
