import { selectSamples, type Sample } from './prometheus-text.js';

/** Which samples a figure is read from: a metric name and labels they must carry. */
export interface SampleSelector {
  name: string;
  labels?: Record<string, string>;
}

/**
 * Where each server-side figure comes from in the target's /metrics. The defaults are the
 * generated project's (templates/base/src/observability/metrics.ts); a project with other names
 * passes its own.
 */
export interface ServerMetricSources {
  /** Gauge in seconds: the event loop's p99 delay since the previous scrape (prom-client resets it per scrape). */
  eventLoopDelayP99: SampleSelector;
  /** Histogram in seconds (its name without `_bucket`): time spent waiting for a DB client. */
  dbPoolWait: SampleSelector;
  /** Gauge: upstream requests waiting for a connection. */
  upstreamPending: SampleSelector;
  /** Counters: requests shed with 503, answered 504 at their deadline, answered 502. */
  shed: SampleSelector;
  deadline: SampleSelector;
  badGateway: SampleSelector;
}

export const DEFAULT_METRIC_SOURCES: ServerMetricSources = {
  eventLoopDelayP99: { name: 'event_loop_delay_seconds', labels: { quantile: '0.99' } },
  dbPoolWait: { name: 'db_pool_wait_seconds' },
  upstreamPending: { name: 'upstream_requests', labels: { state: 'pending' } },
  shed: { name: 'http_failed_responses_total', labels: { status: '503' } },
  deadline: { name: 'http_failed_responses_total', labels: { status: '504' } },
  badGateway: { name: 'http_failed_responses_total', labels: { status: '502' } },
};

/** What the server went through during one scenario; a figure is absent when its metric was not exposed. */
export interface ServerFigures {
  /** Highest event-loop p99 delay of the scrape intervals. */
  eventLoopDelayP99Ms?: number;
  /** p99 of the DB pool waits that happened during the scenario (from the histogram's increase). */
  dbPoolWaitP99Ms?: number;
  /** Highest number of upstream requests pending at a scrape. */
  upstreamPendingMax?: number;
  shed?: number;
  deadline504?: number;
  badGateway502?: number;
  /** Scrapes the figures come from (the first at the scenario's start, the last at its end). */
  scrapes: number;
}

const seriesKey = (labels: Record<string, string>): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

/** Increase of a counter from the first scrape to the last, over all its series; a series that went down restarted from 0. */
export function counterIncrease(scrapes: readonly Sample[][], selector: SampleSelector): number | undefined {
  const first = selectSamples(scrapes[0] ?? [], selector.name, selector.labels);
  const last = selectSamples(scrapes.at(-1) ?? [], selector.name, selector.labels);
  if (last.length === 0) return undefined;
  const before = new Map(first.map((s) => [seriesKey(s.labels), s.value]));
  return last.reduce((sum, s) => {
    const start = before.get(seriesKey(s.labels)) ?? 0;
    return sum + (s.value >= start ? s.value - start : s.value);
  }, 0);
}

/** Highest value of a gauge over the scrapes; its series are added (`sum`) or the highest taken (`max`) within a scrape. */
export function gaugeMax(scrapes: readonly Sample[][], selector: SampleSelector, within: 'sum' | 'max'): number | undefined {
  let highest: number | undefined;
  for (const scrape of scrapes) {
    const values = selectSamples(scrape, selector.name, selector.labels)
      .map((s) => s.value)
      .filter((v) => !Number.isNaN(v));
    if (values.length === 0) continue;
    const value = within === 'sum' ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
    highest = highest === undefined ? value : Math.max(highest, value);
  }
  return highest;
}

/** Cumulative bucket counts by upper bound, summed over the histogram's series. */
function buckets(samples: readonly Sample[], selector: SampleSelector): Map<number, number> {
  const counts = new Map<number, number>();
  for (const s of selectSamples(samples, `${selector.name}_bucket`, selector.labels)) {
    const le = s.labels.le === undefined ? Number.NaN : s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    if (!Number.isNaN(le)) counts.set(le, (counts.get(le) ?? 0) + s.value);
  }
  return counts;
}

/**
 * The `q` quantile (0..1) of the observations a histogram gained between the first and the last
 * scrape, interpolated within its bucket as Prometheus' histogram_quantile does (a quantile in the
 * +Inf bucket is the highest finite bound). Undefined without the histogram; 0 without observations.
 */
export function histogramQuantile(scrapes: readonly Sample[][], selector: SampleSelector, q: number): number | undefined {
  const end = buckets(scrapes.at(-1) ?? [], selector);
  if (end.size === 0) return undefined;
  const start = buckets(scrapes[0] ?? [], selector);
  const bounds = [...end.keys()].sort((a, b) => a - b);
  const gained = bounds.map((le) => Math.max(0, end.get(le)! - (start.get(le) ?? 0)));
  const total = gained.at(-1) ?? 0;
  if (total === 0) return 0;
  const rank = q * total;
  const i = gained.findIndex((cumulative) => cumulative >= rank);
  const upper = bounds[i]!;
  const lower = i === 0 ? 0 : bounds[i - 1]!;
  if (upper === Number.POSITIVE_INFINITY) return lower;
  const below = i === 0 ? 0 : gained[i - 1]!;
  const inBucket = gained[i]! - below;
  return inBucket === 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
}

/** The server-side figures of one scenario from its scrapes, in order (at least the one at its start and the one at its end). Pure. */
export function serverFigures(scrapes: readonly Sample[][], sources: ServerMetricSources = DEFAULT_METRIC_SOURCES): ServerFigures {
  const figures: ServerFigures = { scrapes: scrapes.length };
  const ms = (seconds: number | undefined): number | undefined => (seconds === undefined ? undefined : Math.round(seconds * 1e6) / 1e3);
  const set = <K extends keyof ServerFigures>(key: K, value: ServerFigures[K] | undefined): void => {
    if (value !== undefined) figures[key] = value;
  };
  set('eventLoopDelayP99Ms', ms(gaugeMax(scrapes, sources.eventLoopDelayP99, 'max')));
  set('dbPoolWaitP99Ms', ms(histogramQuantile(scrapes, sources.dbPoolWait, 0.99)));
  set('upstreamPendingMax', gaugeMax(scrapes, sources.upstreamPending, 'sum'));
  set('shed', counterIncrease(scrapes, sources.shed));
  set('deadline504', counterIncrease(scrapes, sources.deadline));
  set('badGateway502', counterIncrease(scrapes, sources.badGateway));
  return figures;
}
