import { LatencyHistogram, type LoadResult } from '../engine/index.js';
import type { ServerFigures } from '../server-metrics/index.js';
import type { CapacityOptions, CapacityStep, StepPhase } from './types.js';

/** What one step measured, before it is judged. */
export interface StepMeasurement {
  phase: StepPhase;
  result: LoadResult;
  /** The server's CPU over the step, from /proc, when its pid is known. */
  usage?: { cpuSeconds: number; cpuCores: number };
  inside?: ServerFigures;
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Growth of the median latency over a step (ms): from the first full second to the last, counted
 * only when the middle second(s) climb too, so that one noisy second is not taken for a queue that
 * keeps growing. An open-model step above capacity builds a line that grows every second; a short
 * step can keep its p99 under the SLO while that happens, so the search also looks at this.
 */
export function medianGrowthMs(result: LoadResult): number {
  const full = Math.floor((result.windowMs ?? result.elapsedMs) / 1000);
  const medians = (result.latencyPerSecond ?? [])
    .slice(0, full)
    .map((data) => (data.count > 0 ? LatencyHistogram.fromData(data).percentile(50) / 1000 : undefined))
    .filter((v): v is number => v !== undefined);
  if (medians.length < 3) return 0;
  const third = Math.max(1, Math.floor(medians.length / 3));
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const first = mean(medians.slice(0, third));
  const middle = mean(medians.slice(third, medians.length - third));
  const last = mean(medians.slice(-third));
  return middle > first && last > middle ? round(last - first) : 0;
}

/** Measures and judges one step against the SLO. Pure. */
export function judgeStep(measured: StepMeasurement, options: Pick<CapacityOptions, 'sloP99Ms' | 'sloErrorShare'>): CapacityStep {
  const { result, inside, usage, phase } = measured;
  const latency = LatencyHistogram.fromData(result.latency);
  const transportErrors = Object.values(result.errors).reduce((a, b) => a + b, 0);
  const bad = Object.entries(result.statusCounts)
    .filter(([status]) => Number(status) >= 400)
    .reduce((sum, [, n]) => sum + n, 0);
  const ended = result.completed + transportErrors;
  const seconds = (result.windowMs ?? result.elapsedMs) / 1000;
  const good = result.completed - bad;
  const cpuSeconds = usage?.cpuSeconds ?? inside?.cpuSeconds;
  const cpuCores = usage?.cpuCores ?? (inside?.cpuSeconds !== undefined && seconds > 0 ? inside.cpuSeconds / seconds : undefined);
  const step: CapacityStep = {
    phase,
    goodputRps: round(seconds > 0 ? good / seconds : 0, 1),
    completed: result.completed,
    p50Ms: round(latency.percentile(50) / 1000),
    p99Ms: round(latency.percentile(99) / 1000),
    errorShare: ended > 0 ? round((transportErrors + bad) / ended, 5) : 1,
    growthMs: medianGrowthMs(result),
    generatorOk: true,
    reasons: [],
  };
  if (result.rate !== undefined) step.rate = result.rate;
  // The corrected latency already counts the generator's lag; it invalidates a step only when it
  // takes half the objective (the engine's own 10 ms bound is for a single measurement).
  const lagP99Ms = result.sendLag ? LatencyHistogram.fromData(result.sendLag).percentile(99) / 1000 : 0;
  if (lagP99Ms > options.sloP99Ms / 2) step.generatorOk = false;
  if (cpuCores !== undefined) step.cpuCores = round(cpuCores);
  if (cpuSeconds !== undefined && result.completed > 0) step.cpuMsPerRequest = round((cpuSeconds * 1000) / result.completed, 3);
  if (inside) step.inside = inside;
  if (phase === 'probe') return step;
  const reasons: string[] = [];
  if (!step.generatorOk) reasons.push(`the load generator fell behind its schedule (p99 send lag ${lagP99Ms.toFixed(1)} ms)`);
  if (ended === 0) reasons.push('no request ended');
  const slow = step.p99Ms > options.sloP99Ms;
  const failing = step.errorShare > options.sloErrorShare;
  const growing = step.growthMs > options.sloP99Ms / 4;
  if (slow) reasons.push(`p99 ${step.p99Ms} ms > ${options.sloP99Ms} ms`);
  if (failing) reasons.push(`errors ${(step.errorShare * 100).toFixed(2)}% > ${(options.sloErrorShare * 100).toFixed(2)}%`);
  if (growing) reasons.push(`the median latency kept growing (+${step.growthMs} ms over the step): a line builds up`);
  step.passed = reasons.length === 0;
  if (!step.passed) step.marginal = !step.generatorOk || (!failing && !growing && step.p99Ms <= options.sloP99Ms * 1.5);
  step.reasons = reasons;
  return step;
}
