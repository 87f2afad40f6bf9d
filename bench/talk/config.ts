import type { TalkLoad } from './types.js';

type Env = Record<string, string | undefined>;

function positive(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Expected \`${name}\` to be a positive number, got \`${raw}\`.`);
  return value;
}

/**
 * The load of every row, from the environment: BENCH_TALK_DURATION (seconds per row, default 5),
 * BENCH_TALK_WARMUP (seconds, default 1), BENCH_TALK_CONNECTIONS (default 100) and
 * BENCH_TALK_HIGH_CONNECTIONS (the Little's-law and memory rows, default 1000).
 */
export function readTalkLoad(env: Env): TalkLoad {
  return {
    durationMs: Math.round(positive(env, 'BENCH_TALK_DURATION', 5) * 1000),
    warmupMs: Math.round(positive(env, 'BENCH_TALK_WARMUP', 1) * 1000),
    connections: Math.round(positive(env, 'BENCH_TALK_CONNECTIONS', 100)),
    highConnections: Math.round(positive(env, 'BENCH_TALK_HIGH_CONNECTIONS', 1000)),
    upstreamLatencyMs: 100,
  };
}

/** Little's law: with every request waiting `latencyMs`, `connections` in flight give at most this many per second. */
export function littlesBound(connections: number, latencyMs: number): number {
  return connections / (latencyMs / 1000);
}

/**
 * A thousand new connections at once overflow a listen backlog (Node's 511), and the dropped SYNs
 * retry after 1 s and 3 s, inbound and to the upstream: warm up long enough that the measured
 * run finds every pool connected.
 */
export function warmupFor(connections: number, warmupMs: number): number {
  return connections > 511 ? Math.max(warmupMs, 3000) : warmupMs;
}

export type TalkSection = 'table' | 'overload';
const sections: readonly TalkSection[] = ['table', 'overload'];

/** Which sections run: both, or the one BENCH_TALK_ONLY names (`table` or `overload`), for development. */
export function readTalkSections(env: Env): ReadonlySet<TalkSection> {
  const raw = env.BENCH_TALK_ONLY;
  if (raw === undefined || raw === '') return new Set(sections);
  const only = sections.find((section) => section === raw);
  if (!only) throw new Error(`Expected \`BENCH_TALK_ONLY\` to be one of ${sections.map((s) => `\`${s}\``).join(', ')}, got \`${raw}\`.`);
  return new Set([only]);
}

/** Offered loads of the overload section, as multiples of the server's capacity. */
export const OVERLOAD_FACTORS: readonly number[] = [0.5, 1, 1.5, 2, 3];
/** The client pool of the overload section: small, so capacity (pool / upstream latency) sits far below the CPU's limit. */
export const OVERLOAD_UPSTREAM_CONNECTIONS = 10;
