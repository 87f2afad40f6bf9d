import type { HistogramData, LatencySummary } from './histogram.js';

/** One request the engine sends; all requests of a run go to the same origin. */
export interface LoadRequest {
  /** Absolute `http://` URL. */
  url: string;
  /** Default `GET`. */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Relative share in a mix (default 1); requests are interleaved by smooth weighted round-robin. */
  weight?: number;
}

/** Options of one load run. Exactly one of `duration` and `amount` is set. */
export interface LoadOptions {
  /** One request, or a weighted mix of requests to the same origin. */
  target: LoadRequest | LoadRequest[];
  /** Keep-alive connections (closed model: each loops; open model: the pool requests are sent on). */
  connections: number;
  /** Run length in milliseconds. */
  duration?: number;
  /** Total requests to send. */
  amount?: number;
  /** Requests in flight per connection (default 1). */
  pipelining?: number;
  /** Open model: requests per second on a global schedule. Absent: closed model. */
  rate?: number;
  /** Per-request timeout in milliseconds (default 10 000); a timed-out request counts as a `timeout` error. */
  timeout?: number;
  /** Open model: the run is invalid when the generator's p99 send lag exceeds this (ms, default 10). */
  maxSendLag?: number;
  /** Worker threads generating load (default 1: in this thread); results merge exactly. */
  workers?: number;
  /** After `duration`, how long to wait for in-flight responses (ms, default 2 000). */
  drainTimeout?: number;
  /** Called about once a second with running totals (for a progress bar); summed over workers. */
  onProgress?: (progress: LoadProgress) => void;
}

/** Running totals of a run, reported to `onProgress`. */
export interface LoadProgress {
  /** Milliseconds since the run started. */
  elapsedMs: number;
  sent: number;
  completed: number;
  /** Failed requests of every kind. */
  errors: number;
}

/** Kinds of failed requests. */
export type ErrorKind = 'timeout' | 'reset' | 'refused' | 'other';

/**
 * The serialisable outcome of a run: plain data, so worker threads post it and `--json` writes it.
 * Times in microseconds unless the name says otherwise.
 */
export interface LoadResult {
  model: 'closed' | 'open';
  connections: number;
  pipelining: number;
  workers: number;
  /** Open model: the requested rate (requests/s). */
  rate?: number;
  /**
   * Wall time of the run in milliseconds, including the drain of the last responses: closed
   * model from the first connect, open model from the start of the schedule (after connecting).
   */
  elapsedMs: number;
  /**
   * Open model only: the schedule window in milliseconds, from its start to one request interval
   * past the last intended send (rate x window = requests scheduled), or to the last actual send
   * when that came later. Excludes connecting and the drain.
   */
  windowMs?: number;
  /** Requests written to a socket (completed + errors + those in flight at the end). */
  sent: number;
  /** Responses received, whatever their status. */
  completed: number;
  /** Completed responses per second: of `elapsedMs` (closed model) or of `windowMs` (open model: the achieved rate). */
  requestsPerSecond: number;
  /** Response count per HTTP status code. */
  statusCounts: Record<string, number>;
  errors: Record<ErrorKind, number>;
  /** Requests in flight, or (open model) due but not yet sent, when the run stopped (abort, drain timeout). */
  unfinished: number;
  /** Bytes read from the sockets (headers and bodies). */
  bytesRead: number;
  /** Completed responses in each second of the run (index 0 = first second; the last may be partial). */
  perSecond: number[];
  /**
   * Latency of the responses of each second, as `latency` (open model: corrected); for charts
   * over time and the capacity search. The bench report moves it into its timeline.
   */
  latencyPerSecond?: HistogramData[];
  /** Requests of each second that failed (no answer) or were answered 4xx/5xx. */
  failedPerSecond?: number[];
  /**
   * Latency of completed responses. Closed model: from send to response. Open model: from each
   * request's intended send time (coordinated-omission corrected, as wrk2 does).
   */
  latency: HistogramData;
  /** Open model only: service time from the actual send (uncorrected). */
  serviceTime?: HistogramData;
  /** Open model only: generator lag, from intended send time to when the scheduler handled it. */
  sendLag?: HistogramData;
  /** Open model only: requests that found no free connection at their intended time and had to wait. */
  late?: number;
  /** Stopped by the AbortSignal before the planned end. */
  partial: boolean;
  /** False when the measurement cannot be trusted (see `warnings`). */
  valid: boolean;
  warnings: string[];
}

/** The summary a report shows, derived from a LoadResult. */
export interface LoadSummary {
  latency: LatencySummary;
  serviceTime?: LatencySummary;
  sendLag?: LatencySummary;
}
