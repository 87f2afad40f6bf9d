import chalk from 'chalk';
import { beforeAll, describe, expect, it } from 'vitest';
import { findBottleneck, saturationSignals } from '../../../src/bench/capacity/bottleneck.js';
import { recommendSettings } from '../../../src/bench/capacity/recommend.js';
import type { CapacityResult } from '../../../src/bench/capacity/types.js';
import { formatCapacity } from '../../../src/bench/report/format-capacity.js';
import type { BenchReport } from '../../../src/bench/report/format-report.js';
import { openResult, step } from './capacity-fixtures.js';

beforeAll(() => {
  chalk.level = 0;
});

describe('the bottleneck (bottleneck.ts)', () => {
  it('names the upstream queue when calls wait for a connection near the knee, with its figures', () => {
    const steps = [
      step(60, true, { inside: { scrapes: 3, upstreamPendingMax: 0, upstreamRunningMax: 6 }, cpuCores: 0.1 }),
      step(95, true, { inside: { scrapes: 3, upstreamPendingMax: 0, upstreamRunningMax: 10 }, cpuCores: 0.15 }),
      step(110, false, { inside: { scrapes: 3, upstreamPendingMax: 14, upstreamRunningMax: 10, shed: 30 }, cpuCores: 0.16 }),
    ];
    expect(findBottleneck(steps, 500)).toEqual({
      resource: 'upstream-queue',
      evidence: 'at 110 req/s up to 14 upstream calls waited for a connection (10 running), 30 requests shed with 503.',
    });
  });

  it('does not take calls waiting while new connections open for a full pool, when the pool size is known', () => {
    const bursty = [step(300, true, { inside: { scrapes: 3, upstreamPendingMax: 4, upstreamRunningMax: 60 } })];
    expect(findBottleneck(bursty, 500, 100).resource).toBe('unknown');
    expect(findBottleneck(bursty, 500).resource).toBe('upstream-queue'); // --url: the pool size is unknown
  });

  it('takes every upstream connection busy for a full pool, and a lagging loop in an idle process for a starved one', () => {
    const full = step(300, false, {
      cpuCores: 0.33,
      inside: { scrapes: 3, upstreamPendingMax: 0, upstreamRunningMax: 100, eventLoopDelayP99Ms: 82 },
    });
    expect(findBottleneck([full], 500, 100)).toEqual({
      resource: 'upstream-queue',
      evidence: 'at 300 req/s all 100 upstream connections were busy and up to 0 upstream calls waited for a connection (100 running).',
    });
  });

  it('prefers the CPU to the event loop it explains, and ignores signs far below the knee (noise)', () => {
    const steps = [
      step(20, true, { inside: { scrapes: 3, eventLoopDelayP99Ms: 80 }, cpuCores: 0.2 }), // a neighbour's burst
      step(90, true, { inside: { scrapes: 3, eventLoopDelayP99Ms: 5 }, cpuCores: 0.6 }),
      step(100, false, { inside: { scrapes: 3, eventLoopDelayP99Ms: 90 }, cpuCores: 0.97 }),
    ];
    const bottleneck = findBottleneck(steps, 100);
    expect(bottleneck.resource).toBe('cpu');
    expect(bottleneck.evidence).toBe('at 100 req/s the server used 97% of a core; also the event loop lagged 90 ms (p99).');
  });

  it('names the DB pool when queries wait for a client, the event loop when it lags without a known CPU', () => {
    expect(saturationSignals(step(50, false, { inside: { scrapes: 2, dbPoolWaitP99Ms: 40, dbPoolWaitingMax: 12 } }), 500)[0]).toMatchObject(
      {
        resource: 'db-pool',
      },
    );
    expect(findBottleneck([step(50, false, { inside: { scrapes: 2, eventLoopDelayP99Ms: 120 } })], 500).resource).toBe('event-loop');
  });

  it('says so when nothing saturated, or when only the generator fell behind', () => {
    expect(findBottleneck([step(50, true, { cpuCores: 0.3 }), step(60, false, { cpuCores: 0.3 })], 500)).toMatchObject({
      resource: 'unknown',
      evidence: expect.stringMatching(/^up to 60 req\/s neither CPU, event loop, DB pool wait nor the upstream queue showed saturation/),
    });
    expect(findBottleneck([step(50, true), step(60, false, { generatorOk: false })], 500).resource).toBe('load-generator');
    expect(findBottleneck([step(50, true)], 500).evidence).toBe('the server exposes neither a process to sample nor /metrics to read.');
  });
});

