import { describe, expect, it } from 'vitest';
import { mergeLoadResults, runLoad } from '../../../src/bench/engine/index.js';
import type { BenchReport, ScenarioReport } from '../../../src/bench/report/format-report.js';
import { chartData, renderHtmlReport } from '../../../src/bench/report/html-report.js';
import { renderMarkdownReport } from '../../../src/bench/report/markdown-report.js';
import { insideSeries, perSecondSeries, processSeries } from '../../../src/bench/report/timeline.js';
import { parsePrometheusText } from '../../../src/bench/server-metrics/index.js';
import { openResult } from './capacity-fixtures.js';
import { startServer } from './test-server.js';

function report(scenarios: ScenarioReport[], extra: Partial<BenchReport> = {}): BenchReport {
  return {
    schema: 'asyncsrv-bench/1',
    startedAt: '2026-01-02T00:00:00.000Z',
    target: 'http://127.0.0.1:3000',
    load: { connections: 10, pipelining: 1, workers: 1, warmupMs: 0, durationMs: 3000 },
    partial: false,
    scenarios,
    ...extra,
  };
}

describe('timelines (timeline.ts)', () => {
  it('gives p50/p99, responses and failures per full second of a result', () => {
    const result = {
      ...openResult(3, [
        [10, 20, 30],
        [40, 50, 60],
      ]),
      failedPerSecond: [0, 2],
    };
    // Histogram buckets are 0.1 % wide: 20 ms reads back as 20.015.
    const near = (ms: number) => expect.closeTo(ms, 1);
    expect(perSecondSeries(result)).toEqual({
      latencyP50Ms: [near(20), near(50)],
      latencyP99Ms: [near(30), near(60)],
      requests: [3, 3],
      failed: [0, 2],
    });
    const { latencyPerSecond: _, ...old } = result; // a report written before per-second latency: no line, not a false zero
    expect(perSecondSeries(old).latencyP50Ms).toEqual([]);
  });

  it('turns /proc samples into RSS and CPU % between samples, and scrapes into per-interval figures', () => {
    const samples = [
      { atMs: 0, rssBytes: 50e6, cpuSeconds: 1 },
      { atMs: 500, rssBytes: 60e6, cpuSeconds: 1.25 },
      { atMs: 1000, rssBytes: 61e6, cpuSeconds: 1.75 },
    ];
    expect(processSeries(samples)).toEqual({ atS: [0.5, 1], rssMB: [60, 61], cpuPercent: [50, 100] });
    expect(processSeries(samples.slice(0, 1))).toBeUndefined();
    const scrape = (loop: number, waitBelow5ms: number, pending: number) =>
      parsePrometheusText(
        `event_loop_delay_seconds{quantile="0.99"} ${loop}\nupstream_requests{state="pending"} ${pending}\n` +
          `db_pool_wait_seconds_bucket{le="0.005"} ${waitBelow5ms}\ndb_pool_wait_seconds_bucket{le="+Inf"} ${waitBelow5ms}\n`,
      );
    expect(insideSeries([scrape(0, 0, 0), scrape(0.02, 10, 3), scrape(0.005, 10, 0)], [0, 1000, 2000])).toEqual({
      atS: [1, 2],
      eventLoopDelayP99Ms: [20, 5],
      dbPoolWaitP99Ms: [4.95, 0],
      upstreamPending: [3, 0],
    });
  });
});

describe('per-second latency and failures from the engine', () => {
  it('records them in each worker and merges them exactly', async () => {
    const server = await startServer((n, _req, res) => {
      res.statusCode = n % 4 === 0 ? 503 : 200;
      res.end('ok');
    });
    try {
      const result = await runLoad({ target: { url: server.url }, connections: 4, workers: 2, amount: 400 }, AbortSignal.timeout(20_000));
      const inSeconds = result.latencyPerSecond!.reduce((sum, h) => sum + h.count, 0);
      expect(inSeconds).toBe(result.completed);
      expect(result.failedPerSecond!.reduce((a, b) => a + b, 0)).toBe(result.statusCounts['503']);
      const twice = mergeLoadResults([result, result]);
      expect(twice.latencyPerSecond![0]!.count).toBe(2 * result.latencyPerSecond![0]!.count);
    } finally {
      await server.close();
    }
  });
});

describe('the Markdown summary (markdown-report.ts)', () => {
  const now = { name: 'json', paths: ['/json'], result: openResult(100, [[10, 10, 10, 20]]) };

  it('is one table row per scenario', () => {
    expect(renderMarkdownReport(report([now]))).toBe(
      [
        '### asyncsrv bench',
        '',
        'closed model, 10 connections, 3 s per scenario',
        '',
        '| scenario | req/s | p50 | p99 | errors |',
        '| --- | ---: | ---: | ---: | ---: |',
        '| `json` | 4 | 10.0 ms | 20.0 ms | 0.00% |',
        '',
      ].join('\n'),
    );
  });

  it('shows the change from a baseline, worse than 5% in bold, and names scenarios not run', () => {
    const before = { name: 'json', paths: ['/json'], result: { ...openResult(100, [[10, 10, 10, 10]]), requestsPerSecond: 2 } };
    const gone = { name: 'db', paths: ['/db'], result: openResult(100, [[1]]) };
    const text = renderMarkdownReport(report([now]), report([before, gone]));
    expect(text).toContain('Compared with the baseline of 2026-01-02T00:00:00.000Z; changes worse than 5% in bold.');
    expect(text).toMatch(/^\| `json` \| 4 \(\+100\.0%\) \| 10\.0 ms \(\+0\.\d%\) \| 20\.0 ms \(\*\*\+\d+\.\d%\*\*\) \| 0\.00% \|$/m);
    expect(text).toContain('Not run this time: `db`.');
  });
});

describe('the HTML page (html-report.ts)', () => {
  const library = { js: 'window.uPlot = function () {};', css: '.uplot {}' };

  it('inlines the chart library and the data, and escapes what could end a script', () => {
    const scenario = {
      name: '</script><b>x',
      paths: ['/'],
      result: openResult(10, [
        [5, 6],
        [7, 8],
      ]),
    };
    const html = renderHtmlReport(report([scenario]), undefined, library);
    expect(html).toContain('<script>window.uPlot = function () {};</script>');
    expect(html).toContain('<style>.uplot {}</style>');
    expect(html).not.toContain('</script><b>');
    expect(html).toContain('&lt;/script&gt;&lt;b&gt;x');
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('overlays the baseline: its per-second series and its percentile curve', () => {
    const now = {
      name: 'json',
      paths: ['/json'],
      result: openResult(10, [
        [5, 6],
        [7, 8],
      ]),
    };
    const before = {
      name: 'json',
      paths: ['/json'],
      result: openResult(10, [
        [9, 9],
        [9, 9],
      ]),
    };
    const [data] = chartData(report([now]), report([before]));
    const near = (ms: number) => expect.closeTo(ms, 1);
    expect(data!.perSecond.latencyP50Ms).toEqual([near(5), near(7)]);
    expect(data!.baselinePerSecond!.latencyP50Ms).toEqual([near(9), near(9)]);
    expect(data!.curve[0]).toEqual([1, near(5)]); // p0: 1 / (1 - 0)
    expect(data!.baselineCurve!.at(-1)![1]).toBeCloseTo(9, 1);
    expect(chartData(report([now]))[0]!.baselineCurve).toBeUndefined();
  });
});
