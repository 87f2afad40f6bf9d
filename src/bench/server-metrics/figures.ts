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
  /** Gauge: upstream requests running (holding a connection). */
  upstreamRunning: SampleSelector;
  /** Gauge: queries waiting for a DB pool client. */
  dbPoolWaiting: SampleSelector;
  /** Histograms in seconds: a query's run time once it has a client; an upstream call's time (its wait in line included). */
  dbQuery: SampleSelector;
  upstreamCall: SampleSelector;
  /** Counter in seconds: CPU time of the server process (prom-client's default metric). */
  processCpu: SampleSelector;
  /** Counters: requests shed with 503, answered 504 at their deadline, answered 502. */
  shed: SampleSelector;
  deadline: SampleSelector;
  badGateway: SampleSelector;
}

export const DEFAULT_METRIC_SOURCES: ServerMetricSources = {
  eventLoopDelayP99: { name: 'event_loop_delay_seconds', labels: { quantile: '0.99' } },
  dbPoolWait: { name: 'db_pool_wait_seconds' },
  upstreamPending: { name: 'upstream_requests', labels: { state: 'pending' } },
  upstreamRunning: { name: 'upstream_requests', labels: { state: 'running' } },
  dbPoolWaiting: { name: 'db_pool_clients', labels: { state: 'waiting' } },
  dbQuery: { name: 'db_query_duration_seconds' },
  upstreamCall: { name: 'upstream_call_duration_seconds' },
  processCpu: { name: 'process_cpu_seconds_total' },
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
  /** Highest number of upstream requests running (each holds a connection) at a scrape. */
  upstreamRunningMax?: number;
  /** Highest number of queries waiting for a DB client at a scrape. */
  dbPoolWaitingMax?: number;
  /** Queries run during the scenario and their mean run time (from the histogram's count and sum). */
  dbQueries?: HistogramIncrease;
  /** Upstream calls made during the scenario and their mean time (waiting in line included). */
  upstreamCalls?: HistogramIncrease;
  /** CPU seconds the server process used during the scenario, by its own process_cpu_seconds_total. */
  cpuSeconds?: number;
  shed?: number;
  deadline504?: number;
  badGateway502?: number;
  /** Scrapes the figures come from (the first at the scenario's start, the last at its end). */
  scrapes: number;
}

/** How many observations a histogram gained over the scrapes, and their mean. */
export interface HistogramIncrease {
  count: number;
  meanMs: number;
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

/** Observations a histogram gained from the first scrape to the last, and their mean in ms; undefined without the histogram. */
export function histogramIncrease(scrapes: readonly Sample[][], selector: SampleSelector): HistogramIncrease | undefined {
  const count = counterIncrease(scrapes, { ...selector, name: `${selector.name}_count` });
  const sum = counterIncrease(scrapes, { ...selector, name: `${selector.name}_sum` });
  if (count === undefined || sum === undefined) return undefined;
  return { count, meanMs: count > 0 ? Math.round((sum / count) * 1e6) / 1e3 : 0 };
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
  set('upstreamRunningMax', gaugeMax(scrapes, sources.upstreamRunning, 'sum'));
  set('dbPoolWaitingMax', gaugeMax(scrapes, sources.dbPoolWaiting, 'sum'));
  set('dbQueries', histogramIncrease(scrapes, sources.dbQuery));
  set('upstreamCalls', histogramIncrease(scrapes, sources.upstreamCall));
  const cpu = counterIncrease(scrapes, sources.processCpu);
  if (cpu !== undefined) figures.cpuSeconds = Math.round(cpu * 1e4) / 1e4;
  set('shed', counterIncrease(scrapes, sources.shed));
  set('deadline504', counterIncrease(scrapes, sources.deadline));
  set('badGateway502', counterIncrease(scrapes, sources.badGateway));
  return figures;
}
