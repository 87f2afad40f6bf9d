import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatencyHistogram, runLoad, type LoadResult } from '../../../src/bench/engine/index.js';
import type { BenchReport } from '../../../src/bench/index.js';
import { latencyMs } from '../../../src/bench/report/latency-ms.js';
import { benchReportErrors } from '../../e2e/helpers/bench-schema.js';
import { startServer, type CountingServer } from './test-server.js';

function histogram(valuesUs: number[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const v of valuesUs) h.record(v);
  return h;
}

function result(model: 'open' | 'closed', latencyUs: number[], serviceUs?: number[]): LoadResult {
  return {
    model,
    connections: 1,
    pipelining: 1,
    workers: 1,
    elapsedMs: 1000,
    sent: latencyUs.length,
    completed: latencyUs.length,
    requestsPerSecond: latencyUs.length,
    statusCounts: { 200: latencyUs.length },
    errors: { timeout: 0, reset: 0, refused: 0, other: 0 },
    unfinished: 0,
    bytesRead: 0,
    perSecond: [latencyUs.length],
    latency: histogram(latencyUs).toJSON(),
    partial: false,
    valid: true,
    warnings: [],
    ...(serviceUs === undefined ? {} : { serviceTime: histogram(serviceUs).toJSON() }),
  };
}

describe('latencyMs', () => {
  // 1..1000 µs: p50 500 µs, p90 900 µs, p99 990 µs, p99.9 999 µs, max 1000 µs (one bucket per µs below 2048).
  const oneToThousand = Array.from({ length: 1000 }, (_, i) => i + 1);

  it('gives a closed-model run its percentiles from send, in milliseconds, and no corrected ones', () => {
    expect(latencyMs(result('closed', oneToThousand))).toEqual({ uncorrected: { p50: 0.5, p90: 0.9, p99: 0.99, p999: 0.999, max: 1 } });
  });

  it('gives an open-model run both: corrected from the intended times, uncorrected from the sends', () => {
    const service = oneToThousand.map((us) => us * 100); // 0.1-100 ms, 0.1 % wide buckets above 2 ms
    const ms = latencyMs(
      result(
        'open',
        oneToThousand.map((us) => us + 250_000),
        service,
      ),
    );
    expect(ms.corrected!.p50).toBeCloseTo(250.5, 0);
    expect(ms.corrected!.max).toBeCloseTo(251, 0);
    expect(ms.uncorrected.p99).toBeGreaterThanOrEqual(99);
    expect(ms.uncorrected.p99).toBeLessThanOrEqual(99 * 1.001);
    expect(ms.uncorrected.max).toBe(100);
  });
});

describe('the --json report against docs/bench-report.schema.json', () => {
  let server: CountingServer;
  beforeAll(async () => {
    server = await startServer((_n, _req, res) => res.end('ok'));
  });
  afterAll(() => server.close());

  const report = (scenarios: BenchReport['scenarios']): BenchReport => ({
    schema: 'asyncsrv-bench/1',
    startedAt: '2026-11-27T00:00:00.000Z',
    target: server.url,
    load: { connections: 2, amount: 50, rate: 500, pipelining: 1, workers: 1, warmupMs: 0 },
    partial: false,
    scenarios,
  });

  it('accepts what a run writes now, in both models, and a report written before latencyMs and windowMs', async () => {
    const never = new AbortController().signal;
    const open = await runLoad({ target: { url: server.url }, connections: 2, amount: 50, rate: 500 }, never);
    const closed = await runLoad({ target: { url: server.url }, connections: 2, amount: 50 }, never);
    expect(open.windowMs).toBeGreaterThan(0);
    const now = report([
      { name: 'open', paths: ['/'], result: open, latencyMs: latencyMs(open) },
      { name: 'closed', paths: ['/'], result: closed, latencyMs: latencyMs(closed) },
    ]);
    expect(benchReportErrors(JSON.parse(JSON.stringify(now)))).toEqual([]);
    const { windowMs: _, ...before } = open;
    expect(benchReportErrors(report([{ name: 'open', paths: ['/'], result: before }]))).toEqual([]);
  });

  it('refuses percentiles that are missing, misnamed or not numbers', () => {
    const ok = result('closed', [1_000]);
    const uncorrected = { p50: 1, p90: 1, p99: 1, p999: 1, max: 1 };
    expect(benchReportErrors(report([{ name: 'a', paths: ['/'], result: ok, latencyMs: { uncorrected } }]))).toEqual([]);
    const bad: unknown[] = [
      { corrected: uncorrected },
      { uncorrected: { ...uncorrected, p999: undefined } },
      { uncorrected: { ...uncorrected, 'p99.9': 1 } },
      { uncorrected: { ...uncorrected, p50: '1 ms' } },
    ];
    for (const latency of bad) {
      const errors = benchReportErrors(
        JSON.parse(JSON.stringify(report([{ name: 'a', paths: ['/'], result: ok, latencyMs: latency as never }]))),
      );
      expect(errors.length, JSON.stringify(latency)).toBeGreaterThan(0);
    }
  });
});
