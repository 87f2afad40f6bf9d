import { describe, expect, it } from 'vitest';
import { bracket, nextStep, roundRate } from '../../../src/bench/capacity/search.js';
import { judgeStep, medianGrowthMs } from '../../../src/bench/capacity/judge-step.js';
import type { CapacityStep } from '../../../src/bench/capacity/types.js';
import { openResult, step } from './capacity-fixtures.js';

const slo = { sloP99Ms: 50, sloErrorShare: 0.001 };

/** Runs the search against a pretend server that sustains every rate up to `capacity`, as the runner would. */
function simulate(capacity: number, probe: number, noisyAt: number[] = []): { steps: CapacityStep[]; found: number | undefined } {
  const steps: CapacityStep[] = [step(undefined, undefined, { goodputRps: probe })];
  const noise = [...noisyAt];
  for (let i = 0; i < 40; i++) {
    const next = nextStep(steps, { resolution: 0.05 });
    if (!next) break;
    const noisy = noise.includes(next.rate);
    if (noisy) noise.splice(noise.indexOf(next.rate), 1);
    const passed = next.rate <= capacity && !noisy;
    steps.push(step(next.rate, passed, { phase: next.phase, marginal: noisy }));
  }
  return { steps, found: bracket(steps).pass };
}

describe('the capacity search (search.ts)', () => {
  it('starts at 60% of the probe, climbs by 25%, then halves the gap to within 5%', () => {
    const { steps, found } = simulate(100, 110);
    // 104 fails; 93 passes; 104 is now within 15 % of it, so it runs again before it counts; then 98, and 101 twice.
    expect(steps.map((s) => s.rate)).toEqual([undefined, 66, 83, 104, 93, 104, 98, 101, 101]);
    expect(found).toBeGreaterThanOrEqual(95);
    expect(found).toBeLessThanOrEqual(100);
    const { fail, pass } = bracket(steps);
    expect(fail! / pass!).toBeLessThanOrEqual(1.05);
  });

  it('finds capacities far above a closed-loop probe that had too few connections', () => {
    const { found, steps } = simulate(2_000, 100);
    expect(found! / 2_000).toBeGreaterThan(0.95);
    expect(found!).toBeLessThanOrEqual(2_000);
    expect(steps.length).toBeLessThan(25);
  });

  it("climbs by 2x while the p99 stays near the lowest rate's (no line building), by 25% near a trusted probe", () => {
    const probe = step(undefined, undefined, { goodputRps: 100 });
    expect(nextStep([probe, step(140, true, { p99Ms: 20 })], { resolution: 0.05 })).toEqual({ rate: 280, phase: 'coarse' });
    const growing = [probe, step(60, true, { p99Ms: 10 }), step(140, true, { p99Ms: 20 })];
    expect(nextStep(growing, { resolution: 0.05 })).toEqual({ rate: 224, phase: 'coarse' });
    expect(nextStep([probe, step(80, true, { p99Ms: 20 })], { resolution: 0.05 })).toEqual({ rate: 100, phase: 'coarse' });
    // A probe mostly answered 503 (shedding) under-reads: not trusted, so 2x while there is room.
    const shedding = step(undefined, undefined, { goodputRps: 18, errorShare: 0.87 });
    expect(nextStep([shedding, step(11, true, { p99Ms: 300 })], { resolution: 0.05 })).toEqual({ rate: 22, phase: 'coarse' });
  });

  it('halves down when even the first rate fails, and stops below 0.2 req/s', () => {
    expect(simulate(20, 200).found).toBeGreaterThanOrEqual(19);
    expect(simulate(0, 10).found).toBeUndefined();
  });

  it('runs a failure once more when it is at the edge or marginal, and counts a rate that passed once as passing', () => {
    // 83 fails once by noise (marginal): repeated, passes, the search goes on upwards.
    const { steps, found } = simulate(100, 110, [83]);
    expect(steps.filter((s) => s.rate === 83).map((s) => s.passed)).toEqual([false, true]);
    expect(found).toBeGreaterThanOrEqual(95);
  });

  it('after a marginal failure twice at the first rate, steps down by a fifth rather than half', () => {
    const probe = step(undefined, undefined, { goodputRps: 72 });
    const twice = [probe, step(43, false, { marginal: true }), step(43, false, { marginal: true, phase: 'repeat' })];
    expect(nextStep(twice, { resolution: 0.05 })).toEqual({ rate: 34, phase: 'coarse' });
    expect(nextStep([probe, step(43, false), step(43, false)], { resolution: 0.05 })).toEqual({ rate: 22, phase: 'coarse' });
  });

  it('reads a step list: the highest passing rate and the lowest failing one above it', () => {
    expect(bracket([step(50, true), step(80, false), step(70, true), step(60, false)])).toEqual({ pass: 70, fail: 80 });
    expect(bracket([step(undefined, undefined)])).toEqual({ pass: undefined, fail: undefined });
  });

  it('rounds rates for a reader', () => {
    expect([roundRate(104.4), roundRate(9.44), roundRate(0.01)]).toEqual([104, 9.4, 0.1]);
  });
});

