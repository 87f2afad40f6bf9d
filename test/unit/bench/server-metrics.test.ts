import { describe, expect, it } from 'vitest';
import {
  counterIncrease,
  gaugeMax,
  histogramQuantile,
  parsePrometheusText,
  sampleMetrics,
  scrapeMetrics,
  serverFigures,
  type Sample,
} from '../../../src/bench/server-metrics/index.js';
import { closedPort, startServer } from './test-server.js';

describe('parsePrometheusText', () => {
  it('reads samples with labels, escapes, special values and timestamps, and skips comments and junk', () => {
    const text = [
      '# HELP http_requests_total Requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{route="/json",status_class="2xx"} 1027',
      'http_requests_total{route="/a \\"b\\"\\\\c\\nd",status_class="5xx",} 3 1700000000000',
      'process_start_time_seconds 1.7e9',
      'db_pool_wait_seconds_bucket{le="+Inf"} +Inf',
      'nodejs_eventloop_lag_p99_seconds NaN',
      'not a sample line',
      'broken{label="unterminated} 1',
      '',
    ].join('\n');
    const samples = parsePrometheusText(text);
    expect(samples.map((s) => s.name)).toEqual([
      'http_requests_total',
      'http_requests_total',
      'process_start_time_seconds',
      'db_pool_wait_seconds_bucket',
      'nodejs_eventloop_lag_p99_seconds',
    ]);
    expect(samples[0]).toEqual({ name: 'http_requests_total', labels: { route: '/json', status_class: '2xx' }, value: 1027 });
    expect(samples[1]!.labels.route).toBe('/a "b"\\c\nd');
    expect(samples[1]!.value).toBe(3);
    expect(samples[2]!.value).toBe(1.7e9);
    expect(samples[3]!.value).toBe(Number.POSITIVE_INFINITY);
    expect(samples[4]!.value).toBeNaN();
  });
});

const scrape = (text: string): Sample[] => parsePrometheusText(text);

