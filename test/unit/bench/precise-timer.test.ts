import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createTimeoutWaker, startClockWaker, WakeMargin } from '../../../src/bench/engine/precise-timer.js';

describe('WakeMargin', () => {
  it('settles near the 90th percentile of wake lateness, plus 0.05 ms', () => {
    const margin = new WakeMargin(0.01, 5);
    // Lateness 0.00, 0.01, …, 0.99 ms in a shuffled but fixed order: the p90 is 0.9 ms.
    const values = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) / 100);
    for (let round = 0; round < 200; round++) for (const v of values) margin.observe(v);
    expect(margin.ms).toBeGreaterThan(0.85 + 0.05);
    expect(margin.ms).toBeLessThan(0.95 + 0.05);
  });

  it('stays within its bounds', () => {
    const low = new WakeMargin(0.1, 1);
    for (let i = 0; i < 1_000; i++) low.observe(0);
    expect(low.ms).toBe(0.1);
    const high = new WakeMargin(0.1, 1);
    for (let i = 0; i < 1_000; i++) high.observe(20);
    expect(high.ms).toBe(1);
  });
});

describe('startClockWaker', () => {
  it('wakes this thread at the time asked for, never early, far closer than a timer, and only for the latest request', async () => {
    const asked: number[] = [];
    const wakes: number[] = [];
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => (done = resolve));
    const next = (): void => {
      const at = performance.now() + 2.3;
      asked.push(at);
      waker.wakeAt(at);
    };
    const waker = await startClockWaker(() => {
      wakes.push(performance.now());
      if (wakes.length < 21) next();
      else done();
    });
    try {
      waker.wakeAt(performance.now() + 1); // replaced before it is due: must not wake
      next();
      await finished;
    } finally {
      waker.close();
    }
    expect(wakes).toHaveLength(asked.length);
    const late = wakes.map((at, i) => at - asked[i]!).sort((a, b) => a - b);
    expect(late[0]).toBeGreaterThanOrEqual(0);
    // setTimeout is up to a millisecond off either way; the clock thread's median wake is far closer.
    expect(late[10]).toBeLessThan(0.5);
  });
});

describe('createTimeoutWaker (the fallback without threads)', () => {
  it('wakes once, within its margin before the time asked for or later, and not at all once replaced or closed', async () => {
    const wakes: number[] = [];
    const waker = createTimeoutWaker(() => wakes.push(performance.now()));
    const at = performance.now() + 30;
    waker.wakeAt(performance.now() + 5); // replaced
    waker.wakeAt(at);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(wakes).toHaveLength(1);
    expect(wakes[0]!).toBeGreaterThanOrEqual(at - waker.marginMs - 1);
    waker.wakeAt(performance.now() + 5);
    waker.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(wakes).toHaveLength(1);
  });
});
