import { performance } from 'node:perf_hooks';
import { Connection, type ConnectionOwner } from './connection.js';
import { ConnectionPool } from './connection-pool.js';
import { firstNotDue, intendedOffsetMs, openPlan, scheduleWindowMs, type OpenPlan, type ScheduleShare } from './open-schedule.js';
import { createRequestPicker, type EncodedRequest, type ResolvedLoadOptions } from './options.js';
import { startClockWaker, type Waker } from './precise-timer.js';
import { LoadRecorder } from './recorder.js';
import type { ErrorKind, LoadProgress, LoadResult } from './types.js';

export type { ScheduleShare } from './open-schedule.js';

/**
 * Runs load from this thread: the closed model (each connection keeps `pipelining` requests in
 * flight) or the open model (a global schedule, latency from each intended send time).
 *
 * Open model: every connection connects before the window starts, and its clock starts only
 * then; requests go out within microseconds of their intended time (see precise-timer.ts) on the
 * connection freed most recently (see connection-pool.ts); the run sends exactly its share of
 * `rate × duration` (or `amount`) requests and reports its rate over the schedule window.
 */
export function runInThread(
  options: ResolvedLoadOptions,
  signal: AbortSignal,
  share: ScheduleShare = { offset: 0, stride: 1 },
  onProgress?: (progress: LoadProgress) => void,
): Promise<LoadResult> {
  return new LoadRun(options, share, onProgress).run(signal);
}

/**
 * Open model: connects in flight at once before the window. 1000 at once overflow a listen backlog
 * of 511 (Node's default): the dropped SYNs are retried after a second, and the connect phase took
 * 1.2 s instead of 0.2 s.
 */
const connectsAtOnce = 256;

class LoadRun implements ConnectionOwner {
  readonly requests: readonly EncodedRequest[];
  /** Open model: a connection the server closed while idle stays closed until a request needs it. */
  readonly reopenIdle: boolean;
  private readonly pick: () => number;
  private readonly connections: Connection[] = [];
  private readonly recorder = new LoadRecorder(0);
  private startedAt = 0;
  /** True once the measured window has started (open model: after every connection connected). */
  private started = false;
  /** False once no new request may start (duration over, amount sent, abort). */
  private sending = true;
  private finished = false;
  private resolve!: (result: LoadResult) => void;
  private readonly timers: NodeJS.Timeout[] = [];
  private detach = (): void => {};
  // Open model: this thread's plan, its next request, requests due but waiting for a connection.
  private readonly plan: OpenPlan | undefined;
  private readonly pool: ConnectionPool<Connection>;
  private nextIndex = 0;
  private queue: number[] = [];
  private queueHead = 0;
  private lastSentAt = 0;
  private waker: Waker | undefined;
  private spinning = false;
  private dispatching = false;
  /** Open model, before the window: connections whose first connect attempt has ended, and the first not started. */
  private readonly settled = new Set<Connection>();
  private unstarted = 0;

  constructor(
    private readonly options: ResolvedLoadOptions,
    share: ScheduleShare,
    private readonly onProgress: ((progress: LoadProgress) => void) | undefined,
  ) {
    this.requests = options.requests;
    this.pick = createRequestPicker(options.requests.map((r) => r.weight));
    const { rate, amount, duration } = options;
    this.plan = rate === undefined ? undefined : openPlan(rate, share, { amount, durationMs: duration });
    this.reopenIdle = this.plan === undefined;
    this.pool = new ConnectionPool(options.pipelining);
  }

  run(signal: AbortSignal): Promise<LoadResult> {
    return new Promise<LoadResult>((resolve) => {
      this.resolve = resolve;
      if (signal.aborted) return this.finish(true);
      const onAbort = (): void => this.finish(true);
      signal.addEventListener('abort', onAbort, { once: true });
      this.detach = () => signal.removeEventListener('abort', onAbort);
      if (this.plan === undefined) this.begin(); // closed model: connecting is part of the run, as for wrk
      for (let i = 0; i < this.options.connections; i++) {
        const connection = new Connection(this, this.options.host, this.options.port, this.options.pipelining);
        this.connections.push(connection);
        if (this.plan === undefined) connection.start();
      }
      while (this.plan !== undefined && this.unstarted < Math.min(connectsAtOnce, this.connections.length)) this.startNext();
      if (this.plan !== undefined) void this.prepareOpen();
    });
  }

  /** Open model: the clock thread starts while the connections connect; the window opens when both are done. */
  private async prepareOpen(): Promise<void> {
    const waker = await startClockWaker(() => {
      if (!this.spinning) this.step();
    });
    if (this.finished) return waker.close();
    this.waker = waker;
    // A target that never answers a connect must not hold the run: start after `timeout` anyway.
    this.timers.push(setTimeout(() => this.begin(), this.options.timeout));
    this.beginWhenConnected();
  }

  private beginWhenConnected(): void {
    if (this.waker !== undefined && this.settled.size === this.connections.length) this.begin();
  }

  private begin(): void {
    if (this.started || this.finished) return;
    this.started = true;
    this.startedAt = performance.now();
    this.recorder.startedAt = this.startedAt;
    const { duration, timeout } = this.options;
    this.timers.push(setInterval(() => this.sweepTimeouts(), Math.min(250, Math.max(10, timeout / 4))));
    if (this.onProgress !== undefined) this.timers.push(setInterval(() => this.onProgress!(this.progress()), 1_000));
    if (this.plan !== undefined) {
      while (this.unstarted < this.connections.length) this.startNext(); // after the connect deadline
      return this.step();
    }
    if (duration !== undefined) this.timers.push(setTimeout(() => this.stopSending(), duration));
  }

