import { LatencyHistogram, type LoadResult } from '../engine/index.js';
import { gaugeMax, histogramQuantile, DEFAULT_METRIC_SOURCES, type Sample, type ServerMetricSources } from '../server-metrics/index.js';
import type { UsageSample } from '../target/process-usage.js';

/**
 * A scenario over time, for the charts: per second of the load (client side), and per sample of
 * the server (its process, and its /metrics between two scrapes). `null` where a value is unknown.
 */
export interface ScenarioTimeline {
  /** Per second of the load, index = second; the last, partial second is left out. */
  perSecond: { latencyP50Ms: number[]; latencyP99Ms: number[]; requests: number[]; failed: number[] };
  /** The server process, sampled from /proc: seconds since the load began, RSS, CPU (% of one core since the previous sample). */
  process?: { atS: number[]; rssMB: number[]; cpuPercent: number[] };
  /** The server's /metrics, one point per scrape interval ending at `atS`. */
  inside?: {
    atS: number[];
    eventLoopDelayP99Ms: Array<number | null>;
    dbPoolWaitP99Ms: Array<number | null>;
    upstreamPending: Array<number | null>;
  };
}

const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** The client's per-second series of a result: latency p50/p99 (corrected in the open model), responses, failures. Pure. */
export function perSecondSeries(result: LoadResult): ScenarioTimeline['perSecond'] {
  const seconds = Math.max(1, Math.floor((result.windowMs ?? result.elapsedMs) / 1000));
  const pick = (i: number): { p50: number; p99: number } => {
    const data = result.latencyPerSecond?.[i];
    if (!data || data.count === 0) return { p50: 0, p99: 0 };
    const h = LatencyHistogram.fromData(data);
    return { p50: h.percentile(50) / 1000, p99: h.percentile(99) / 1000 };
  };
  const points = Array.from({ length: Math.min(seconds, result.perSecond.length) }, (_, i) => pick(i));
  // A report written before per-second latency was recorded has none: no line rather than a false zero.
  const known = result.latencyPerSecond !== undefined;
  return {
    latencyP50Ms: known ? points.map((p) => round(p.p50)) : [],
    latencyP99Ms: known ? points.map((p) => round(p.p99)) : [],
    requests: result.perSecond.slice(0, points.length),
    failed: points.map((_, i) => result.failedPerSecond?.[i] ?? 0),
  };
}

/** The server process over time from its /proc samples (`offsetMs`: when the load began, on the samples' clock). Pure. */
export function processSeries(samples: readonly UsageSample[], offsetMs = 0): ScenarioTimeline['process'] {
  if (samples.length < 2) return undefined;
  const later = samples.slice(1);
  return {
    atS: later.map((s) => round((s.atMs - offsetMs) / 1000)),
    rssMB: later.map((s) => round(s.rssBytes / 1e6, 1)),
    cpuPercent: later.map((s, i) => {
      const before = samples[i]!;
      const wall = (s.atMs - before.atMs) / 1000;
      return wall > 0 ? round(((s.cpuSeconds - before.cpuSeconds) / wall) * 100, 1) : 0;
    }),
  };
}

/** The server's own view over time, between consecutive scrapes taken at `timesMs`. Pure. */
export function insideSeries(
  scrapes: readonly Sample[][],
  timesMs: readonly number[],
  offsetMs = 0,
  sources: ServerMetricSources = DEFAULT_METRIC_SOURCES,
): ScenarioTimeline['inside'] {
  if (scrapes.length < 2 || timesMs.length !== scrapes.length) return undefined;
  const atS: number[] = [];
  const loop: Array<number | null> = [];
  const poolWait: Array<number | null> = [];
  const pending: Array<number | null> = [];
  const ms = (seconds: number | undefined): number | null => (seconds === undefined ? null : round(seconds * 1000));
  for (let i = 1; i < scrapes.length; i++) {
    const pair = [scrapes[i - 1]!, scrapes[i]!];
    atS.push(round((timesMs[i]! - offsetMs) / 1000));
    loop.push(ms(gaugeMax([scrapes[i]!], sources.eventLoopDelayP99, 'max')));
    poolWait.push(ms(histogramQuantile(pair, sources.dbPoolWait, 0.99)));
    pending.push(gaugeMax([scrapes[i]!], sources.upstreamPending, 'sum') ?? null);
  }
  // A /metrics without any of these series (another kind of server) has nothing to chart.
  if ([...loop, ...poolWait, ...pending].every((v) => v === null)) return undefined;
  return { atS, eventLoopDelayP99Ms: loop, dbPoolWaitP99Ms: poolWait, upstreamPending: pending };
}
