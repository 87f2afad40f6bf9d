import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

export interface LoadShedderOptions {
  /** Event-loop lag (p99 over the last sample) above which new requests are refused; 0 turns it off. */
  maxEventLoopDelayMs: number;
  /** How often the lag is read. */
  sampleIntervalMs?: number;
  /** Paths never refused: the probes (an overloaded process is not restarted for being busy) and the metrics (it is seen). */
  exemptPaths?: readonly string[];
}

export interface LoadShedder {
  /** True (and counted) when a new request for `path` must be refused: the event loop lags and is busy. */
  refuses(path: string): boolean;
  /** Event-loop lag p99 of the last sample, in milliseconds. */
  eventLoopDelayMs(): number;
  overloaded(): boolean;
  /** Requests refused since start-up. */
  shed(): number;
  /** Stops the sampler (at shutdown). */
  close(): void;
}

const RESOLUTION_MS = 10;
/** Share of the last sample the event loop spent running code, above which its lag is its own. */
const BUSY = 0.9;

/**
 * When the process itself is the bottleneck (CPU-bound handlers, a blocked loop), every request
 * waits behind every other and all of them miss their deadline; refusing new ones until the loop
 * catches up keeps the admitted ones fast (as @fastify/under-pressure does). One sampler reads the
 * lag a few times a second; the per-request cost is one boolean.
 */
export function createLoadShedder({
  maxEventLoopDelayMs,
  sampleIntervalMs = 250,
  exemptPaths = ['/healthz', '/readyz', '/metrics'],
}: LoadShedderOptions): LoadShedder {
  const exempt = new Set(exemptPaths);
  let histogram: IntervalHistogram | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let delayMs = 0;
  let overloaded = false;
  let shed = 0;
  if (maxEventLoopDelayMs > 0) {
    histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    histogram.enable();
    let lastSampleAt = performance.now();
    let lastUse: EventLoopUtilization = performance.eventLoopUtilization();
    sampler = setInterval(() => {
      // The histogram records each tick's interval, so the lag is what exceeds the resolution; a
      // sampler that itself fires late has just seen a block the histogram may not have recorded yet.
      const now = performance.now();
      const late = now - lastSampleAt - sampleIntervalMs;
      lastSampleAt = now;
      delayMs = Math.max(0, late, histogram!.percentile(99) / 1e6 - RESOLUTION_MS);
      // Lag alone can be other processes taking the CPU; shed only when this loop is the busy one.
      const use = performance.eventLoopUtilization(lastUse);
      lastUse = performance.eventLoopUtilization();
      overloaded = delayMs > maxEventLoopDelayMs && use.utilization >= BUSY;
      histogram!.reset();
    }, sampleIntervalMs);
    sampler.unref();
  }

  return {
    refuses(path) {
      if (!overloaded || exempt.has(path)) return false;
      shed += 1;
      return true;
    },
    eventLoopDelayMs: () => delayMs,
    overloaded: () => overloaded,
    shed: () => shed,
    close() {
      clearInterval(sampler);
      histogram?.disable();
    },
  };
}
