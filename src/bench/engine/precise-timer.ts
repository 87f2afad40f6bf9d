/**
 * Wakes the load thread shortly before a due time, so the open model can send within
 * microseconds of its schedule without spinning a core.
 *
 * Why a clock thread: libuv timers have millisecond granularity (a 1 ms setInterval sent 0.55 ms
 * late at the median), and spinning with setImmediate until each due time is precise but burns a
 * whole core at 1000 req/s. A second thread sleeping in `Atomics.wait` (futex, sub-millisecond
 * timeout) wakes the load thread by message, typically 0.05-0.15 ms after its target; the load
 * thread asks to be woken that much early (`WakeMargin` learns how much) and spins with
 * setImmediate (I/O is still polled between spins) for the rest. Measured on 2 shared cores,
 * 2026-11-27, scheduling alone in a worker thread: median lag 1 µs at 18-28 % CPU (1000 req/s),
 * against 96-101 % for setTimeout plus spinning; a whole run at 1000 req/s on one connection:
 * median lag 0-1 µs against 0.6 ms for the 1 ms interval it replaced, 14-20 % CPU against 4-7 %.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/** Calls its owner back at (or, by up to `marginMs`, before) the time last given to `wakeAt`. */
export interface Waker {
  /** How long before a due time to ask for a wake: the owner spins for the rest. */
  readonly marginMs: number;
  /** Wake at `time` (performance.now() ms of this thread), replacing any earlier request. */
  wakeAt(time: number): void;
  close(): void;
}

// control[0]: generation (bumped by every wakeAt and by close), control[1]: 1 once closed;
// target: the wake time in process.hrtime milliseconds (the same monotonic clock in every thread).
const clockSource = `
const { parentPort, workerData } = require('node:worker_threads');
const control = new Int32Array(workerData, 0, 2);
const target = new Float64Array(workerData, 8, 1);
const nowMs = () => { const [s, ns] = process.hrtime(); return s * 1e3 + ns / 1e6; };
while (Atomics.load(control, 1) === 0) {
  const generation = Atomics.load(control, 0);
  const wait = target[0] - nowMs();
  if (wait > 0) { Atomics.wait(control, 0, generation, wait); continue; }
  if (!Number.isNaN(wait)) parentPort.postMessage(generation);
  Atomics.wait(control, 0, generation);
}
`;

/**
 * How early to ask for a wake: a running estimate of the 90th percentile of wake lateness
 * (stochastic quantile estimation: up 9 steps on a later wake, down 1 on an earlier one, which
 * settles where 10 % are later), plus 0.05 ms, within [min, max]. Too small and sends are late;
 * too large and the load thread spins longer than it needs to. The cap is low because a thread
 * that spins loses to the other processes on a busy machine: with a 1 ms cap the margin grew to
 * it under load, the thread spun 95 % of the time at 1000 req/s and its p99 lag doubled.
 */
export class WakeMargin {
  private p90: number;

  constructor(
    private readonly minMs = 0.1,
    private readonly maxMs = 0.3,
    private readonly stepMs = 0.002,
  ) {
    this.p90 = minMs;
  }

  /** A wake arrived `lateMs` after the time asked for. */
  observe(lateMs: number): void {
    this.p90 = Math.max(0, this.p90 + (lateMs > this.p90 ? 9 * this.stepMs : -this.stepMs));
  }

  get ms(): number {
    return Math.min(this.maxMs, Math.max(this.minMs, this.p90 + 0.05));
  }
}

function hrtimeMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

/**
 * Starts a clock thread calling `onWake` (in this thread); resolves once it runs. When threads
 * cannot start, falls back to a setTimeout waker (millisecond precision, wider margin).
 */
export async function startClockWaker(onWake: () => void): Promise<Waker> {
  const buffer = new SharedArrayBuffer(16);
  const control = new Int32Array(buffer, 0, 2);
  const target = new Float64Array(buffer, 8, 1);
  target[0] = Number.NaN;
  let worker: Worker;
  try {
    worker = new Worker(clockSource, { eval: true, workerData: buffer });
  } catch {
    return createTimeoutWaker(onWake);
  }
  worker.unref();
  let closed = false;
  let fallback: Waker | undefined;
  const toHrtime = hrtimeMs() - performance.now(); // both clocks are monotonic: a constant offset
  const margin = new WakeMargin();
  let askedFor = 0;
  worker.on('message', (generation: number) => {
    if (closed || fallback !== undefined || generation !== Atomics.load(control, 0)) return; // stale
    margin.observe(performance.now() - askedFor);
    onWake();
  });
  const online = await new Promise<boolean>((resolve) => {
    worker.once('online', () => resolve(true));
    worker.once('error', () => resolve(false));
  });
  if (!online) return createTimeoutWaker(onWake);
  // A clock thread that dies mid-run hands over to a timer: late sends, never lost ones.
  worker.on('error', () => {
    fallback ??= createTimeoutWaker(onWake);
    if (!Number.isNaN(target[0]!)) fallback.wakeAt(target[0]! - toHrtime);
  });
  return {
    get marginMs() {
      return fallback?.marginMs ?? margin.ms;
    },
    wakeAt(time) {
      if (fallback !== undefined) return fallback.wakeAt(time);
      askedFor = time;
      target[0] = time + toHrtime;
      Atomics.add(control, 0, 1);
      Atomics.notify(control, 0);
    },
    close() {
      closed = true;
      fallback?.close();
      Atomics.store(control, 1, 1);
      Atomics.add(control, 0, 1);
      Atomics.notify(control, 0);
    },
  };
}

/** A waker on setTimeout: it may fire up to about a millisecond either side of its time. */
export function createTimeoutWaker(onWake: () => void): Waker {
  let timer: NodeJS.Timeout | undefined;
  return {
    marginMs: 1.5,
    wakeAt(time) {
      clearTimeout(timer);
      timer = setTimeout(onWake, Math.max(0, Math.floor(time - performance.now() - 1)));
    },
    close() {
      clearTimeout(timer);
    },
  };
}
