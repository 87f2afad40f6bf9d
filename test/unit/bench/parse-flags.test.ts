import { describe, expect, it } from 'vitest';
import { createFaultSchedule, parseDuration, parseFaultSpec, parsePercent, type UpstreamFault } from '../../../src/bench/parse-flags.js';
import { UsageError } from '../../../src/util/errors.js';

describe('parseDuration', () => {
  it.each([
    ['100ms', 100],
    ['3s', 3000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['250us', 0.25],
    [' 10ms ', 10],
  ])('%s → %d ms', (raw, ms) => {
    expect(parseDuration(raw, '--duration')).toBe(ms);
  });

  it.each(['10', 'ten', '-5s', '5 s', '', '1h'])('refuses %j with one usage line', (raw) => {
    expect(() => parseDuration(raw, '--duration')).toThrow(UsageError);
    expect(() => parseDuration(raw, '--duration')).toThrow(
      `Expected \`--duration\` to be a duration like 100ms, 3s or 1m, got \`${raw}\`.`,
    );
  });
});

describe('parsePercent', () => {
  it('reads percentages as shares', () => {
    expect(parsePercent('5%', 'x')).toBe(0.05);
    expect(parsePercent('0.5%', 'x')).toBe(0.005);
    expect(() => parsePercent('150%', 'x')).toThrow(UsageError);
    expect(() => parsePercent('5', 'x')).toThrow(UsageError);
  });
});

describe('parseFaultSpec', () => {
  it('reads the documented example', () => {
    expect(parseFaultSpec('slow:3s@5%,error:500@1%,reset@1%')).toEqual([
      { kind: 'slow', delayMs: 3000, share: 0.05 },
      { kind: 'error', status: 500, share: 0.01 },
      { kind: 'reset', share: 0.01 },
    ]);
  });

  it.each([
    ['slow@5%', /slow:<duration>@<percent>/],
    ['error:200@1%', /error:<4xx\|5xx>/],
    ['reset:1@1%', /reset@<percent>/],
    ['error:500', /end with @<percent>/],
    ['slow:3s@60%,error:500@50%', /add up to 100% at most, got 110\.0%/],
    ['explode@1%', /got `explode@1%`/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseFaultSpec(raw)).toThrow(message);
  });
});

describe('createFaultSchedule', () => {
  const faults: UpstreamFault[] = [
    { kind: 'slow', delayMs: 3000, share: 0.05 },
    { kind: 'error', status: 500, share: 0.01 },
    { kind: 'reset', share: 0.01 },
  ];
  const run = (schedule: UpstreamFault[], count: number) => {
    const next = createFaultSchedule(schedule);
    return Array.from({ length: count }, () => next()?.kind);
  };

  it('hits each fault on its share: within one request in every prefix', () => {
    const kinds = run(faults, 10_000);
    for (const n of [100, 1_000, 3_333, 10_000]) {
      const prefix = kinds.slice(0, n);
      for (const fault of faults) {
        expect(Math.abs(prefix.filter((kind) => kind === fault.kind).length - n * fault.share)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('strikes exactly every tenth request for 10 %, and is the same every run', () => {
    const kinds = run([{ kind: 'reset', share: 0.1 }], 100);
    expect(kinds.flatMap((kind, i) => (kind ? [i + 1] : []))).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(run(faults, 500)).toEqual(run(faults, 500));
  });

  it('never faults with no faults configured', () => {
    expect(run([], 50).every((kind) => kind === undefined)).toBe(true);
  });
});