describe("recommendations by Little's law (recommend.ts)", () => {
  const low = step(50, true, { inside: { scrapes: 3, upstreamCalls: { count: 150, meanMs: 100 }, dbQueries: { count: 150, meanMs: 2 } } });

  it('sizes the upstream pool for what one process carries on its CPU, from the call time without load', () => {
    const atCapacity = step(99, true, {
      completed: 297,
      cpuCores: 0.11,
      cpuMsPerRequest: 1,
      inside: { scrapes: 4, upstreamCalls: { count: 297, meanMs: 130 } },
    });
    const [upstream, workers] = recommendSettings({
      atCapacity,
      atLowLoad: low,
      bottleneck: { resource: 'upstream-queue', evidence: '' },
      current: { upstreamConnections: 10 },
      cores: 2,
    });
    // 800 req/s (80 % of a core at 1 ms a request) x 1 call x 0.1 s x 1.2 = 96.
    expect(upstream).toMatchObject({ setting: 'UPSTREAM_CONNECTIONS', value: 96, current: 10 });
    expect(upstream!.why).toContain('99 x 1 x 0.100 s = 9.9 connections busy — the pool of 10 was full');
    expect(upstream!.why).toContain('800 x 1 x 0.100 s x 1.2 headroom = 96');
    expect(workers).toMatchObject({ setting: '--workers', value: 1 });
    expect(workers!.why).toMatch(/^the CPU was not the limit \(11% of a core at 99 req\/s\)/);
    const [roomier] = recommendSettings({
      atCapacity,
      atLowLoad: low,
      bottleneck: { resource: 'upstream-queue', evidence: '' },
      current: { upstreamConnections: 100 },
      cores: 2,
    });
    expect(roomier!.why).toContain('the pool of 100 was not full on average, calls waited for a connection in bursts');
  });

  it('sizes the DB pool from query time, but not past a saturated database; one worker per core when CPU-bound', () => {
    const busyDb = step(200, true, { completed: 600, cpuMsPerRequest: 2, inside: { scrapes: 4, dbQueries: { count: 600, meanMs: 20 } } });
    const [db] = recommendSettings({
      atCapacity: busyDb,
      atLowLoad: low,
      bottleneck: { resource: 'db-pool', evidence: '' },
      current: { dbPoolMax: 10 },
      cores: 2,
    });
    // The query took 2 ms at low load and 20 ms at capacity: the database ran 200 x 1 x 0.020 = 4 at once; x 1.2 → 5.
    expect(db).toMatchObject({ setting: 'DB_POOL_MAX', value: 5, current: 10 });
    expect(db!.why).toMatch(/the database itself is saturated/);
    const fineDb = step(200, true, {
      completed: 600,
      cpuMsPerRequest: 4,
      cpuCores: 0.9,
      inside: { scrapes: 4, dbQueries: { count: 1200, meanMs: 2.5 } },
    });
    const [db2, workers] = recommendSettings({
      atCapacity: fineDb,
      atLowLoad: low,
      bottleneck: { resource: 'cpu', evidence: '' },
      current: {},
      cores: 4,
    });
    // 200 req/s on 80 % of a core (4 ms each) x 2 queries x 2.5 ms x 1.2 = 1.2 → 2.
    expect(db2).toMatchObject({ setting: 'DB_POOL_MAX', value: 2 });
    expect(db2).not.toHaveProperty('current');
    expect(workers).toMatchObject({ setting: '--workers', value: 4 });
  });
});

describe('the capacity section of the text report (format-capacity.ts)', () => {
  it('prints the rate, the SLO, the steps, why the next rate broke, the bottleneck and each setting', () => {
    const capacity: CapacityResult = {
      rate: 98,
      p99Ms: 120.5,
      converged: true,
      failedRate: 101,
      bottleneck: { resource: 'upstream-queue', evidence: 'at 101 req/s up to 9 upstream calls waited.' },
      recommendations: [{ setting: 'UPSTREAM_CONNECTIONS', value: 96, current: 10, why: 'Little.' }],
      slo: { p99Ms: 500, errorShare: 0.001 },
      steps: [step(undefined, undefined, { goodputRps: 91 }), step(98, true), step(101, false, { reasons: ['errors 2.00% > 0.10%'] })],
      elapsedMs: 30_000,
    };
    const report: BenchReport = {
      schema: 'asyncsrv-bench/1',
      startedAt: '2026-01-01T00:00:00.000Z',
      target: 'http://127.0.0.1:3000',
      load: { connections: 50, pipelining: 1, workers: 1, warmupMs: 0 },
      partial: false,
      scenarios: [{ name: 'external', paths: ['/external'], result: openResult(98, [[100]]), capacity }],
    };
    expect(formatCapacity(report)).toBe(
      [
        'capacity of external: 98 req/s at p99 120.5 ms, 101 req/s did not',
        '  SLO p99 <= 500 ms, errors <= 0.10%; 3 steps in 30 s: probe 91/s, 98 ok, 101 x',
        '  101 req/s broke it: errors 2.00% > 0.10%',
        '  bottleneck: upstream queue, at 101 req/s up to 9 upstream calls waited.',
        '  UPSTREAM_CONNECTIONS=96 (now 10): Little.',
        '',
      ].join('\n'),
    );
  });
});
