import { performance } from 'node:perf_hooks';
import { Connection, type ConnectionOwner } from './connection.js';
import { createRequestPicker, type EncodedRequest, type ResolvedLoadOptions } from './options.js';
import { LoadRecorder } from './recorder.js';
import type { ErrorKind, LoadProgress, LoadResult } from './types.js';

/**
 * This thread's part of an open-model schedule: it sends the global requests
 * `offset, offset + stride, offset + 2 * stride, …`, so workers interleave on one schedule.
 */
export interface ScheduleShare {
  offset: number;
  stride: number;
}

/**
 * Runs load from this thread: the closed model (each connection keeps `pipelining` requests in
 * flight) or the open model (a global schedule, latency from each intended send time).
 */
export function runInThread(
  options: ResolvedLoadOptions,
  signal: AbortSignal,
  share: ScheduleShare = { offset: 0, stride: 1 },
  onProgress?: (progress: LoadProgress) => void,
): Promise<LoadResult> {
  return new LoadRun(options, share, onProgress).run(signal);
}

class LoadRun implements ConnectionOwner {
  readonly requests: readonly EncodedRequest[];
  private readonly pick: () => number;
  private readonly connections: Connection[] = [];
  private readonly open: boolean;
  private recorder!: LoadRecorder;
  private startedAt = 0;
  /** False once no new request may start (duration over, amount sent, abort). */
  private sending = true;
  private finished = false;
  private resolve!: (result: LoadResult) => void;
  private readonly timers: NodeJS.Timeout[] = [];
  private detach = (): void => {};
  // Open model: next schedule index of this thread, and intended send times waiting for a connection.
  private scheduled = 0;
  private queue: number[] = [];
  private queueHead = 0;
  private cursor = 0;

  constructor(
    private readonly options: ResolvedLoadOptions,
    private readonly share: ScheduleShare,
    private readonly onProgress: ((progress: LoadProgress) => void) | undefined,
  ) {
    this.requests = options.requests;
    this.pick = createRequestPicker(options.requests.map((r) => r.weight));
    this.open = options.rate !== undefined;
  }

  run(signal: AbortSignal): Promise<LoadResult> {
    return new Promise<LoadResult>((resolve) => {
      this.resolve = resolve;
      this.startedAt = performance.now();
      this.recorder = new LoadRecorder(this.startedAt);
      if (signal.aborted) return this.finish(true);
      const onAbort = (): void => this.finish(true);
      signal.addEventListener('abort', onAbort, { once: true });
      this.detach = () => signal.removeEventListener('abort', onAbort);
      const { duration, timeout } = this.options;
      if (duration !== undefined) this.timers.push(setTimeout(() => this.stopSending(), duration));
      this.timers.push(setInterval(() => this.sweepTimeouts(), Math.min(250, Math.max(10, timeout / 4))));
      if (this.open) this.timers.push(setInterval(() => this.tick(), 1));
      if (this.onProgress !== undefined) this.timers.push(setInterval(() => this.onProgress!(this.progress()), 1_000));
      for (let i = 0; i < this.options.connections; i++) {
        const connection = new Connection(this, this.options.host, this.options.port, this.options.pipelining);
        this.connections.push(connection);
        connection.start();
      }
      if (this.open) this.tick();
    });
  }

  onReady(connection: Connection): void {
    this.fill(connection);
  }

  onResponse(connection: Connection, status: number, now: number, sentAt: number, intendedAt: number): void {
    if (this.finished) return;
    if (this.open) this.recorder.response(status, now, intendedAt, sentAt);
    else this.recorder.response(status, now, sentAt, undefined);
    this.fill(connection);
    this.checkDone();
  }

  onFailure(_connection: Connection, kind: ErrorKind, intendedTimes: number[]): void {
    if (this.finished) return;
    this.recorder.failures(kind, intendedTimes.length);
    this.checkDone();
  }

