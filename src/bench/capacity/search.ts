import type { CapacityOptions, CapacityStep, StepPhase } from './types.js';

/**
 * The search for the highest rate a scenario sustains, as plain arithmetic on the steps so far.
 *
 * Like k6's ramping-arrival-rate executor it offers a rate on an open-model schedule, whatever
 * the answers do; like wrk2 it judges latency from each request's intended send time, so a
 * server that falls behind cannot hide it. The probe (a closed-loop run) says roughly where the
 * knee is; the coarse search climbs from 60 % of the probe's goodput by 25 % a step (faster once
 * past the probe: a closed loop with few connections under-reads a slow route) until a step
 * fails, or halves down until one passes; the fine search then halves the gap, geometrically,
 * until the first failing rate is within `resolution` of the last passing one. A failing step at
 * the edge, or one that failed by a little, is run once more before it counts: on a shared machine
 * noise only ever adds latency.
 */

export interface NextStep {
  rate: number;
  phase: StepPhase;
}

/** The highest rate that passed and the lowest one above it that failed (a rate passes when any of its runs did). */
export function bracket(steps: readonly CapacityStep[]): { pass: number | undefined; fail: number | undefined } {
  const rated = steps.filter((s): s is CapacityStep & { rate: number } => s.rate !== undefined && s.passed !== undefined);
  const passing = new Set(rated.filter((s) => s.passed).map((s) => s.rate));
  const pass = passing.size > 0 ? Math.max(...passing) : undefined;
  const failing = rated.filter((s) => !passing.has(s.rate) && (pass === undefined || s.rate > pass)).map((s) => s.rate);
  return { pass, fail: failing.length > 0 ? Math.min(...failing) : undefined };
}

/** A rate a person can read: whole numbers from 10 req/s, one decimal below. */
export function roundRate(rate: number): number {
  return rate >= 10 ? Math.round(rate) : Math.max(0.1, Math.round(rate * 10) / 10);
}

/** The next step of the search, or undefined when it has converged. Pure. */
export function nextStep(steps: readonly CapacityStep[], options: Pick<CapacityOptions, 'resolution'>): NextStep | undefined {
  const probe = steps.find((s) => s.phase === 'probe');
  const { pass, fail } = bracket(steps);
  if (pass === undefined && fail === undefined) return { rate: roundRate(Math.max(1, (probe?.goodputRps ?? 10) * 0.6)), phase: 'coarse' };
  if (pass === undefined) {
    const first = steps.filter((s) => s.rate === fail);
    if (first.length === 1 && first[0]!.marginal === true) return { rate: fail!, phase: 'repeat' };
    // Down by half, or by a fifth when the failures were marginal (just over the objective).
    const lower = roundRate(fail! * (first.every((s) => s.marginal === true) ? 0.8 : 0.5));
    return lower < fail! && fail! > 0.2 ? { rate: lower, phase: 'coarse' } : undefined;
  }
  if (fail === undefined) {
    // The gradient idea (Netflix's concurrency limits): while the p99 stays within 1.5x of the lowest
    // rate's, no line is building and the knee is far, so climb by 2x; near a trusted probe's rate, or
    // once latency grows, by 25 % (60 % past the probe). A probe whose answers were mostly refused
    // (503s from admission control) under-reads the capacity: it is not trusted.
    const passing = steps.filter((s) => s.passed && s.rate !== undefined);
    const top = passing.filter((s) => s.rate === pass).reduce((a, b) => (b.p99Ms < a.p99Ms ? b : a));
    const lowest = passing.reduce((a, b) => (b.rate! < a.rate! ? b : a));
    const roomy = top.growthMs === 0 && top.p99Ms <= Math.max(lowest.p99Ms * 1.5, lowest.p99Ms + 1);
    const trusted = probe !== undefined && probe.errorShare <= 0.1;
    const nearProbe = trusted && pass >= probe.goodputRps * 0.5 && pass <= probe.goodputRps * 1.3;
    const factor = nearProbe ? 1.25 : roomy ? 2 : pass > (probe?.goodputRps ?? 0) ? 1.6 : 1.25;
    return { rate: roundRate(pass * factor), phase: 'coarse' };
  }
  const runsAtFail = steps.filter((s) => s.rate === fail);
  // A failure counts once it happened twice when it is at the edge (within 15 %) or marginal.
  const doubtful = runsAtFail.length === 1 && (fail / pass <= 1.15 || runsAtFail[0]!.marginal === true);
  if (doubtful && fail / pass > 1 + options.resolution / 2) return { rate: fail, phase: 'repeat' };
  if (fail / pass <= 1 + options.resolution) return undefined;
  const middle = roundRate(Math.sqrt(pass * fail));
  return middle > pass && middle < fail ? { rate: middle, phase: 'fine' } : undefined;
}
