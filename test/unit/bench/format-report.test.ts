import chalk from 'chalk';
import { beforeAll, describe, expect, it } from 'vitest';
import { LatencyHistogram, type LoadResult } from '../../../src/bench/engine/index.js';
import { formatBenchReport, upstreamDelta, type BenchReport } from '../../../src/bench/report/format-report.js';

beforeAll(() => {
  chalk.level = 0;
});

function result(latenciesUs: number[], statusCounts: Record<string, number>, extra: Partial<LoadResult> = {}): LoadResult {
  const histogram = new LatencyHistogram();
  for (const value of latenciesUs) histogram.record(value);
  const completed = Object.values(statusCounts).reduce((a, b) => a + b, 0);
  return {
    model: 'closed',
    connections: 10,
    pipelining: 1,
    workers: 1,
    elapsedMs: 1000,
    sent: completed,
    completed,
    requestsPerSecond: completed,
    statusCounts,
    errors: { timeout: 0, reset: 0, refused: 0, other: 0 },
    unfinished: 0,
    bytesRead: 1000,
    perSecond: [completed],
    latency: histogram.toJSON(),
    partial: false,
    valid: true,
    warnings: [],
    ...extra,
  };
}

const stats = (requests: number, connectionsOpened: number) => ({
  requests,
  inFlight: 0,
  maxInFlight: 5,
  connectionsOpened,
  connectionsOpen: connectionsOpened,
  maxConnectionsOpen: connectionsOpened,
  aborted: 0,
  faults: { slow: 0, error: 0, reset: 0 },
});

describe('formatBenchReport', () => {
  const report: BenchReport = {
    schema: 'asyncsrv-bench/1',
    startedAt: '2026-11-25T00:00:00.000Z',
    target: 'http://127.0.0.1:4000',
    load: { connections: 10, durationMs: 10_000, pipelining: 1, workers: 1, warmupMs: 2000 },
    upstream: { latencyMs: 100, jitterMs: 0, faults: '' },
    partial: false,
    scenarios: [
      {
        name: 'json',
        paths: ['/json'],
        result: result([900, 1000, 1100], { 200: 3000 }),
        server: { rssPeakBytes: 80e6, rssLastBytes: 79e6, cpuSeconds: 1, cpuCores: 0.95 },
      },
      {
        name: 'external',
        paths: ['/external'],
        result: result([101_000, 102_000], { 200: 95, 502: 5 }, { warnings: ['generator fell behind'] }),
        upstream: upstreamDelta(stats(10, 10), stats(110, 20)),
      },
    ],
  };

  it("adds a table of what the server's /metrics said, for the scenarios that have it, and none without", () => {
    expect(formatBenchReport(report)).not.toContain('inside the server');
    const withMetrics: BenchReport = {
      ...report,
      scenarios: [
        report.scenarios[0]!,
        {
          ...report.scenarios[1]!,
          serverMetrics: {
            eventLoopDelayP99Ms: 3.25,
            dbPoolWaitP99Ms: 120,
            upstreamPendingMax: 42,
            shed: 7,
            deadline504: 0,
            badGateway502: 5,
            scrapes: 4,
          },
        },
      ],
    };
    const lines = formatBenchReport(withMetrics).split('\n');
    const header = lines.findIndex((line) => line.includes('inside the server'));
    expect(lines[header]).toMatch(
      /inside the server\s+loop delay p99\s+DB pool wait p99\s+upstream pending max\s+503 shed\s+504 deadline\s+502 upstream/,
    );
    expect(lines[header + 1]?.replace(/\u001b\[[0-9;]*m/g, '')).toMatch(/^external\s+3\.25 ms\s+120 ms\s+42\s+7\s+0\s+5$/);
    expect(lines[header + 2] ?? '').not.toMatch(/^json/);
  });

  it('prints the load, one row per scenario with percentiles, failures, server and upstream columns', () => {
    const text = formatBenchReport(report);
    expect(text).toContain('closed model, 10 connections, 10 s per scenario, 1 worker(s), upstream 100 ms ± 0 ms');
    expect(text).toMatch(/^json\s+3,000\s+.*\s0\s+0\s+80\.0 MB\s+95%\s+-$/m);
    expect(text).toMatch(/^external\s+100\s+.*\s0\s+5\s+-\s+-\s+10 new \/ 100 calls$/m);
    expect(text).toContain('warning external: generator fell behind');
    expect(text).not.toContain('partial');
  });

  it('marks partial results', () => {
    expect(formatBenchReport({ ...report, partial: true })).toContain('Interrupted: these are partial results.');
  });
});
