import { describe, expect, it } from 'vitest';
import {
  firstNotDue,
  intendedOffsetMs,
  openPlan,
  plannedRequests,
  scheduleWindowMs,
  shareCount,
} from '../../../src/bench/engine/open-schedule.js';

describe('plannedRequests', () => {
  it.each([
    [200, 8_000, 1_600],
    [80, 10_000, 800],
    [1_000, 3_000, 3_000],
    [0.1, 30_000, 3], // 0.1 x 30 is 3.0000000000000004 in floating point
    [3, 1_500, 5], // due at 0, 0.33, 0.67, 1, 1.33 s: all before 1.5 s
    [7, 100, 1], // only the request at 0 s
  ])('%d req/s for %d ms is %d requests', (rate, durationMs, expected) => {
    expect(plannedRequests(rate, durationMs)).toBe(expected);
  });
});

describe('shareCount', () => {
  it('splits any total over any number of threads without losing or adding a request', () => {
    for (let total = 0; total <= 50; total++) {
      for (let stride = 1; stride <= 7; stride++) {
        const counts = Array.from({ length: stride }, (_, offset) => shareCount(total, { offset, stride }));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('the schedule of one thread', () => {
  it('interleaves threads on one global schedule of i / rate', () => {
    const plans = [0, 1, 2].map((offset) => openPlan(300, { offset, stride: 3 }, { durationMs: 100 }));
    const times = plans.flatMap((plan) => Array.from({ length: plan.count }, (_, k) => intendedOffsetMs(plan, k))).sort((a, b) => a - b);
    expect(times).toHaveLength(30);
    times.forEach((t, i) => expect(t).toBeCloseTo((i * 1000) / 300, 9));
  });

  it('schedules exactly rate x duration whatever the clock reads at the start', () => {
    // The engine used to compare (start + i / rate) - start with the duration: for some start
    // times that is 7999.999999999999 < 8000 and one request too many went out.
    const plan = openPlan(200, { offset: 0, stride: 1 }, { durationMs: 8_000 });
    for (const startedAt of [0, 1234.5678, 98_765.4321, 3.3, 1e7 + 0.1]) {
      let scheduled = 0;
      // Step through the run as the engine does, on a 1 ms clock, and well past its end.
      for (let now = startedAt; now <= startedAt + 9_000; now += 1) scheduled = firstNotDue(plan, scheduled, now - startedAt);
      expect(scheduled).toBe(1_600);
    }
  });

  it('counts a request due exactly now as due, and none before its time', () => {
    const plan = openPlan(1_000, { offset: 1, stride: 2 }, { amount: 10 }); // requests 1, 3, 5, 7, 9
    expect(plan.count).toBe(5);
    expect(firstNotDue(plan, 0, 0.999)).toBe(0);
    expect(firstNotDue(plan, 0, 1)).toBe(1);
    expect(firstNotDue(plan, 1, 4.5)).toBe(2);
    expect(firstNotDue(plan, 2, 1e9)).toBe(5);
  });
});

describe('scheduleWindowMs', () => {
  it('is the duration for the thread holding the last request, whatever the drain took', () => {
    const plans = [0, 1].map((offset) => openPlan(80, { offset, stride: 2 }, { durationMs: 8_000 }));
    const windows = plans.map((plan) => scheduleWindowMs(plan, plan.count, 0));
    expect(Math.max(...windows)).toBe(8_000);
    expect(Math.min(...windows)).toBe(8_000 - 1000 / 80);
  });

  it('stretches to the last actual send when the generator sent it late, and covers what an interrupted run scheduled', () => {
    const plan = openPlan(100, { offset: 0, stride: 1 }, { durationMs: 1_000 });
    expect(scheduleWindowMs(plan, plan.count, 1_250)).toBe(1_250);
    expect(scheduleWindowMs(plan, 30, 295)).toBe(300);
    expect(scheduleWindowMs(plan, 0, 0)).toBe(0);
  });
});
