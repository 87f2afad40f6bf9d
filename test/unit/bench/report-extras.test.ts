import chalk from 'chalk';
import { beforeAll, describe, expect, it } from 'vitest';
import { LatencyHistogram, type LoadResult } from '../../../src/bench/engine/index.js';
import { comparisonRows, formatComparison } from '../../../src/bench/report/compare.js';
import { exportK6Script } from '../../../src/bench/report/export-k6.js';
import type { BenchReport, ScenarioReport } from '../../../src/bench/report/format-report.js';
import { crossedThresholds, parseThresholds } from '../../../src/bench/report/thresholds.js';
import { DEFAULT_SCENARIOS } from '../../../src/bench/scenarios.js';

beforeAll(() => {
  chalk.level = 0;
});

function scenario(name: string, latencyMs: number, rps: number, statusCounts: Record<string, number>, errors = 0): ScenarioReport {
  const histogram = new LatencyHistogram();
  const completed = Object.values(statusCounts).reduce((a, b) => a + b, 0);
  for (let i = 0; i < 100; i++) histogram.record(latencyMs * 1000);
  const result: LoadResult = {
    model: 'closed',
    connections: 10,
    pipelining: 1,
    workers: 1,
    elapsedMs: 1000,
    sent: completed + errors,
    completed,
    requestsPerSecond: rps,
    statusCounts,
    errors: { timeout: errors, reset: 0, refused: 0, other: 0 },
    unfinished: 0,
    bytesRead: 0,
    perSecond: [],
    latency: histogram.toJSON(),
    partial: false,
    valid: true,
    warnings: [],
  };
  return { name, paths: ['/x'], result };
}

describe('--fail-on thresholds', () => {
  it('parses the documented example', () => {
    expect(parseThresholds('p99>200ms,errors>0.1%,rps<1000')).toEqual([
      { text: 'p99>200ms', metric: 'p99', op: '>', value: 200 },
      { text: 'errors>0.1%', metric: 'errors', op: '>', value: 0.001 },
      { text: 'rps<1000', metric: 'rps', op: '<', value: 1000 },
    ]);
  });

  it.each(['p99>200', 'latency>1s', 'errors>5', 'rps<fast', 'p99=>1s'])('refuses %j', (raw) => {
    expect(() => parseThresholds(raw)).toThrow(/Expected `--fail-on` conditions like/);
  });

  it('reports each crossed condition per scenario, and nothing when all hold', () => {
    const thresholds = parseThresholds('p99>200ms,errors>0.1%,non2xx>1%,rps<1000');
    const fast = scenario('json', 5, 20_000, { 200: 1000 });
    const slow = scenario('external', 300, 90, { 200: 95, 502: 5 }, 2);
    expect(crossedThresholds([fast], thresholds)).toEqual([]);
    expect(crossedThresholds([fast, slow], thresholds)).toEqual([
      expect.stringMatching(/^external: p99 3\d\d\.\dms \(fail on p99>200ms\)$/),
      'external: errors 1.96% (fail on errors>0.1%)',
      'external: non2xx 5.00% (fail on non2xx>1%)',
      'external: rps 90 (fail on rps<1000)',
    ]);
  });
});

describe('--compare', () => {
  const report = (scenarios: ScenarioReport[]): BenchReport => ({
    schema: 'asyncsrv-bench/1',
    startedAt: '2026-11-01T00:00:00.000Z',
    target: 'http://127.0.0.1:1',
    partial: false,
    scenarios,
    load: { connections: 10, durationMs: 1000, pipelining: 1, workers: 1, warmupMs: 0 },
  });

  it('shows deltas per scenario and metric', () => {
    const rows = comparisonRows(scenario('json', 10, 1000, { 200: 1 }), scenario('json', 12, 900, { 200: 1 }));
    expect(rows.map((row) => [row.label, Math.round(((row.current - row.baseline) / row.baseline) * 100)])).toEqual([
      ['req/s', -10],
      ['p50', 20],
      ['p99', 20],
    ]);
    const text = formatComparison(
      report([scenario('json', 10, 1000, { 200: 1 })]),
      report([scenario('json', 12, 900, { 200: 1 }), scenario('db', 1, 1, { 200: 1 })]),
    );
    expect(text).toMatch(/^json\s+req\/s\s+1000\s+900\s+-10\.0%$/m);
    expect(text).toMatch(/^db\s+not in the baseline$/m);
  });
});

describe('--export-k6', () => {
  it('writes the scenarios one after another in the same load model', () => {
    const closed = exportK6Script(
      DEFAULT_SCENARIOS.slice(0, 2),
      { connections: 50, durationMs: 10_000, amount: undefined, rate: undefined },
      'http://127.0.0.1:3000',
    );
    expect(closed).toContain("import http from 'k6/http';");
    expect(closed).toContain("json: { executor: 'constant-vus', vus: 50, duration: '10s', startTime: '0s', exec: 'json' },");
    expect(closed).toContain("db: { executor: 'constant-vus', vus: 50, duration: '10s', startTime: '10s', exec: 'db' },");
    expect(closed).toMatch(/export function db\(\) \{\n {2}http\.get\(BASE_URL \+ pick\(\[\["\/db",1\]\]\)\);\n\}/);
    const open = exportK6Script(
      [
        {
          name: 'mix-1',
          about: '',
          requests: [
            { path: '/a', weight: 3 },
            { path: '/b', weight: 1 },
          ],
        },
      ],
      { connections: 20, durationMs: 5000, amount: undefined, rate: 500 },
      'http://h:1',
    );
    expect(open).toContain(
      "mix_1: { executor: 'constant-arrival-rate', rate: 500, timeUnit: '1s', duration: '5s', preAllocatedVUs: 20, startTime: '0s', exec: 'mix_1' },",
    );
    expect(open).toContain('pick([["/a",0.75],["/b",0.25]])');
  });
});
