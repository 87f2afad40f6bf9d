/** What one measured load run showed, reduced to the figures the talk's table needs. */
export interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  completed: number;
  /** Completed responses whose status was not 2xx. */
  non2xx: number;
  /** Completed 504 answers (the deadline's). */
  gatewayTimeouts: number;
  /** Requests that got no answer: engine timeouts, resets, refusals. */
  failed: number;
  /** Peak RSS of the server process during the run, when it is a process we can sample. */
  rssPeakMb?: number;
  /** CPU the server used, in cores (1.0 = one core busy all the time): near 1, a Node process is CPU-bound. */
  serverCores?: number;
  /** TCP connections the mock upstream accepted during the run (the keep-alive evidence). */
  upstreamConnections?: number;
}

export type RowKind = 'sync' | 'generated' | 'naive' | 'reference';

/** One line of the talk's table. */
export interface Row {
  /** Stable key the targets look rows up by. */
  id: string;
  /** Slide group: 1 sync, 2 generated, 3 naive variants, 4 failure, 5 memory, reference rows. */
  group: string;
  kind: RowKind;
  label: string;
  connections: number;
  measurement: Measurement;
  /** Ratio to the row it stands beside, e.g. `0.31x wired`. */
  ratio?: string;
  /** What the row shows, in the talk's terms. */
  shows: string;
}

/** A target reported as PASS or MISS; never asserted. */
export interface TargetResult {
  name: string;
  goal: string;
  actual: string;
  pass: boolean;
}

export interface TalkLoad {
  connections: number;
  highConnections: number;
  durationMs: number;
  warmupMs: number;
  upstreamLatencyMs: number;
}

export interface TalkReport {
  machine: { cpus: number; node: string; date: string; platform: string };
  load: TalkLoad;
  rows: Row[];
  targets: TargetResult[];
  /** Conditions of the run the reader must know, e.g. the raised client pool. */
  notes: string[];
  /** The overload section, when it ran. */
  overload?: OverloadSection;
}

export type OverloadVariant = 'protected' | 'naive';

/** Latency of one kind of answer in an open-model run (from bench/talk/open-load.ts). */
export interface OverloadLatency {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One open-model run of the overload section: a variant at one offered load. */
export interface OverloadPoint {
  variant: OverloadVariant;
  /** Offered load as a multiple of the capacity (0.5, 1, 1.5, ...). */
  factor: number;
  offeredRate: number;
  /** 2xx per second of the measured window. */
  goodput: number;
  served: OverloadLatency;
  /** 503 answers: load the server refused. */
  shed: OverloadLatency;
  /** Neither 2xx nor 503, by status or error code. */
  other: Record<string, number>;
}

/** The talk's failure slide fixed: goodput of the generated server and of a naive copy as the offered load passes capacity. */
export interface OverloadSection {
  /** Requests/s the server can serve: upstream connections / upstream latency. */
  capacity: number;
  upstreamConnections: number;
  upstreamLatencyMs: number;
  path: string;
  durationMs: number;
  warmupMs: number;
  /** Machine and time of the run, since the section can be rerun alone. */
  measured: string;
  points: OverloadPoint[];
  targets: TargetResult[];
  /** What the naive variant changes. */
  naiveAbout: string;
}
