/**
 * A log-linear (HDR-style) latency histogram in microseconds, written in plain TypeScript.
 *
 * Why not `perf_hooks.createHistogram`: its buckets are not readable, so results from worker
 * threads could only be merged inside one thread, and never written to JSON and read back. Here
 * the raw bucket counts are the serialised form: merging adds counts bucket by bucket, which is
 * exact (the merged histogram equals one that recorded every sample itself).
 *
 * Layout: values 0..2047 µs have one bucket each; above that, every power of two is split into
 * 1024 buckets, so a bucket is at most 1/1024 (< 0.1 %) of its value wide: 3 significant digits.
 * Values are clamped to 2^32 - 1 µs (about 71 minutes).
 */

const linearBuckets = 2048;
const halfBuckets = 1024;
const maxValue = 0xffff_ffff;
const bucketCount = linearBuckets + 22 * halfBuckets;

/** Serialised histogram: sparse `[bucketIndex, count]` pairs plus exact min, max, sum. */
export interface HistogramData {
  /** Sparse bucket counts; indices follow the layout documented in histogram.ts. */
  buckets: Array<[number, number]>;
  count: number;
  min: number;
  max: number;
  sum: number;
  sumOfSquares: number;
}

/** Percentiles and moments of a histogram, all in microseconds. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  stdev: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Bucket index of a non-negative integer value in microseconds. */
export function bucketIndexOf(value: number): number {
  if (value < linearBuckets) return value;
  const shift = 31 - Math.clz32(value) - 10; // value >>> shift lands in [1024, 2047]
  return linearBuckets + (shift - 1) * halfBuckets + ((value >>> shift) - halfBuckets);
}

/** Highest value that falls into bucket `index` (what HDR histograms report for percentiles). */
export function bucketHighestValue(index: number): number {
  if (index < linearBuckets) return index;
  const offset = index - linearBuckets;
  const shift = Math.floor(offset / halfBuckets) + 1;
  const sub = (offset % halfBuckets) + halfBuckets;
  return (sub + 1) * 2 ** shift - 1;
}

/**
 * Records latencies in microseconds; `toJSON()`/`fromData()` round-trip it exactly.
 *
 * @example
 * const h = new LatencyHistogram();
 * h.record(1_234);
 * h.percentile(99); // 1234
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(bucketCount);
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  sum = 0;
  sumOfSquares = 0;

  static fromData(data: HistogramData): LatencyHistogram {
    const h = new LatencyHistogram();
    h.merge(data);
    return h;
  }

  /** Records one value; fractions are rounded, negatives count as 0. */
  record(microseconds: number): void {
    let v = Math.round(microseconds);
    if (!(v > 0)) v = 0;
    else if (v > maxValue) v = maxValue;
    this.counts[bucketIndexOf(v)]! += 1;
    this.count += 1;
    this.sum += v;
    this.sumOfSquares += v * v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Adds another histogram's counts to this one (exact). */
  merge(other: HistogramData | LatencyHistogram): void {
    const data = other instanceof LatencyHistogram ? other.toJSON() : other;
    if (data.count === 0) return;
    for (const [index, n] of data.buckets) this.counts[index]! += n;
    this.count += data.count;
    this.sum += data.sum;
    this.sumOfSquares += data.sumOfSquares;
    if (data.min < this.min) this.min = data.min;
    if (data.max > this.max) this.max = data.max;
  }

  /** Value at percentile `p` (0..100): the highest value of the bucket holding that rank, capped at max. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count - 1e-9)); // 99.9 / 100 * 1000 is 999.0000000000001
    let seen = 0;
    for (let i = 0; i < bucketCount; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(bucketHighestValue(i), this.max);
    }
    return this.max;
  }

  /** How many recorded values are >= `microseconds` (to bucket precision). */
  countAtOrAbove(microseconds: number): number {
    let n = 0;
    for (let i = bucketIndexOf(Math.min(maxValue, Math.max(0, Math.round(microseconds)))); i < bucketCount; i++) {
      n += this.counts[i]!;
    }
    return n;
  }

  summary(): LatencySummary {
    const mean = this.count === 0 ? 0 : this.sum / this.count;
    const variance = this.count === 0 ? 0 : Math.max(0, this.sumOfSquares / this.count - mean * mean);
    return {
      count: this.count,
      min: this.count === 0 ? 0 : this.min,
      mean,
      stdev: Math.sqrt(variance),
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.max,
    };
  }

  toJSON(): HistogramData {
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < bucketCount; i++) if (this.counts[i] !== 0) buckets.push([i, this.counts[i]!]);
    return {
      buckets,
      count: this.count,
      min: this.count === 0 ? 0 : this.min,
      max: this.max,
      sum: this.sum,
      sumOfSquares: this.sumOfSquares,
    };
  }
}