describe('figures from scrapes', () => {
  it('adds the increase of every series of a counter, a restarted series counting from 0', () => {
    const first = scrape('shed_total{route="/a"} 10\nshed_total{route="/b"} 5');
    const last = scrape('shed_total{route="/a"} 25\nshed_total{route="/b"} 2\nshed_total{route="/c"} 4');
    expect(counterIncrease([first, last], { name: 'shed_total' })).toBe(15 + 2 + 4);
    expect(counterIncrease([first, last], { name: 'shed_total', labels: { route: '/a' } })).toBe(15);
    expect(counterIncrease([first, last], { name: 'missing_total' })).toBeUndefined();
  });

  it('takes the highest gauge over the scrapes, adding or maxing its series within one', () => {
    const scrapes = [
      'pending{origin="x"} 3\npending{origin="y"} 4',
      'pending{origin="x"} 6\npending{origin="y"} 0',
      'pending{origin="x"} NaN',
    ].map(scrape);
    expect(gaugeMax(scrapes, { name: 'pending' }, 'sum')).toBe(7);
    expect(gaugeMax(scrapes, { name: 'pending' }, 'max')).toBe(6);
    expect(gaugeMax(scrapes, { name: 'other' }, 'max')).toBeUndefined();
  });

  it('interpolates a quantile of what a histogram gained during the scenario, as histogram_quantile does', () => {
    const histogram = (counts: [string, number][]): Sample[] =>
      scrape(counts.map(([le, n]) => `wait_seconds_bucket{le="${le}"} ${n}`).join('\n'));
    const before = histogram([
      ['0.01', 50],
      ['0.1', 50],
      ['1', 50],
      ['+Inf', 50],
    ]);
    // 100 new waits: 80 under 10 ms, 15 between 10 and 100 ms, 5 between 100 ms and 1 s.
    const after = histogram([
      ['0.01', 130],
      ['0.1', 145],
      ['1', 150],
      ['+Inf', 150],
    ]);
    expect(histogramQuantile([before, after], { name: 'wait_seconds' }, 0.5)).toBeCloseTo(0.01 * (50 / 80), 12);
    expect(histogramQuantile([before, after], { name: 'wait_seconds' }, 0.9)).toBeCloseTo(0.01 + 0.09 * (10 / 15), 12);
    expect(histogramQuantile([before, after], { name: 'wait_seconds' }, 0.99)).toBeCloseTo(0.1 + 0.9 * (4 / 5), 12);
    const overflow = histogram([
      ['0.01', 50],
      ['0.1', 50],
      ['1', 50],
      ['+Inf', 60],
    ]);
    expect(histogramQuantile([before, overflow], { name: 'wait_seconds' }, 0.99)).toBe(1);
    expect(histogramQuantile([before, before], { name: 'wait_seconds' }, 0.99)).toBe(0);
    expect(histogramQuantile([before, after], { name: 'other_seconds' }, 0.99)).toBeUndefined();
  });

  it('gives a scenario its figures in milliseconds and counts, and leaves out what the server does not expose', () => {
    // The generated project's names (templates/base/src/observability/metrics.ts).
    const first = scrape(
      'http_failed_responses_total{status="503"} 2\nhttp_failed_responses_total{status="504"} 0\nevent_loop_delay_seconds{quantile="0.99"} 0.012\nevent_loop_delay_seconds{quantile="1"} 0.5',
    );
    const middle = scrape(
      'event_loop_delay_seconds{quantile="0.99"} 0.0305\nupstream_requests{state="pending"} 17\nupstream_requests{state="running"} 90',
    );
    const last = scrape(
      'http_failed_responses_total{status="503"} 40\nhttp_failed_responses_total{status="504"} 3\nevent_loop_delay_seconds{quantile="0.99"} 0.011\nupstream_requests{state="pending"} 2',
    );
    expect(serverFigures([first, middle, last])).toEqual({
      scrapes: 3,
      eventLoopDelayP99Ms: 30.5,
      upstreamPendingMax: 17,
      upstreamRunningMax: 90,
      shed: 38,
      deadline504: 3,
    });
  });

  it('gives the counts and mean times of queries and upstream calls, the pool line and the CPU used, for the capacity search', () => {
    const first = scrape(
      'db_query_duration_seconds_count 10\ndb_query_duration_seconds_sum 0.05\nupstream_call_duration_seconds_count 0\nupstream_call_duration_seconds_sum 0\nprocess_cpu_seconds_total 1.5\ndb_pool_clients{state="waiting"} 0',
    );
    const last = scrape(
      'db_query_duration_seconds_count 110\ndb_query_duration_seconds_sum 0.25\nupstream_call_duration_seconds_count 50\nupstream_call_duration_seconds_sum 5.05\nprocess_cpu_seconds_total 2.25\ndb_pool_clients{state="waiting"} 4',
    );
    expect(serverFigures([first, last])).toEqual({
      scrapes: 2,
      dbPoolWaitingMax: 4,
      dbQueries: { count: 100, meanMs: 2 },
      upstreamCalls: { count: 50, meanMs: 101 },
      cpuSeconds: 0.75,
    });
  });
});

describe('sampleMetrics against a fake /metrics endpoint', () => {
  it('scrapes at the start, every interval and at the stop, and its figures match what the server counted meanwhile', async () => {
    let shed = 100;
    let scrapes = 0;
    const server = await startServer((_n, req, res) => {
      if (req.url !== '/metrics') {
        res.statusCode = 404;
        return res.end();
      }
      scrapes += 1;
      shed += 7; // every scrape sees 7 more requests shed than the one before
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(
        `# TYPE http_failed_responses_total counter\nhttp_failed_responses_total{status="503"} ${shed}\nupstream_requests{state="pending"} ${scrapes}\n`,
      );
    });
    try {
      const metricsUrl = `${server.url}metrics`;
      expect(await scrapeMetrics(`${server.url}nothing-here`)).toBeUndefined();
      const sampler = sampleMetrics(metricsUrl, { intervalMs: 40 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const taken = await sampler.stop();
      expect(taken.length).toBe(scrapes);
      expect(taken.length).toBeGreaterThanOrEqual(4);
      const figures = serverFigures(taken);
      expect(figures.shed).toBe(7 * (taken.length - 1));
      expect(figures.upstreamPendingMax).toBe(taken.length);
      expect(scrapes).toBe(taken.length); // nothing scrapes after the stop
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(scrapes).toBe(taken.length);
    } finally {
      await server.close();
    }
  });

  it('leaves out scrapes that fail: a server that is gone gives none', async () => {
    const sampler = sampleMetrics(`http://127.0.0.1:${await closedPort()}/metrics`, { intervalMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await sampler.stop()).toEqual([]);
  });
});
