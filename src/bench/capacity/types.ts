import type { ServerFigures } from '../server-metrics/index.js';

/** What `--find-capacity` holds a step to: the service level objective and the search's bounds. */
export interface CapacityOptions {
  /** A step passes when its p99 (open model: corrected for coordinated omission) is at most this. */
  sloP99Ms: number;
  /** …and at most this share of its requests failed or were answered 4xx/5xx (0.001 = 0.1 %). */
  sloErrorShare: number;
  /** Length of one step of the search (ms). */
  stepMs: number;
  /** The whole search, every scenario, stays within this (ms). */
  maxDurationMs: number;
  /** The fine search stops when the first failing rate is within this share of the last passing one (0.05 = 5 %). */
  resolution: number;
}

export type StepPhase = 'probe' | 'coarse' | 'fine' | 'repeat';

/** One step's measurements, reduced to what the search, the bottleneck and the recommendations use. */
export interface CapacityStep {
  phase: StepPhase;
  /** Offered rate (req/s); the probe is a closed-loop run and has none. */
  rate?: number;
  /** Good answers (2xx/3xx) per second over the step. */
  goodputRps: number;
  completed: number;
  /** p50 and p99 in ms (open model: from the intended send time). */
  p50Ms: number;
  p99Ms: number;
  /** Failed or 4xx/5xx requests as a share of all requests that ended. */
  errorShare: number;
  /** How much the median latency grew from the first to the last full second (ms): a line that keeps growing. */
  growthMs: number;
  /** False when the load generator fell behind its schedule by more than half the p99 objective: the step measured the generator. */
  generatorOk: boolean;
  /** CPU the server used, in cores (from /proc, else from its process_cpu_seconds_total). */
  cpuCores?: number;
  /** CPU milliseconds the server spent per answered request. */
  cpuMsPerRequest?: number;
  /** What the server's /metrics said during the step. */
  inside?: ServerFigures;
  /** Failed by a little (p99 under 1.5x the objective, nothing else) or because the generator lagged: worth a second run. */
  marginal?: boolean;
  /** Passed the SLO (probe: undefined); the reasons it did not. */
  passed?: boolean;
  reasons: string[];
}

export type Resource = 'cpu' | 'event-loop' | 'db-pool' | 'upstream-queue' | 'load-generator' | 'unknown';

export interface Bottleneck {
  resource: Resource;
  /** One sentence with the figures it rests on. */
  evidence: string;
}

export interface Recommendation {
  /** `DB_POOL_MAX`, `UPSTREAM_CONNECTIONS` or `--workers`. */
  setting: string;
  value: number;
  /** The current value when known. */
  current?: number;
  /** The reasoning, with the measured figures (Little's law: busy slots = arrival rate x time held). */
  why: string;
}

/** The outcome of the search for one scenario. */
export interface CapacityResult {
  /** Highest rate that met the SLO (req/s); 0 when none did. */
  rate: number;
  /** p99 (ms) at that rate. */
  p99Ms: number;
  /** True when the search found the knee to `resolution`; false when time ran out first (then `rate` is a lower bound). */
  converged: boolean;
  /** The lowest rate that failed, when one did. */
  failedRate?: number;
  bottleneck: Bottleneck;
  recommendations: Recommendation[];
  slo: { p99Ms: number; errorShare: number };
  steps: CapacityStep[];
  /** Wall time of this scenario's search (ms). */
  elapsedMs: number;
}
