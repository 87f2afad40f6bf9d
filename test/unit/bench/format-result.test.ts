import { describe, expect, it } from 'vitest';
import {
  formatLoadResult,
  formatMicroseconds,
  LatencyHistogram,
  mergeLoadResults,
  type LoadResult,
} from '../../../src/bench/engine/index.js';

function histogram(values: number[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return h;
}

const closed: LoadResult = {
  model: 'closed',
  connections: 50,
  pipelining: 1,
  workers: 1,
  elapsedMs: 2_000,
  sent: 4,
  completed: 4,
  requestsPerSecond: 2,
  statusCounts: { '200': 3, '500': 1 },
  errors: { timeout: 0, reset: 1, refused: 0, other: 0 },
  unfinished: 0,
  bytesRead: 1_500,
  perSecond: [2, 2],
  latency: histogram([500, 1_500, 2_500, 1_200_000]).toJSON(),
  partial: false,
  valid: true,
  warnings: [],
};

describe('formatLoadResult', () => {
  it('prints the model, percentiles, rate, statuses and errors of a closed run', () => {
    expect(formatLoadResult(closed)).toBe(
      [
        'closed model, 50 connections, pipelining 1, 1 worker, 2.00 s',
        '',
        'Latency                          p50       p90       p99     p99.9       max      mean     stdev',
        'from send                    1.50 ms    1.20 s    1.20 s    1.20 s    1.20 s 301.13 ms 518.97 ms',
        '',
        'Requests/s  2  (4 responses, 4 sent, 1.5 KB read)',
        'Status      200: 3  500: 1',
        'Errors      timeout 0  reset 1  refused 0  other 0',
        '',
      ].join('\n'),
    );
  });

  it('adds service time, send lag, late requests and warnings for an invalid open run', () => {
    const open: LoadResult = {
      ...closed,
      model: 'open',
      rate: 1_000,
      serviceTime: histogram([400]).toJSON(),
      sendLag: histogram([20_000]).toJSON(),
      late: 7,
      windowMs: 1_500,
      partial: true,
      valid: false,
      warnings: ['The generator fell behind its schedule.'],
    };
    const text = formatLoadResult(open);
    expect(text).toMatch(/^open model at 1,000 req\/s, .*, 1\.50 s schedule, 2\.00 s to the last response \(partial: stopped early\)\n/);
    expect(text).toContain('from intended send');
    expect(text).toMatch(/service time \(uncorrected\)\s+400 µs/);
    expect(text).toMatch(/generator send lag\s+20\.00 ms/);
    expect(text).toContain('Late        7 requests found no free connection at their intended time');
    expect(text).toContain('Warning     The generator fell behind its schedule.');
    expect(text).toContain('INVALID');
  });

  it('formats durations in the unit that keeps them readable', () => {
    expect([formatMicroseconds(999), formatMicroseconds(1_000), formatMicroseconds(2_500_000)]).toEqual(['999 µs', '1.00 ms', '2.50 s']);
  });
});

describe('mergeLoadResults', () => {
  it('adds counts, statuses, series and histograms of worker results', () => {
    const other: LoadResult = {
      ...closed,
      elapsedMs: 1_000,
      statusCounts: { '200': 2 },
      perSecond: [5],
      latency: histogram([100, 200]).toJSON(),
      valid: false,
      warnings: ['w'],
    };
    const merged = mergeLoadResults([closed, other]);
    expect(merged).toMatchObject({
      workers: 2,
      connections: 100,
      sent: 8,
      completed: 8,
      elapsedMs: 2_000,
      requestsPerSecond: 4,
      statusCounts: { '200': 5, '500': 1 },
      perSecond: [7, 2],
      valid: false,
      warnings: ['w'],
    });
    expect(merged.errors.reset).toBe(2);
    expect(merged.latency).toEqual(histogram([500, 1_500, 2_500, 1_200_000, 100, 200]).toJSON());
  });

  it('gives merged open-model threads the longest schedule window, and the rate over it', () => {
    const thread = (windowMs: number, completed: number): LoadResult => ({
      ...closed,
      model: 'open',
      rate: 100,
      windowMs,
      elapsedMs: windowMs + 300,
      completed,
      sent: completed,
      serviceTime: histogram([1]).toJSON(),
      sendLag: histogram([1]).toJSON(),
      late: 0,
    });
    const merged = mergeLoadResults([thread(1_990, 100), thread(2_000, 100)]);
    expect(merged).toMatchObject({ windowMs: 2_000, elapsedMs: 2_300, requestsPerSecond: 100 });
  });
});
