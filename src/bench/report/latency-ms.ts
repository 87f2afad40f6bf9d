import { LatencyHistogram, type HistogramData, type LoadResult } from '../engine/index.js';

/** Latency percentiles in milliseconds (microsecond precision); `p999` is the 99.9th percentile. */
export interface PercentilesMs {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * A scenario's latency percentiles in milliseconds, for a reader of `--json` (with jq, say) who
 * should not need the histograms' bucket layout. `corrected`: from each request's intended send
 * time (open model only: a closed model has no schedule to correct against); `uncorrected`: from
 * the actual send.
 */
export interface LatencyMs {
  corrected?: PercentilesMs;
  uncorrected: PercentilesMs;
}

function percentilesMs(data: HistogramData): PercentilesMs {
  const s = LatencyHistogram.fromData(data).summary();
  const ms = (us: number): number => Math.round(us) / 1000;
  return { p50: ms(s.p50), p90: ms(s.p90), p99: ms(s.p99), p999: ms(s.p999), max: ms(s.max) };
}

/** The percentiles of a result's histograms, in milliseconds. Pure. */
export function latencyMs(result: LoadResult): LatencyMs {
  if (result.model === 'open' && result.serviceTime !== undefined) {
    return { corrected: percentilesMs(result.latency), uncorrected: percentilesMs(result.serviceTime) };
  }
  return { uncorrected: percentilesMs(result.latency) };
}
