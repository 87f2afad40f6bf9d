import { describe, expect, it } from 'vitest';
import { littlesBound, readTalkLoad, warmupFor } from '../../../bench/talk/config.js';
import { evaluateTargets } from '../../../bench/talk/targets.js';
import { load, measurement, row } from './fixtures.js';

describe('readTalkLoad', () => {
  it('takes defaults and BENCH_TALK_* overrides, refusing nonsense', () => {
    expect(readTalkLoad({})).toEqual({ durationMs: 5000, warmupMs: 1000, connections: 100, highConnections: 1000, upstreamLatencyMs: 100 });
    expect(readTalkLoad({ BENCH_TALK_DURATION: '1.5', BENCH_TALK_CONNECTIONS: '20' })).toMatchObject({ durationMs: 1500, connections: 20 });
    expect(() => readTalkLoad({ BENCH_TALK_DURATION: '0' })).toThrow('Expected `BENCH_TALK_DURATION` to be a positive number, got `0`.');
  });

  it("computes Little's bound", () => {
    expect(littlesBound(1000, 100)).toBe(10_000);
  });
});

describe('evaluateTargets', () => {
  it('reports PASS and MISS against each target from the rows that ran', () => {
    const rows = [
      row('external-high', 9500, { connections: 1000 }),
      row('memory', 500, { group: '5', measurement: measurement(500, { rssPeakMb: 180 }) }),
      row('per-request-client', 2000, { connections: 1000 }, 'naive'),
      row('json', 8000),
      row('minimal-hono', 10_000, {}, 'reference'),
    ];
    const targets = evaluateTargets(rows, load);
    expect(targets.map((t) => [t.name, t.pass])).toEqual([
      ['generated /external at 1000 connections', true],
      ['shared client vs client per request', true],
      ['generated /json vs minimal Hono app', false],
      ['RSS with 1000 requests waiting on the upstream', false],
    ]);
    expect(targets[0]!.actual).toBe('9,500 req/s = 0.95x');
    expect(targets[1]!.actual).toBe('4.75x (9,500 req/s vs 2,000 req/s)');
    expect(targets[3]!.actual).toBe('180 MB peak');
  });

  it('leaves out targets whose rows did not run', () => {
    expect(evaluateTargets([row('json', 1), row('minimal-hono', 1)], load).map((t) => t.name)).toEqual([
      'generated /json vs minimal Hono app',
    ]);
  });
});

describe('warmupFor', () => {
  it('lengthens the warm-up only for more connections than a listen backlog holds', () => {
    expect(warmupFor(100, 1000)).toBe(1000);
    expect(warmupFor(1000, 1000)).toBe(3000);
    expect(warmupFor(1000, 5000)).toBe(5000);
  });
});
