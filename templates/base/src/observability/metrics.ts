import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import client from 'prom-client';

/** What the metrics read when scraped; each source is optional (tests pass what they have). */
export interface MetricSources {
  /** Requests being served now. */
  inFlight?: () => number;
  /** The DB pool (pg's counts) and its admission line. */
  db?: () => { total: number; idle: number; waiting: number };
  /** undici's pool counts and the breaker's state. */
  upstream?: () => { connected: number; pending: number; running: number; breaker: 'closed' | 'open' | 'half-open' };
}

export interface Metrics {
  /** Records one answered request: its method, route template (`/upstream/data/:key`, never the raw path), status, duration. */
  request(method: string, route: string, status: number, seconds: number): void;
  /** Time a query waited for a pool client. */
  poolWait(seconds: number): void;
  /** Time a query ran (from getting a client to its rows). */
  query(seconds: number): void;
  /** Time an upstream call took, and whether it timed out. */
  upstreamCall(seconds: number, timedOut: boolean): void;
  /** The Prometheus text of this process (or, under `asyncsrv start`, of every worker: see cluster-metrics.ts). */
  text(): Promise<string>;
  readonly contentType: string;
  readonly registry: client.AggregatorRegistry<client.RegistryContentType>;
  /** Stops the event-loop monitor (at shutdown). */
  close(): void;
}

/** Seconds; from a fast in-memory answer to the 5 s default deadline. */
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const breakerValues = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * Prometheus metrics with prom-client, in a registry of their own. A request costs one
 * observation of RequestHistogram (below); pool, upstream and event-loop figures are read only
 * when scraped.
 * @example
 * const metrics = createMetrics({ inFlight: () => handlerStats.inFlight, db: () => db.poolStats() });
 * app.get('/metrics', async (c) => c.body(await metrics.text(), 200, { 'content-type': metrics.contentType }));
 */
export function createMetrics(sources: MetricSources = {}): Metrics {
  // An AggregatorRegistry is a Registry that also answers `asyncsrv start`'s primary when it
  // collects every worker's metrics (prom-client's cluster aggregation).
  const registry = new client.AggregatorRegistry();
  client.AggregatorRegistry.setRegistries([registry]);
  client.collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requests = new RequestHistogram(latencyBuckets);
  registry.registerMetric(requests as unknown as client.Metric);
  const failures = new client.Counter({
    name: 'http_failed_responses_total',
    help: 'Answers 502 (upstream failed), 503 (shed or refused) and 504 (deadline), by status.',
    labelNames: ['status'] as const,
    registers,
  });
  for (const status of ['502', '503', '504']) failures.labels(status).inc(0); // a series at 0 before the first, so rates and alerts see it
  new client.Gauge({
    name: 'http_requests_in_flight',
    help: 'Requests being served.',
    registers,
    collect() {
      this.set(sources.inFlight?.() ?? 0);
    },
  });
  new client.Gauge({
    name: 'app_processes',
    help: 'Server processes this scrape covers (one per worker under asyncsrv start).',
    registers,
    collect() {
      this.set(1);
    },
  });
  const pool = new client.Gauge({
    name: 'db_pool_clients',
    help: 'DB pool: clients open (total), idle, and queries waiting for one.',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const stats = sources.db?.();
      if (!stats) return;
      pool.set({ state: 'total' }, stats.total);
      pool.set({ state: 'idle' }, stats.idle);
      pool.set({ state: 'waiting' }, stats.waiting);
    },
  });
  const poolWait = new client.Histogram({
    name: 'db_pool_wait_seconds',
    help: 'Time a query waited for a pool client.',
    buckets: latencyBuckets,
    registers,
  });
  const queries = new client.Histogram({
    name: 'db_query_duration_seconds',
    help: 'Time a query ran once it had a client.',
    buckets: latencyBuckets,
    registers,
  });
  const upstream = new client.Gauge({
    name: 'upstream_requests',
    help: 'Upstream client: connections open, and requests running and pending.',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const stats = sources.upstream?.();
      if (!stats) return;
      upstream.set({ state: 'connected' }, stats.connected);
      upstream.set({ state: 'running' }, stats.running);
      upstream.set({ state: 'pending' }, stats.pending);
    },
  });
  new client.Gauge({
    name: 'upstream_circuit_state',
    help: 'Upstream circuit breaker: 0 closed, 1 half-open, 2 open.',
    registers,
    aggregator: 'max',
    collect() {
      this.set(breakerValues[sources.upstream?.().breaker ?? 'closed']);
    },
  });
  const calls = new client.Histogram({
    name: 'upstream_call_duration_seconds',
    help: 'Time an upstream call took, waiting in the line included.',
    buckets: latencyBuckets,
    registers,
  });
  const timeouts = new client.Counter({
    name: 'upstream_timeouts_total',
    help: 'Upstream calls that outlived their own timeout.',
    registers,
  });

  // Event-loop delay (p99 and max since the last scrape) and utilisation over the same window.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let lastUse: EventLoopUtilization = performance.eventLoopUtilization();
  const loopDelay = new client.Gauge({
    name: 'event_loop_delay_seconds',
    help: 'Event-loop delay since the last scrape, by quantile (p99, max).',
    labelNames: ['quantile'] as const,
    registers,
    aggregator: 'max',
    collect() {
      loopDelay.set({ quantile: '0.99' }, Math.max(0, delay.percentile(99) / 1e9 - 0.01));
      loopDelay.set({ quantile: '1' }, Math.max(0, delay.max / 1e9 - 0.01));
      delay.reset();
    },
  });
  new client.Gauge({
    name: 'event_loop_utilization',
    help: 'Share of the time since the last scrape the event loop ran code (0..1).',
    registers,
    aggregator: 'average',
    collect() {
      this.set(performance.eventLoopUtilization(lastUse).utilization);
      lastUse = performance.eventLoopUtilization();
    },
  });

  return {
    request(method, route, status, seconds) {
      requests.observe(method, route, status, seconds);
      if (status === 502 || status === 503 || status === 504) failures.inc({ status: String(status) });
    },
    poolWait: (seconds) => poolWait.observe(seconds),
    query: (seconds) => queries.observe(seconds),
    upstreamCall(seconds, timedOut) {
      calls.observe(seconds);
      if (timedOut) timeouts.inc();
    },
    text: () => registry.metrics(),
    contentType: registry.contentType,
    registry,
    close: () => delay.disable(),
  };
}

