import { describe, expect, it } from 'vitest';
import { readOverheadConfig, roundOrder, SCENARIOS } from '../../../bench/overhead/config.js';

describe('readOverheadConfig', () => {
  it('takes 3 rounds of 5 s by default and BENCH_OVERHEAD_* overrides', () => {
    expect(readOverheadConfig({})).toEqual({
      rounds: 3,
      durationSeconds: 5,
      warmupSeconds: 2,
      ladderSeconds: 2,
      upstreamLatencyMs: 100,
      waitingLatencyMs: 2000,
      waitingRequests: 1000,
      instructions: true,
    });
    expect(readOverheadConfig({ BENCH_OVERHEAD_INSTRUCTIONS: '0' }).instructions).toBe(false);
    expect(readOverheadConfig({ BENCH_OVERHEAD_ROUNDS: '5', BENCH_OVERHEAD_DURATION: '1.5' })).toMatchObject({
      rounds: 5,
      durationSeconds: 1.5,
      warmupSeconds: 1.5,
      ladderSeconds: 1.5,
    });
  });

  it('refuses nonsense with the variable and the value', () => {
    expect(() => readOverheadConfig({ BENCH_OVERHEAD_ROUNDS: '0' })).toThrow(
      'Expected `BENCH_OVERHEAD_ROUNDS` to be a positive integer, got `0`.',
    );
    expect(() => readOverheadConfig({ BENCH_OVERHEAD_ROUNDS: '1.5' })).toThrow('positive integer');
    expect(() => readOverheadConfig({ BENCH_OVERHEAD_DURATION: 'soon' })).toThrow(
      'Expected `BENCH_OVERHEAD_DURATION` to be a positive number, got `soon`.',
    );
    expect(() => readOverheadConfig({ BENCH_OVERHEAD_INSTRUCTIONS: 'no' })).toThrow(
      'Expected `BENCH_OVERHEAD_INSTRUCTIONS` to be 1 or 0, got `no`.',
    );
  });
});

describe('roundOrder', () => {
  it('rotates who goes first each round', () => {
    expect([0, 1, 2, 3].map((round) => roundOrder(['a', 'b', 'c'], round).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
    expect(roundOrder([], 2)).toEqual([]);
  });
});

describe('SCENARIOS', () => {
  it('loads /json at 50 connections on one wrk thread and /external at 1000 on two', () => {
    expect(SCENARIOS.map((s) => [s.path, s.connections, s.threads])).toEqual([
      ['/json', 50, 1],
      ['/external', 1000, 2],
    ]);
  });
});
