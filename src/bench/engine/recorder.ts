import { LatencyHistogram } from './histogram.js';
import { SparseHistogram } from './sparse-histogram.js';
import type { ErrorKind, LoadResult } from './types.js';

/** The mutable tallies of one run in one thread; `toResult` turns them into plain data. */
export class LoadRecorder {
  readonly latency = new LatencyHistogram();
  readonly serviceTime = new LatencyHistogram();
  readonly sendLag = new LatencyHistogram();
  readonly statusCounts = new Float64Array(600);
  readonly errors: Record<ErrorKind, number> = { timeout: 0, reset: 0, refused: 0, other: 0 };
  readonly perSecond: number[] = [];
  /** Latency of the responses of each second (as `latency`: corrected in the open model). */
  readonly latencyPerSecond: SparseHistogram[] = [];
  /** Requests of each second that failed or were answered 4xx/5xx. */
  readonly failedPerSecond: number[] = [];
  completed = 0;
  sent = 0;
  late = 0;
  bytesRead = 0;

  /** @param startedAt performance.now() of the start of the measured window (settable: the open model starts it after connecting). */
  constructor(public startedAt: number) {}

  /** Records one response at `now` (all times performance.now() ms). */
  response(status: number, now: number, latencyFrom: number, serviceFrom: number | undefined): void {
    this.completed += 1;
    this.statusCounts[status < 600 ? status : 599]! += 1;
    this.latency.record((now - latencyFrom) * 1000);
    if (serviceFrom !== undefined) this.serviceTime.record((now - serviceFrom) * 1000);
    const second = this.second(now);
    this.perSecond[second]! += 1;
    this.latencyPerSecond[second]!.record((now - latencyFrom) * 1000);
    if (status >= 400) this.failedPerSecond[second]! += 1;
  }

  failures(kind: ErrorKind, count: number, now = performance.now()): void {
    this.errors[kind] += count;
    this.failedPerSecond[this.second(now)]! += count;
  }

  /** The index of the second of the run `now` falls in, with every per-second series grown to hold it. */
  private second(now: number): number {
    // Before the window opens (open model, startedAt still 0), a failed connect counts in its first second.
    const second = this.startedAt === 0 ? 0 : Math.max(0, Math.floor((now - this.startedAt) / 1000));
    while (this.perSecond.length <= second) this.perSecond.push(0);
    while (this.failedPerSecond.length <= second) this.failedPerSecond.push(0);
    while (this.latencyPerSecond.length <= second) this.latencyPerSecond.push(new SparseHistogram());
    return second;
  }

  get failed(): number {
    return this.errors.timeout + this.errors.reset + this.errors.refused + this.errors.other;
  }

  toResult(fields: {
    model: 'closed' | 'open';
    connections: number;
    pipelining: number;
    rate: number | undefined;
    endedAt: number;
    /** Open model: the schedule window in ms (see scheduleWindowMs). */
    windowMs: number | undefined;
    unfinished: number;
    partial: boolean;
    maxSendLag: number;
  }): LoadResult {
    const statusCounts: Record<string, number> = {};
    this.statusCounts.forEach((n, status) => {
      if (n > 0) statusCounts[String(status)] = n;
    });
    const elapsedMs = Math.max(0, fields.endedAt - this.startedAt);
    const open = fields.model === 'open';
    const result: LoadResult = {
      model: fields.model,
      connections: fields.connections,
      pipelining: fields.pipelining,
      workers: 1,
      elapsedMs,
      sent: this.sent,
      completed: this.completed,
      requestsPerSecond: requestsPerSecond(this.completed, open ? (fields.windowMs ?? elapsedMs) : elapsedMs),
      statusCounts,
      errors: { ...this.errors },
      unfinished: fields.unfinished,
      bytesRead: this.bytesRead,
      perSecond: [...this.perSecond],
      latencyPerSecond: this.latencyPerSecond.map((h) => h.toJSON()),
      failedPerSecond: [...this.failedPerSecond],
      latency: this.latency.toJSON(),
      partial: fields.partial,
      valid: true,
      warnings: [],
    };
    if (open) {
      result.rate = fields.rate;
      result.windowMs = fields.windowMs ?? elapsedMs;
      result.serviceTime = this.serviceTime.toJSON();
      result.sendLag = this.sendLag.toJSON();
      result.late = this.late;
      const lagP99 = this.sendLag.percentile(99) / 1000;
      if (lagP99 > fields.maxSendLag) {
        result.valid = false;
        result.warnings.push(sendLagWarning(lagP99, fields.maxSendLag));
      }
    }
    return result;
  }
}

/** Completed responses per second of `ms` milliseconds (0 for an empty window). */
export function requestsPerSecond(completed: number, ms: number): number {
  return ms > 0 ? (completed * 1000) / ms : 0;
}

/** The warning of a run whose generator fell behind its own schedule. */
export function sendLagWarning(lagP99Ms: number, maxMs: number): string {
  return `The generator fell behind its schedule (p99 send lag ${lagP99Ms.toFixed(1)} ms > ${maxMs} ms): latencies are not trustworthy. Lower the rate or connections, or add workers.`;
}
