import { OverloadedError } from '../errors.js';
import { linkStop, stopReason, unlinkStop, type Abortable, type StopSource } from '../http/deadline.js';

export interface AdmissionQueueOptions {
  /** Work that may run at once: the pool's size (upstream connections, DB clients). */
  slots: number;
  /** Under overload, the longest a caller waits before it is refused. */
  targetMs: number;
  /** Otherwise the longest predicted wait it accepts; also how long overload lasts after the last refusal. */
  intervalMs: number;
  /** What the 503 names, e.g. "the upstream connection pool". */
  name: string;
}

/** The bounds config.ts derives from the default 5 s deadline, for callers built without a config (tests). */
export const defaultQueueBounds = { targetMs: 3, intervalMs: 1_000 } as const;

export interface AdmissionStats {
  /** Slots held now. */
  running: number;
  /** Callers waiting for a slot now. */
  waiting: number;
  /** True while the line refuses: short waits, newest first. */
  overloaded: boolean;
  /** Callers refused since start-up (503). */
  shed: number;
  /** Average time a slot is held, in milliseconds (what a wait is predicted from); 0 while unknown. */
  holdMs: number;
}

/** A held slot: give it back exactly once, as `slot.release()` (a method, not a detached function). */
export interface Slot {
  /**
   * Gives the slot back. `learn: false` when this use says nothing about how long a slot is held,
   * e.g. it had to open a connection first: the line then leaves its average as it was.
   */
  release(learn?: boolean): void;
}

export interface AdmissionQueue {
  /**
   * Resolves with a slot; rejects at once with OverloadedError (503) when the wait would be too
   * long, or with the reason `stop` (the request's deadline or a signal) ends with.
   */
  acquire(stop: StopSource): Promise<Slot>;
  /** A slot at once when one is free and nobody waits (no promise made); undefined otherwise: then `acquire`. */
  tryAcquire(stop: StopSource): Slot | undefined;
  stats(): AdmissionStats;
  /** Forgets the average hold time (the pool closed every connection it had); the next holds teach it afresh. */
  forget(): void;
}

interface Waiter extends Abortable {
  /** When the waiter is refused if no slot came: its predicted turn, or `targetMs` on the stack. */
  deadline: number;
  admit(): void;
  refuse(error: unknown): void;
}

/**
 * The line in front of a pool, so that under overload the pool serves fresh callers instead of
 * ones that already gave up (a plain FIFO line at 3x its capacity times every caller out). A caller
 * finding a free slot goes straight through. Otherwise, while the pool keeps up, it joins a first
 * come, first served line if its predicted wait (its place × the average hold time / slots) fits
 * `intervalMs`, and is refused at once (503 in milliseconds) if not (a prediction needs the mean of
 * min(slots, 10) holds first: until then every caller joins the line). Once the line has had to
 * refuse, newcomers go onto a stack served newest first, and one that waited `targetMs` is refused
 * (Facebook's adaptive LIFO with CoDel's short target): the pool stays busy with callers that still
 * wait, and the rest learn at once. That lasts until an interval passes without a refusal. Callers
 * promised a place before, and later calls of a request already admitted (same deadline or signal), are served
 * first: work in progress finishes rather than being thrown away half done.
 * @example
 * const line = createAdmissionQueue({ slots: 10, targetMs: 3, intervalMs: 100, name: 'the upstream' });
 * const slot = await line.acquire(c.env.deadline);
 * try { await call(); } finally { slot.release(); }
 */
