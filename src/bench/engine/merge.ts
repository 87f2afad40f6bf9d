import { LatencyHistogram, type HistogramData } from './histogram.js';
import { requestsPerSecond } from './recorder.js';
import { addHistogramData, EMPTY_HISTOGRAM } from './sparse-histogram.js';
import type { LoadResult } from './types.js';

function mergeHistograms(parts: Array<HistogramData | undefined>): HistogramData | undefined {
  const present = parts.filter((p): p is HistogramData => p !== undefined);
  if (present.length === 0) return undefined;
  const merged = new LatencyHistogram();
  for (const part of present) merged.merge(part);
  return merged.toJSON();
}

/**
 * Merges the results of worker threads into one, exactly: counts add up, histograms add bucket
 * by bucket (see histogram.ts), per-second series add by index (each worker counts its seconds
 * from its own start; workers start within milliseconds of each other).
 */
export function mergeLoadResults(results: readonly LoadResult[]): LoadResult {
  const first = results[0];
  if (first === undefined) throw new Error('mergeLoadResults needs at least one result.');
  if (results.length === 1) return first;
  const sum = (pick: (r: LoadResult) => number): number => results.reduce((total, r) => total + pick(r), 0);
  const elapsedMs = Math.max(...results.map((r) => r.elapsedMs));
  const completed = sum((r) => r.completed);
  const statusCounts: Record<string, number> = {};
  for (const r of results) for (const [status, n] of Object.entries(r.statusCounts)) statusCounts[status] = (statusCounts[status] ?? 0) + n;
  const perSecond: number[] = [];
  for (const r of results) r.perSecond.forEach((n, i) => (perSecond[i] = (perSecond[i] ?? 0) + n));
  const latencyPerSecond: HistogramData[] = [];
  const failedPerSecond: number[] = [];
  for (const r of results) {
    r.latencyPerSecond?.forEach((h, i) => (latencyPerSecond[i] = addHistogramData(latencyPerSecond[i] ?? EMPTY_HISTOGRAM, h)));
    r.failedPerSecond?.forEach((n, i) => (failedPerSecond[i] = (failedPerSecond[i] ?? 0) + n));
  }
  const merged: LoadResult = {
    model: first.model,
    connections: sum((r) => r.connections),
    pipelining: first.pipelining,
    workers: sum((r) => r.workers),
    elapsedMs,
    sent: sum((r) => r.sent),
    completed,
    requestsPerSecond: requestsPerSecond(completed, elapsedMs),
    statusCounts,
    errors: {
      timeout: sum((r) => r.errors.timeout),
      reset: sum((r) => r.errors.reset),
      refused: sum((r) => r.errors.refused),
      other: sum((r) => r.errors.other),
    },
    unfinished: sum((r) => r.unfinished),
    bytesRead: sum((r) => r.bytesRead),
    perSecond: Array.from(perSecond, (n) => n ?? 0),
    latencyPerSecond: Array.from(latencyPerSecond, (h) => h ?? EMPTY_HISTOGRAM),
    failedPerSecond: Array.from(failedPerSecond, (n) => n ?? 0),
    latency: mergeHistograms(results.map((r) => r.latency))!,
    partial: results.some((r) => r.partial),
    valid: results.every((r) => r.valid),
    warnings: [...new Set(results.flatMap((r) => r.warnings))],
  };
  if (first.model === 'open') {
    merged.rate = first.rate;
    // Threads share one schedule: the window is the longest of theirs (the one holding the last request).
    merged.windowMs = Math.max(...results.map((r) => r.windowMs ?? r.elapsedMs));
    merged.requestsPerSecond = requestsPerSecond(completed, merged.windowMs);
    merged.serviceTime = mergeHistograms(results.map((r) => r.serviceTime));
    merged.sendLag = mergeHistograms(results.map((r) => r.sendLag));
    merged.late = sum((r) => r.late ?? 0);
  }
  return merged;
}