describe('judging a step against the SLO (judge-step.ts)', () => {
  it('passes a steady step and fails a slow one, saying why', () => {
    const steady = judgeStep(
      {
        phase: 'coarse',
        result: openResult(100, [
          [10, 12, 11],
          [11, 10, 12],
          [12, 11, 10],
        ]),
      },
      slo,
    );
    expect(steady).toMatchObject({ rate: 100, passed: true, reasons: [], p99Ms: expect.closeTo(12, 0) });
    const slow = judgeStep(
      {
        phase: 'coarse',
        result: openResult(100, [
          [10, 80],
          [10, 80],
          [10, 80],
        ]),
      },
      slo,
    );
    expect(slow.passed).toBe(false);
    expect(slow.reasons).toEqual([expect.stringMatching(/^p99 80(\.\d+)? ms > 50 ms$/)]);
    expect(slow.marginal).toBe(false); // 80 > 1.5 x 50
  });

  it('fails a step whose errors (503s and timeouts) exceed the share', () => {
    const shed = judgeStep(
      {
        phase: 'fine',
        result: openResult(
          100,
          [
            [5, 5, 5, 5],
            [5, 5, 5, 5],
          ],
          { status503: 2 },
        ),
      },
      slo,
    );
    expect(shed.errorShare).toBe(0.25);
    expect(shed.reasons).toEqual(['errors 25.00% > 0.10%']);
    const timedOut = judgeStep({ phase: 'fine', result: openResult(100, [[5, 5, 5]], { timeouts: 1 }) }, slo);
    expect(timedOut.errorShare).toBe(0.25);
  });

  it('fails a step whose median keeps climbing (a line builds up) although its p99 meets the SLO', () => {
    const climbing = openResult(100, [
      [5, 6, 5],
      [15, 16, 14],
      [30, 31, 29],
    ]);
    expect(medianGrowthMs(climbing)).toBeGreaterThan(20);
    const judged = judgeStep({ phase: 'coarse', result: climbing }, { ...slo, sloP99Ms: 60 });
    expect(judged.p99Ms).toBeLessThan(60);
    expect(judged.passed).toBe(false);
    expect(judged.reasons[0]).toMatch(/the median latency kept growing \(\+2\d\.\d+ ms over the step\)/);
    // One noisy second in the middle is not a growing line.
    expect(medianGrowthMs(openResult(100, [[5], [40], [6]]))).toBe(0);
  });

  it('treats a generator lagging by half the objective as a failure worth repeating, the probe as no verdict', () => {
    const lagging = judgeStep({ phase: 'fine', result: openResult(100, [[5], [5], [5]], { lagMs: 30 }) }, slo);
    expect(lagging).toMatchObject({ generatorOk: false, passed: false, marginal: true });
    const probe = judgeStep({ phase: 'probe', result: { ...openResult(100, [[5], [5]]), model: 'closed' } }, slo);
    expect(probe.passed).toBeUndefined();
  });

  it('takes the server CPU from /proc, or else from its process_cpu_seconds_total', () => {
    const result = openResult(100, [
      [5, 5],
      [5, 5],
    ]);
    const fromProc = judgeStep({ phase: 'coarse', result, usage: { cpuSeconds: 0.4, cpuCores: 0.2 } }, slo);
    expect(fromProc).toMatchObject({ cpuCores: 0.2, cpuMsPerRequest: 100 });
    const fromMetrics = judgeStep({ phase: 'coarse', result, inside: { scrapes: 3, cpuSeconds: 1 } }, slo);
    expect(fromMetrics).toMatchObject({ cpuCores: 0.5, cpuMsPerRequest: 250 });
  });
});