interface Series {
  /** Observations per bucket (not cumulative; the last one is +Inf). */
  counts: Float64Array;
  sum: number;
}

const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * `http_request_duration_seconds` by method, route template and status class. prom-client's own
 * Histogram validates and hashes its labels on every observation, about a microsecond each (a
 * tenth of a /json request): here an observation is three map lookups and a bucket search, and
 * prom-client's registry asks for the values only when scraped (`get`, the shape its metrics return).
 */
class RequestHistogram {
  readonly name = 'http_request_duration_seconds';
  readonly help = 'Requests answered, by method, route template and status class.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Map<string, Array<Series | undefined>>>();

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.#series.get(route);
    if (!byMethod) this.#series.set(route, (byMethod = new Map()));
    let byClass = byMethod.get(method);
    if (!byClass) byMethod.set(method, (byClass = []));
    const statusClass = Math.min(4, Math.max(0, Math.floor(status / 100) - 1));
    let series = byClass[statusClass];
    if (!series) byClass[statusClass] = series = { counts: new Float64Array(this.#bounds.length + 1), sum: 0 };
    let bucket = 0;
    while (bucket < this.#bounds.length && seconds > this.#bounds[bucket]!) bucket += 1;
    series.counts[bucket]! += 1;
    series.sum += seconds;
  }

  get(): {
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }>;
  } {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const [route, byMethod] of this.#series) {
      for (const [method, byClass] of byMethod) {
        byClass.forEach((series, index) => {
          if (!series) return;
          const labels = { method, route, status_class: statusClasses[index]! };
          let cumulative = 0;
          series.counts.forEach((count, bucket) => {
            cumulative += count;
            const le = bucket < this.#bounds.length ? this.#bounds[bucket]! : '+Inf';
            values.push({ labels: { ...labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
          });
          values.push(
            { labels, value: series.sum, metricName: `${this.name}_sum` },
            { labels, value: cumulative, metricName: `${this.name}_count` },
          );
        });
      }
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** What prom-client's registry calls on `resetMetrics()`. */
  reset(): void {
    this.#series.clear();
  }
}
