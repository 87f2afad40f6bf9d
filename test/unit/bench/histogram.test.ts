import { describe, expect, it } from 'vitest';
import { bucketHighestValue, bucketIndexOf, LatencyHistogram } from '../../../src/bench/engine/histogram.js';

describe('LatencyHistogram', () => {
  it('keeps every value below 2048 µs exactly', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 1000; v++) h.record(v);
    expect(h.summary()).toMatchObject({ count: 1000, min: 1, max: 1000, p50: 500, p90: 900, p99: 990, p999: 999 });
    expect(h.summary().mean).toBeCloseTo(500.5, 6);
  });

  it('maps values to buckets at most 1/1024 wide, each value inside its own bucket', () => {
    for (const v of [2047, 2048, 2049, 4095, 4096, 123_456, 1_000_000, 3_600_000_000, 0xffff_ffff]) {
      const i = bucketIndexOf(v);
      expect(bucketHighestValue(i)).toBeGreaterThanOrEqual(v);
      expect(i === 0 || bucketHighestValue(i - 1) < v).toBe(true);
      expect((bucketHighestValue(i) - v) / v).toBeLessThan(1 / 1024);
    }
  });

  it('reports percentiles within 0.1 % and never above max', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 100_000; v++) h.record(v * 10);
    expect(h.percentile(50) / 500_000).toBeCloseTo(1, 2);
    expect(h.percentile(99.9) / 999_000).toBeCloseTo(1, 2);
    expect(h.percentile(100)).toBe(1_000_000);
  });

  it('merges exactly: two halves equal the whole', () => {
    const whole = new LatencyHistogram();
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 0; i < 5000; i++) {
      const v = (i * 7919) % 250_000;
      whole.record(v);
      (i % 2 === 0 ? a : b).record(v);
    }
    const merged = LatencyHistogram.fromData(JSON.parse(JSON.stringify(a.toJSON())));
    merged.merge(b.toJSON());
    expect(merged.toJSON()).toEqual(whole.toJSON());
    expect(merged.summary()).toEqual(whole.summary());
  });

  it('counts values at or above a threshold and summarises an empty histogram as zeros', () => {
    const h = new LatencyHistogram();
    expect(h.summary()).toMatchObject({ count: 0, min: 0, max: 0, p99: 0, mean: 0 });
    for (const v of [10, 20, 30, 1_000_000]) h.record(v);
    expect(h.countAtOrAbove(20)).toBe(3);
    expect(h.countAtOrAbove(500_000)).toBe(1);
  });
});