  onReady(connection: Connection): void {
    if (this.plan === undefined) return this.fill(connection);
    this.pool.release(connection);
    if (this.started) this.dispatch();
  }

  onConnected(connection: Connection): void {
    if (this.plan === undefined) return;
    this.pool.release(connection);
    if (this.started) this.dispatch();
    else this.settle(connection);
  }

  onClosed(connection: Connection, idle: boolean): void {
    if (this.plan === undefined) return;
    if (idle) this.pool.dormant(connection);
    if (!this.started) this.settle(connection);
  }

  private settle(connection: Connection): void {
    const first = !this.settled.has(connection);
    this.settled.add(connection);
    // One more connect for each that ended, so no more than `connectsAtOnce` wait on the server's accept queue.
    if (first) this.startNext();
    this.beginWhenConnected();
  }

  /** Open model: starts the next connection not started yet, if any. */
  private startNext(): void {
    this.connections[this.unstarted++]?.start();
  }

  onResponse(connection: Connection, status: number, now: number, sentAt: number, intendedAt: number): void {
    if (this.finished) return;
    if (this.plan !== undefined) {
      this.recorder.response(status, now, intendedAt, sentAt);
      // On top of the pool: the connection freed just now takes the oldest waiting request, if any.
      this.pool.release(connection);
      this.dispatch();
    } else {
      this.recorder.response(status, now, sentAt, undefined);
      this.fill(connection);
    }
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

  /** Closed model: sends on `connection` while it has free slots and requests remain. */
  private fill(connection: Connection): void {
    if (this.finished || !this.started) return;
    const { amount, pipelining } = this.options;
    while (connection.open && connection.inFlight < pipelining) {
      if (!this.sending || (amount !== undefined && this.recorder.sent >= amount)) return;
      connection.send(this.pick(), -1);
      this.recorder.sent += 1;
    }
  }

  private sendQueued(connection: Connection): void {
    this.lastSentAt = connection.send(this.pick(), this.queue[this.queueHead++]!);
    this.recorder.sent += 1;
  }

  /**
   * Open model: queues every request whose intended time has come, sends what the pool can take,
   * and sleeps until the next one is due (the clock thread wakes it, then it spins the last part).
   */
  private readonly step = (): void => {
    this.spinning = false;
    if (this.finished || !this.sending || this.plan === undefined) return;
    const plan = this.plan;
    const now = performance.now();
    const from = this.nextIndex;
    const to = firstNotDue(plan, from, now - this.startedAt);
    for (let k = from; k < to; k++) {
      const intendedAt = this.startedAt + intendedOffsetMs(plan, k);
      this.recorder.sendLag.record((now - intendedAt) * 1000);
      this.queue.push(intendedAt);
    }
    this.nextIndex = to;
    if (to > from) {
      this.dispatch();
      // Requests of this step still queued found no free connection at their intended time.
      this.recorder.late += Math.min(to - from, this.queue.length - this.queueHead);
      if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
    }
    if (to === plan.count) return this.stopSending();
    const next = this.startedAt + intendedOffsetMs(plan, to);
    const waker = this.waker!;
    if (next - performance.now() > waker.marginMs) return waker.wakeAt(next - waker.marginMs);
    this.spinning = true;
    setImmediate(this.step);
  };

  private dispatch(): void {
    if (this.dispatching) return; // a dormant connection reopened inside take() reports ready at once
    this.dispatching = true;
    try {
      while (this.queueHead < this.queue.length) {
        const connection = this.pool.take();
        if (connection === undefined) return;
        this.sendQueued(connection);
        this.pool.release(connection);
      }
    } finally {
      this.dispatching = false;
    }
  }

  private sweepTimeouts(): void {
    const limit = performance.now() - this.options.timeout;
    for (const connection of this.connections) {
      const oldest = connection.oldestSentAt();
      if (oldest !== undefined && oldest < limit) connection.destroy('timeout');
    }
  }

  /** No new requests from now on; in-flight (and, open model, queued) ones may finish for `drainTimeout`. */
  private stopSending(): void {
    this.sending = false;
    this.waker?.close();
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
    if (this.plan === undefined && amount !== undefined) {
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
    if (!this.started) this.recorder.startedAt = this.startedAt = endedAt;
    for (const timer of this.timers) clearTimeout(timer);
    this.waker?.close();
    this.detach();
    const unfinished = this.inFlight() + (this.queue.length - this.queueHead);
    for (const connection of this.connections) connection.stop();
    const windowMs =
      this.plan === undefined
        ? undefined
        : scheduleWindowMs(this.plan, this.nextIndex, this.lastSentAt > 0 ? this.lastSentAt - this.startedAt : 0);
    this.resolve(
      this.recorder.toResult({
        model: this.plan === undefined ? 'closed' : 'open',
        connections: this.options.connections,
        pipelining: this.options.pipelining,
        rate: this.options.rate,
        endedAt,
        windowMs,
        unfinished,
        partial,
        maxSendLag: this.options.maxSendLag,
      }),
    );
  }
}