  onBytes(count: number): void {
    this.recorder.bytesRead += count;
  }

  /** Sends on `connection` while it has free slots and there is work: the next claim, or the queue. */
  private fill(connection: Connection): void {
    if (this.finished) return;
    const { amount, pipelining } = this.options;
    while (connection.open && connection.inFlight < pipelining) {
      if (this.open) {
        if (this.queueHead >= this.queue.length) return;
        connection.send(this.pick(), this.queue[this.queueHead++]!);
      } else {
        if (!this.sending || (amount !== undefined && this.recorder.sent >= amount)) return;
        connection.send(this.pick(), -1);
      }
      this.recorder.sent += 1;
    }
  }

  /** Open model: moves every request whose intended time has come into the queue, then dispatches. */
  private tick(): void {
    if (this.finished) return;
    const now = performance.now();
    const { rate, amount, duration } = this.options;
    const { offset, stride } = this.share;
    let added = 0;
    while (this.sending) {
      if (amount !== undefined && this.scheduled >= amount) {
        this.sending = false;
        break;
      }
      const intendedAt = this.startedAt + ((offset + this.scheduled * stride) * 1000) / rate!;
      if (intendedAt > now) break;
      if (duration !== undefined && intendedAt - this.startedAt >= duration) break;
      this.recorder.sendLag.record((now - intendedAt) * 1000);
      this.queue.push(intendedAt);
      this.scheduled += 1;
      added += 1;
    }
    this.dispatch();
    // Requests of this tick still queued found no free connection at their intended time.
    this.recorder.late += Math.min(added, this.queue.length - this.queueHead);
    if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    this.checkDone();
  }

  private dispatch(): void {
    const n = this.connections.length;
    for (let tried = 0; tried < n && this.queueHead < this.queue.length; tried++) {
      this.fill(this.connections[this.cursor]!);
      this.cursor = (this.cursor + 1) % n;
    }
  }

  private sweepTimeouts(): void {
    const limit = performance.now() - this.options.timeout;
    for (const connection of this.connections) {
      const oldest = connection.oldestSentAt();
      if (oldest !== undefined && oldest < limit) connection.destroy('timeout');
    }
  }

  /** Duration over: no new requests; in-flight (and, open model, queued) ones may finish for `drainTimeout`. */
  private stopSending(): void {
    if (this.open) this.tick(); // schedule the last requests due before the end
    this.sending = false;
    this.timers.push(setTimeout(() => this.finish(false), this.options.drainTimeout));
    this.checkDone();
  }

  private progress(): LoadProgress {
    const { sent, completed, failed } = this.recorder;
    return { elapsedMs: performance.now() - this.startedAt, sent, completed, errors: failed };
  }

  private inFlight(): number {
    let n = 0;
    for (const connection of this.connections) n += connection.inFlight;
    return n;
  }

  private checkDone(): void {
    if (this.finished) return;
    const { amount } = this.options;
    const settled = this.recorder.completed + this.recorder.failed;
    if (!this.open && amount !== undefined) {
      if (settled >= amount) this.finish(false);
      return;
    }
    if (this.sending || this.queueHead < this.queue.length) return;
    if (settled >= this.recorder.sent && this.inFlight() === 0) this.finish(false);
  }

  private finish(partial: boolean): void {
    if (this.finished) return;
    this.finished = true;
    const endedAt = performance.now();
    for (const timer of this.timers) clearTimeout(timer);
    this.detach();
    const unfinished = this.inFlight() + (this.queue.length - this.queueHead);
    for (const connection of this.connections) connection.stop();
    this.resolve(
      this.recorder.toResult({
        model: this.open ? 'open' : 'closed',
        connections: this.options.connections,
        pipelining: this.options.pipelining,
        rate: this.options.rate,
        endedAt,
        unfinished,
        partial,
        maxSendLag: this.options.maxSendLag,
      }),
    );
  }
}
