import { bucketIndexOf, type HistogramData } from './histogram.js';

/**
 * A histogram of the same bucket layout as LatencyHistogram, kept sparse: one per second of a
 * run (a dense one is 24,576 buckets), serialised to the same HistogramData, so it merges
 * across worker threads and reads back with LatencyHistogram.fromData.
 */
export class SparseHistogram {
  private readonly counts = new Map<number, number>();
  private count = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;
  private sum = 0;
  private sumOfSquares = 0;

  /** Records one value in microseconds, as LatencyHistogram.record does. */
  record(microseconds: number): void {
    let v = Math.round(microseconds);
    if (!(v > 0)) v = 0;
    else if (v > 0xffff_ffff) v = 0xffff_ffff;
    const index = bucketIndexOf(v);
    this.counts.set(index, (this.counts.get(index) ?? 0) + 1);
    this.count += 1;
    this.sum += v;
    this.sumOfSquares += v * v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  toJSON(): HistogramData {
    return {
      buckets: [...this.counts.entries()].sort((a, b) => a[0] - b[0]),
      count: this.count,
      min: this.count === 0 ? 0 : this.min,
      max: this.max,
      sum: this.sum,
      sumOfSquares: this.sumOfSquares,
    };
  }
}

/** Adds two serialised histograms (exact, as LatencyHistogram.merge). */
export function addHistogramData(a: HistogramData, b: HistogramData): HistogramData {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const counts = new Map(a.buckets);
  for (const [index, n] of b.buckets) counts.set(index, (counts.get(index) ?? 0) + n);
  return {
    buckets: [...counts.entries()].sort((x, y) => x[0] - y[0]),
    count: a.count + b.count,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    sum: a.sum + b.sum,
    sumOfSquares: a.sumOfSquares + b.sumOfSquares,
  };
}

export const EMPTY_HISTOGRAM: HistogramData = { buckets: [], count: 0, min: 0, max: 0, sum: 0, sumOfSquares: 0 };
