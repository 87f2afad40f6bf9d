import type { OverheadConfig, Scenario } from './types.js';

type Env = Record<string, string | undefined>;

function positive(env: Env, name: string, fallback: number, integer: boolean): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`Expected \`${name}\` to be a positive ${integer ? 'integer' : 'number'}, got \`${raw}\`.`);
  }
  return value;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === '1' || raw === '0') return raw === '1';
  throw new Error(`Expected \`${name}\` to be 1 or 0, got \`${raw}\`.`);
}

/**
 * The run's shape from the environment: BENCH_OVERHEAD_ROUNDS (default 3) and
 * BENCH_OVERHEAD_DURATION (seconds per wrk run, default 5). The middleware ladder runs as many
 * rounds of at most 2 s each; the waiting-RSS bursts hold 1000 requests on a 2 s upstream.
 * BENCH_OVERHEAD_INSTRUCTIONS=0 skips the instruction counts under callgrind (about 6 minutes).
 */
export function readOverheadConfig(env: Env): OverheadConfig {
  const durationSeconds = positive(env, 'BENCH_OVERHEAD_DURATION', 5, false);
  return {
    rounds: positive(env, 'BENCH_OVERHEAD_ROUNDS', 3, true),
    durationSeconds,
    warmupSeconds: Math.min(2, durationSeconds),
    ladderSeconds: Math.min(2, durationSeconds),
    upstreamLatencyMs: 100,
    waitingLatencyMs: 2000,
    waitingRequests: 1000,
    instructions: onOff(env, 'BENCH_OVERHEAD_INSTRUCTIONS', true),
  };
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 'json', path: '/json', connections: 50, threads: 1 },
  { id: 'external', path: '/external', connections: 1000, threads: 2 },
];

/**
 * Rotates the contenders each round (A B C, B C A, C A B…): every one alternates with the others,
 * and none always runs first after a pause or last after two loaded runs.
 */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const shift = round % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}
