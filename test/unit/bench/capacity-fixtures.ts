import { LatencyHistogram, type HistogramData, type LoadResult } from '../../../src/bench/engine/index.js';
import type { CapacityStep } from '../../../src/bench/capacity/types.js';

/** A histogram of `count` values of `ms` milliseconds each. */
export function histogramOf(ms: number | number[], count = 100): HistogramData {
  const h = new LatencyHistogram();
  const values = Array.isArray(ms) ? ms : Array.from({ length: count }, () => ms);
  for (const value of values) h.record(value * 1000);
  return h.toJSON();
}

/** An open-model result at `rate` for `seconds`, each second's latencies given (ms), with optional 5xx answers and transport errors. */
export function openResult(
  rate: number,
  secondsMs: number[][],
  extra: { status503?: number; timeouts?: number; lagMs?: number } = {},
): LoadResult {
  const all = secondsMs.flat();
  const completed = all.length;
  return {
    model: 'open',
    connections: 50,
    pipelining: 1,
    workers: 1,
    rate,
    elapsedMs: secondsMs.length * 1000 + 100,
    windowMs: secondsMs.length * 1000,
    sent: completed + (extra.timeouts ?? 0),
    completed,
    requestsPerSecond: completed / secondsMs.length,
    statusCounts: { 200: completed - (extra.status503 ?? 0), ...(extra.status503 ? { 503: extra.status503 } : {}) },
    errors: { timeout: extra.timeouts ?? 0, reset: 0, refused: 0, other: 0 },
    unfinished: 0,
    bytesRead: 0,
    perSecond: secondsMs.map((s) => s.length),
    latencyPerSecond: secondsMs.map((s) => histogramOf(s)),
    failedPerSecond: secondsMs.map(() => 0),
    latency: histogramOf(all),
    serviceTime: histogramOf(all),
    sendLag: histogramOf(extra.lagMs ?? 0.05, 10),
    late: 0,
    partial: false,
    valid: true,
    warnings: [],
  };
}

/** A judged step, for the search and the bottleneck: only what they read. */
export function step(rate: number | undefined, passed: boolean | undefined, extra: Partial<CapacityStep> = {}): CapacityStep {
  return {
    phase: rate === undefined ? 'probe' : 'coarse',
    ...(rate !== undefined ? { rate } : {}),
    goodputRps: rate ?? 100,
    completed: 300,
    p50Ms: 5,
    p99Ms: 10,
    errorShare: 0,
    growthMs: 0,
    generatorOk: true,
    ...(passed !== undefined ? { passed } : {}),
    reasons: passed === false ? ['p99 too high'] : [],
    ...extra,
  };
}
