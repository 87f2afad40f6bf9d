import { parsePrometheusText, type Sample } from './prometheus-text.js';

export interface ScrapeOptions {
  /** Milliseconds between scrapes (default 1000). */
  intervalMs?: number;
  /** A scrape that takes longer is abandoned (ms, default 1000). */
  timeoutMs?: number;
}

/** A running series of scrapes of one endpoint. */
export interface MetricsSampler {
  /** Takes a last scrape, stops, and resolves with every scrape that answered, in order. */
  stop(): Promise<Sample[][]>;
  /** When each scrape that answered was taken, in ms since the sampler started (one per scrape `stop` returns). */
  timesMs(): number[];
}

/** One GET of a Prometheus text endpoint; undefined when it does not answer 200 in time. */
export async function scrapeMetrics(url: string, timeoutMs = 1_000): Promise<Sample[] | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/plain;version=0.0.4' } });
    const text = await response.text();
    return response.ok ? parsePrometheusText(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Scrapes `url` now and then every `intervalMs` until `stop()`, which scrapes once more: a
 * scenario's scrapes begin at its start and end at its end, as `serverFigures` expects. Scrapes
 * never overlap; one that fails is left out.
 *
 * @example
 * const sampler = sampleMetrics('http://127.0.0.1:3000/metrics');
 * const result = await runLoad(options, signal);
 * const figures = serverFigures(await sampler.stop());
 */
export function sampleMetrics(url: string, options: ScrapeOptions = {}): MetricsSampler {
  const { intervalMs = 1_000, timeoutMs = 1_000 } = options;
  const scrapes: Sample[][] = [];
  const times: number[] = [];
  const started = performance.now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const scrapeOnce = async (): Promise<void> => {
    const at = performance.now() - started;
    const samples = await scrapeMetrics(url, timeoutMs);
    if (samples === undefined) return;
    scrapes.push(samples);
    times.push(at);
  };
  let running = scrapeOnce();
  const schedule = (): void => {
    timer = setTimeout(() => {
      running = scrapeOnce().then(() => (stopped ? undefined : schedule()));
    }, intervalMs);
  };
  void running.then(() => (stopped ? undefined : schedule()));
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await scrapeOnce();
      return scrapes;
    },
    timesMs: () => [...times],
  };
}
