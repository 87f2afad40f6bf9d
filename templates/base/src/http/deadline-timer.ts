/** What the timer ends: `expire()` once `expiresAt` (performance.now() time) has come. */
export interface Expiring {
  readonly expiresAt: number;
  expire(): void;
}

/**
 * One timer for every request of one time budget. Requests started later expire later, so they
 * wait in a list in the order they came and the timer is set for the first of them: no Node
 * timer per request (an object with its async id, put in and taken out of Node's timer lists).
 * A request answered in time leaves an empty place behind, skipped when the timer fires.
 * @example
 * const timer = deadlineTimer(5_000);
 * const place = timer.add(request); // request.expire() at request.expiresAt
 * timer.remove(place); // answered in time
 */
export class DeadlineTimer {
  #waiting: Array<Expiring | undefined> = [];
  /** The place number of #waiting[0]: places stay valid when the list is trimmed. */
  #first = 0;
  /** Index in #waiting of the first place that may still wait. */
  #next = 0;
  #live = 0;
  #timer: NodeJS.Timeout | undefined;

  /** Calls `item.expire()` at `item.expiresAt`, or as soon after it as the one before it in the list (started earlier) expires; returns its place, for `remove`. */
  add(item: Expiring): number {
    this.#waiting.push(item);
    this.#live += 1;
    if (this.#timer === undefined) this.#arm(item.expiresAt);
    return this.#first + this.#waiting.length - 1;
  }

  /** The request was answered: it no longer expires. */
  remove(place: number): void {
    const index = place - this.#first;
    if (index < 0 || this.#waiting[index] === undefined) return;
    this.#waiting[index] = undefined;
    this.#live -= 1;
    if (this.#live === 0) this.#reset();
  }

  /** Nothing waits: no timer holds the process open, and the list starts over. */
  #reset(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#first += this.#waiting.length;
    this.#waiting = [];
    this.#next = 0;
  }

  #arm(at: number): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(1, Math.ceil(at - performance.now())));
  }

  #fire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const waiting = this.#waiting;
    const due: Expiring[] = [];
    let next = this.#next;
    for (; next < waiting.length; next += 1) {
      const item = waiting[next];
      if (item === undefined) continue;
      if (item.expiresAt > now) break;
      waiting[next] = undefined;
      due.push(item);
    }
    this.#live -= due.length;
    this.#next = next;
    if (next > 1_024 && next * 2 > waiting.length) {
      this.#waiting = waiting.slice(next);
      this.#first += next;
      this.#next = 0;
    }
    const head = this.#waiting[this.#next];
    if (head !== undefined) this.#arm(head.expiresAt);
    else if (this.#live === 0) this.#reset();
    for (const item of due) item.expire();
  }
}

const timers = new Map<number, DeadlineTimer>();

/** The process's timer for requests of `budgetMs` (one per budget, so each list stays in order). */
export function deadlineTimer(budgetMs: number): DeadlineTimer {
  let timer = timers.get(budgetMs);
  if (!timer) timers.set(budgetMs, (timer = new DeadlineTimer()));
  return timer;
}
