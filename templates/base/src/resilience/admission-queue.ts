import { OverloadedError } from '../errors.js';

export interface AdmissionQueueOptions {
  /** Work that may run at once: the pool's size (upstream connections, DB clients). */
  slots: number;
  /** Once a queue stands, the longest a caller waits for a slot before it is refused. */
  targetMs: number;
  /** A queue that has not emptied for this long stands (overload); also the longest wait otherwise. */
  intervalMs: number;
  /** What the 503 names, e.g. "the upstream". */
  name: string;
}

export interface AdmissionStats {
  /** Slots held now. */
  running: number;
  /** Callers waiting for a slot now. */
  waiting: number;
  /** True while the queue stands: newest first, short waits. */
  overloaded: boolean;
  /** Callers refused since start-up (503). */
  shed: number;
}

export interface AdmissionQueue {
  /** Resolves once the caller holds a slot; rejects with OverloadedError (503) or the signal's reason. */
  acquire(signal: AbortSignal): Promise<void>;
  /** Gives the slot back; call exactly once per successful `acquire`. */
  release(): void;
  stats(): AdmissionStats;
}

interface Waiter {
  since: number;
  admit(): void;
  refuse(error: unknown): void;
}

/**
 * The line in front of a pool, kept short under overload (Facebook's adaptive LIFO with CoDel):
 * while demand fits, first come first served and a wait of at most `intervalMs`; once the line has
 * not emptied for `intervalMs`, newest first and a wait of at most `targetMs`. A plain FIFO line
 * under 3x load serves only callers that already gave up; this one keeps serving fresh ones and
 * refuses the rest in milliseconds with a 503 and Retry-After.
 * @example
 * const line = createAdmissionQueue({ slots: 10, targetMs: 5, intervalMs: 100, name: 'the upstream' });
 * await line.acquire(signal);
 * try { await call(); } finally { line.release(); }
 */
export function createAdmissionQueue({ slots, targetMs, intervalMs, name }: AdmissionQueueOptions): AdmissionQueue {
  const waiting: Waiter[] = []; // oldest first
  let running = 0;
  let shed = 0;
  let queuedSince = 0; // when the line last went from empty to waiting
  let lastQueuedAt = Number.NEGATIVE_INFINITY; // when a caller last had to wait
  let overloaded = false;
  let sweeper: NodeJS.Timeout | undefined;

  // Decides whether the line stands, and refuses waiters past the wait their mode allows.
  const sweep = (now: number): void => {
    if (waiting.length === 0) {
      if (overloaded && now - lastQueuedAt >= intervalMs) overloaded = false;
      return;
    }
    if (!overloaded && now - queuedSince >= intervalMs) overloaded = true;
    const maxWaitMs = overloaded ? targetMs : intervalMs;
    while (waiting.length > 0 && now - waiting[0]!.since >= maxWaitMs) {
      shed += 1;
      waiting.shift()!.refuse(new OverloadedError(name));
    }
  };

  const scheduleSweep = (): void => {
    if (sweeper || waiting.length === 0) return;
    sweeper = setTimeout(() => {
      sweeper = undefined;
      sweep(performance.now());
      scheduleSweep();
    }, Math.max(1, Math.floor(targetMs / 4)));
    sweeper.unref();
  };

  function acquire(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const now = performance.now();
    sweep(now);
    if (running < slots && waiting.length === 0) {
      running += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = waiting.indexOf(waiter);
        if (index !== -1) waiting.splice(index, 1);
        reject(signal.reason);
      };
      const waiter: Waiter = {
        since: now,
        admit: () => {
          signal.removeEventListener('abort', onAbort);
          running += 1;
          resolve();
        },
        refuse: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (waiting.length === 0) queuedSince = now;
      lastQueuedAt = now;
      waiting.push(waiter);
      scheduleSweep();
    });
  }

  function release(): void {
    running -= 1;
    sweep(performance.now());
    if (running >= slots || waiting.length === 0) return;
    // Standing queue: the newest caller has the most budget left and is surely still there.
    const next = overloaded ? waiting.pop()! : waiting.shift()!;
    next.admit();
  }

  return { acquire, release, stats: () => ({ running, waiting: waiting.length, overloaded, shed }) };
}
