import { describe, expect, it } from 'vitest';
import { parseProcessUsage, readProcessUsage, summariseUsage } from '../../../src/bench/target/process-usage.js';

describe('parseProcessUsage', () => {
  it('reads utime+stime ticks and VmRSS, with a command name holding spaces and parentheses', () => {
    const stat = '4242 (node (vitest 1)) S 1 4242 4242 0 -1 4194560 5000 0 0 0 250 50 0 0 20 0 11 0 100 1000000 20000';
    const status = 'Name:\tnode\nVmPeak:\t  900000 kB\nVmRSS:\t   51200 kB\nThreads:\t11\n';
    expect(parseProcessUsage(stat, status)).toEqual({ cpuSeconds: 3, rssBytes: 51200 * 1024 });
  });
});

describe('readProcessUsage and summariseUsage', () => {
  it('reads this process, and summarises samples into peak RSS and CPU cores', async () => {
    const usage = await readProcessUsage(process.pid);
    expect(usage?.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(await readProcessUsage(2 ** 22 + 1)).toBeUndefined();
    expect(
      summariseUsage([
        { atMs: 0, rssBytes: 100, cpuSeconds: 1 },
        { atMs: 1000, rssBytes: 300, cpuSeconds: 1.5 },
        { atMs: 2000, rssBytes: 200, cpuSeconds: 2 },
      ]),
    ).toEqual({ rssPeakBytes: 300, rssLastBytes: 200, cpuSeconds: 1, cpuCores: 0.5 });
    expect(summariseUsage([])).toBeUndefined();
  });
});
