import type { InstructionCount } from './instructions.js';
/** The three servers of the main rounds, each its own process. */
export type ContenderId = 'minimal' | 'generated-silent' | 'generated-log' | 'generated-no-metrics';
export type ScenarioId = 'json' | 'external';

export interface Scenario {
  id: ScenarioId;
  path: string;
  connections: number;
  /** wrk threads: one for 50 connections (the server keeps a core), two for 1000. */
  threads: number;
}

/** What wrk reports of one run. */
export interface WrkResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** wrk's "Non-2xx or 3xx responses". */
  non2xx: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
}

/** One wrk run against one contender, with what the server's process did meanwhile. */
export interface RunRecord {
  round: number;
  scenario: ScenarioId;
  contender: ContenderId;
  wrk: WrkResult;
  rssPeakMb: number | undefined;
  /** Server CPU (utime + stime) during the run per completed request, in microseconds. */
  cpuUsPerRequest: number | undefined;
  /** Access-log bytes the bench drained from the server's stdout during the run. */
  logBytes: number;
  /** Of those, the bytes that reached the pipe after wrk stopped (a buffering logger's backlog). */
  logLagBytes: number;
  /** Statuses of the access-log lines written during the run (the logging contender only). */
  loggedStatuses: Record<string, number>;
}

/** Medians over the rounds of one contender in one scenario (errors summed). */
export interface ContenderSummary {
  scenario: ScenarioId;
  contender: ContenderId;
  rounds: number;
  /** 2xx answers per second (wrk's count less its non-2xx), median and each round. */
  requestsPerSecond: number;
  allRequestsPerSecond: number[];
  p99Ms: number | undefined;
  errors: number;
  timeouts: number;
  non2xx: number;
  rssPeakMb: number | undefined;
  cpuUsPerRequest: number | undefined;
  logBytesPerRequest: number | undefined;
  /** Median over the rounds of the access log written after wrk stopped, in seconds of the run's log rate. */
  logLagSeconds: number | undefined;
  /** Access-log statuses summed over the rounds (the logging contender only). */
  loggedStatuses: Record<string, number>;
}

/** A generated contender against the minimal app in one scenario: median and range of per-round ratios. */
export interface RatioSummary {
  scenario: ScenarioId;
  contender: ContenderId;
  median: number;
  min: number;
  max: number;
}

/** RSS with every request of a burst waiting on the slow upstream, per contender. */
export interface WaitingRss {
  waiting: number;
  upstreamLatencyMs: number;
  /** Peak RSS of each measured burst, MB. */
  minimalMb: number[];
  generatedMb: number[];
  /** Most requests the upstream held at once (proves they waited together). */
  maxInFlight: number;
  /** Failed or non-2xx answers over the measured bursts, per contender. */
  minimalErrors: number;
  generatedErrors: number;
}

/** One rung of the middleware ladder: the app with the first `layers` middleware. */
export interface LadderStep {
  layers: number;
  name: string;
  /**
   * Server CPU per request, µs, in its best round: contention from other processes only ever adds
   * to it (cache misses, a shared core), so the least is the closest to what the code costs.
   */
  cpuUsPerRequest: number;
  medianCpuUsPerRequest: number;
  allCpuUsPerRequest: number[];
  requestsPerSecond: number;
}

export interface TargetResult {
  name: string;
  goal: string;
  actual: string;
  pass: boolean;
}

export interface OverheadConfig {
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  ladderSeconds: number;
  upstreamLatencyMs: number;
  waitingLatencyMs: number;
  /** Count /json's instructions per request under callgrind (BENCH_OVERHEAD_INSTRUCTIONS, default on). */
  instructions: boolean;
  waitingRequests: number;
}

export interface OverheadReport {
  machine: { cpus: number; node: string; platform: string; date: string; wrk: string };
  config: OverheadConfig;
  runs: RunRecord[];
  summaries: ContenderSummary[];
  ratios: RatioSummary[];
  /** The generated server (silent) over itself with METRICS=off, in the same rounds: what the metrics cost. */
  metricsRatios: RatioSummary[];
  waiting: WaitingRss;
  ladder: LadderStep[];
  /** Instructions per /json request under callgrind, or why there are none (skipped, no valgrind). */
  instructions: { counts: InstructionCount[]; valgrind: string } | { skipped: string };
  targets: TargetResult[];
  elapsedSeconds: number;
}