export function createAdmissionQueue({ slots, targetMs, intervalMs, name }: AdmissionQueueOptions): AdmissionQueue {
  const line: Waiter[] = []; // promised a turn, oldest first
  const stack: Waiter[] = []; // overload: newest last, served first
  let running = 0;
  let shed = 0;
  let holdMs = 0; // 0 until a release teaches it (again after forget())
  // Nothing is refused on a guess: until it knows `warmup` holds the line predicts nothing (waits
  // stay bounded by the sweep), and its average is their plain mean, so one slow first use (a cold
  // cache, a database just restarted) cannot refuse a burst; then a moving average.
  const warmup = Math.min(slots, 10);
  let learned = 0;
  let lastRefusedAt = Number.NEGATIVE_INFINITY;
  let sweeper: NodeJS.Timeout | undefined;
  // Requests (by their deadline or signal) that already hold or held a slot: their next calls finish
  // the work already admitted, so they are never refused, only queued (their deadline still bounds them).
  // A mark on the deadline (or signal) itself, not a WeakSet: a weak entry per request is work for
  // every garbage collection while the request lives.
  const admitted = Symbol('admitted');

  const overloaded = (now: number): boolean => now - lastRefusedAt < intervalMs;
  const refusal = (now: number): OverloadedError => {
    shed += 1;
    lastRefusedAt = now;
    return new OverloadedError(name);
  };
  const refuse = (waiter: Waiter, now: number): void => waiter.refuse(refusal(now));

  // The stack is checked often (its waiters are pushed in order, so the expired ones sit at the
  // bottom); the line's bounds are a safety net for a pool that slowed down, checked less often.
  const sweep = (): void => {
    sweeper = undefined;
    const now = performance.now();
    while (stack.length > 0 && stack[0]!.deadline <= now) refuse(stack.shift()!, now);
    for (let i = line.length - 1; i >= 0; i--) {
      if (line[i]!.deadline <= now) refuse(line.splice(i, 1)[0]!, now);
    }
    scheduleSweep();
  };
  const scheduleSweep = (): void => {
    if (sweeper || line.length + stack.length === 0) return;
    const delayMs = stack.length > 0 ? targetMs / 3 : intervalMs / 10;
    sweeper = setTimeout(sweep, Math.max(1, Math.floor(delayMs)));
    sweeper.unref();
  };

  // A use that says nothing about hold times (it opened a connection first) leaves the average as it was.
  const giveBack = (since: number, learn: boolean): void => {
    const now = performance.now();
    if (learn) {
      learned += 1;
      holdMs = learned <= warmup ? holdMs + (now - since - holdMs) / learned : holdMs * 0.9 + (now - since) * 0.1;
    }
    running -= 1;
    const next = line.shift() ?? stack.pop();
    next?.admit();
  };
  const take = (stop: StopSource): Slot => {
    (stop as Marked)[admitted] = true;
    running += 1;
    return new HeldSlot(giveBack);
  };

  const slotFree = (): boolean => running < slots && line.length + stack.length === 0;

  function tryAcquire(stop: StopSource): Slot | undefined {
    return slotFree() && stopReason(stop) === undefined ? take(stop) : undefined;
  }

  function acquire(stop: StopSource): Promise<Slot> {
    const ended = stopReason(stop);
    if (ended !== undefined) return Promise.reject(ended);
    if (slotFree()) return Promise.resolve(take(stop));
    const now = performance.now();
    let waiters = stack;
    let deadline = now + targetMs;
    if ((stop as Marked)[admitted] === true) {
      waiters = line;
      deadline = Number.POSITIVE_INFINITY;
    } else if (!overloaded(now)) {
      const predictedMs = learned < warmup ? 0 : ((line.length + 1) * holdMs) / slots;
      if (predictedMs > intervalMs) return Promise.reject(refusal(now));
      waiters = line;
      deadline = now + intervalMs + Math.max(targetMs, holdMs / slots); // one turn past the longest promise
    }
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = {
        deadline,
        admit: () => {
          unlinkStop(stop, waiter);
          resolve(take(stop));
        },
        refuse: (error) => {
          unlinkStop(stop, waiter);
          reject(error);
        },
        abort: (reason) => {
          const index = waiters.indexOf(waiter);
          if (index !== -1) waiters.splice(index, 1);
          reject(reason);
        },
      };
      linkStop(stop, waiter);
      waiters.push(waiter);
      if (waiters === stack && stack.length === 1 && sweeper) {
        clearTimeout(sweeper); // a slow line sweep is pending: the stack needs the fast one
        sweeper = undefined;
      }
      scheduleSweep();
    });
  }

  return {
    acquire,
    tryAcquire,
    stats: () => ({ running, waiting: line.length + stack.length, overloaded: overloaded(performance.now()), shed, holdMs }),
    forget: () => {
      holdMs = 0;
      learned = 0;
    },
  };
}

type Marked = StopSource & Record<symbol, unknown>;

/** A slot in use: one object per call, its `release` working once. */
class HeldSlot implements Slot {
  readonly #since = performance.now();
  #giveBack: ((since: number, learn: boolean) => void) | undefined;

  constructor(giveBack: (since: number, learn: boolean) => void) {
    this.#giveBack = giveBack;
  }

  release(learn = true): void {
    const giveBack = this.#giveBack;
    this.#giveBack = undefined;
    giveBack?.(this.#since, learn);
  }
}
