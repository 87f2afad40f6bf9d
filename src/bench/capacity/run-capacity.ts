import { availableParallelism } from 'node:os';
import type { LoadOptions, LoadRequest } from '../engine/index.js';
import { insideFigures, measureLoad, type Measured, type Probes } from '../measure-load.js';
import { summariseUsage } from '../target/process-usage.js';
import { startProgress } from '../../util/progress.js';
import { findBottleneck } from './bottleneck.js';
import { judgeStep } from './judge-step.js';
import { recommendSettings, type CurrentSettings } from './recommend.js';
import { bracket, nextStep } from './search.js';
import type { CapacityOptions, CapacityResult, CapacityStep } from './types.js';

export interface FindCapacityInput {
  name: string;
  requests: LoadRequest[];
  /** The user's load flags: connections (at least), pipelining, workers. */
  load: { connections: number; pipelining: number; workers: number };
  options: CapacityOptions;
  /** This scenario's share of `--max-duration` (ms). */
  budgetMs: number;
  probes: Probes;
  current: CurrentSettings;
}

/** The search's outcome, with the run at the capacity found (or the last run, when none passed) for the report. */
export interface FoundCapacity {
  capacity: CapacityResult;
  run: Measured;
}

/** Connects, sends, drains: a step takes about this much more than its schedule. */
const STEP_OVERHEAD_MS = 1_000;

/**
 * `--find-capacity` for one scenario: a closed-loop probe, then open-model steps chosen by
 * search.ts, each judged against the SLO (judge-step.ts), until the knee is found to the
 * resolution or the budget runs out; then the bottleneck and the recommendations. Prints a line
 * per step. Aborting `signal` ends the search with what it has.
 */
export async function findCapacity(input: FindCapacityInput, signal: AbortSignal): Promise<FoundCapacity> {
  const { options, load } = input;
  const began = Date.now();
  const deadline = began + input.budgetMs;
  const steps: CapacityStep[] = [];
  const runs: Measured[] = [];
  const run = async (rate: number | undefined, phase: CapacityStep['phase']): Promise<CapacityStep> => {
    const label = rate === undefined ? `closed-loop probe, ${load.connections} connections` : `${rate} req/s`;
    const progress = startProgress(`Capacity ${input.name}: ${label}…`);
    // Open model: enough connections that a request answered within the SLO never waits for one (idle ones cost nothing).
    const connections =
      rate === undefined ? load.connections : Math.min(1000, Math.max(load.connections, Math.ceil((rate * options.sloP99Ms) / 1000) + 10));
    const loadOptions: LoadOptions = {
      target: input.requests,
      connections,
      pipelining: load.pipelining,
      workers: Math.min(load.workers, connections),
      duration: options.stepMs,
      ...(rate !== undefined ? { rate } : {}),
    };
    const measured = await measureLoad(loadOptions, input.probes, signal);
    const usage = summariseUsage(measured.usage);
    const inside = insideFigures(measured);
    const step = judgeStep({ phase, result: measured.result, ...(usage ? { usage } : {}), ...(inside ? { inside } : {}) }, options);
    steps.push(step);
    runs.push(measured);
    const figures = `p99 ${step.p99Ms} ms, errors ${(step.errorShare * 100).toFixed(2)}%${step.cpuCores !== undefined ? `, server CPU ${Math.round(step.cpuCores * 100)}%` : ''}`;
    if (step.passed === undefined) progress.succeed(`Capacity ${input.name}: probe ${step.goodputRps} good answers/s, ${figures}.`);
    else if (step.passed) progress.succeed(`Capacity ${input.name}: ${rate} req/s holds (${figures}).`);
    else progress.fail(`Capacity ${input.name}: ${rate} req/s breaks: ${step.reasons.join('; ')}.`);
    return step;
  };

  await run(undefined, 'probe');
  let converged = false;
  for (;;) {
    if (signal.aborted) break;
    const next = nextStep(steps, options);
    if (next === undefined) {
      converged = true;
      break;
    }
    if (Date.now() + options.stepMs + STEP_OVERHEAD_MS > deadline) break;
    // eslint-disable-next-line no-await-in-loop -- each step depends on the verdicts of the steps before it
    await run(next.rate, next.phase);
  }

  const { pass, fail } = bracket(steps);
  // At the rate found, its best run (noise only adds latency); the report shows that run.
  const atRate = steps.map((step, i) => ({ step, i })).filter(({ step }) => step.rate === pass && step.passed);
  const best = atRate.reduce<{ step: CapacityStep; i: number } | undefined>(
    (a, b) => (a === undefined || b.step.p99Ms < a.step.p99Ms ? b : a),
    undefined,
  );
  const lowest = steps.filter((s) => s.passed).sort((a, b) => a.rate! - b.rate!)[0];
  const bottleneck = findBottleneck(steps, options.sloP99Ms, input.current.upstreamConnections);
  const capacity: CapacityResult = {
    rate: pass ?? 0,
    p99Ms: best?.step.p99Ms ?? 0,
    converged,
    ...(fail !== undefined ? { failedRate: fail } : {}),
    bottleneck,
    recommendations: best
      ? recommendSettings({ atCapacity: best.step, atLowLoad: lowest, bottleneck, current: input.current, cores: availableParallelism() })
      : [],
    slo: { p99Ms: options.sloP99Ms, errorShare: options.sloErrorShare },
    steps,
    elapsedMs: Date.now() - began,
  };
  return { capacity, run: runs[best?.i ?? runs.length - 1]! };
}
