import type { ServerResponse } from 'node:http';
import { ClientClosedError, DeadlineExceededError } from '../errors.js';
import { deadlineTimer, type Expiring } from './deadline-timer.js';

/** What a deadline stops: an AbortController, undici's dispatch controller, a waiter of ours. */
export interface Abortable {
  abort(reason: unknown): void;
}

/** A request's time budget as handlers see it: `c.env.deadline`. */
export interface Deadline {
  /** Aborts at the deadline or when the client disconnects: pass it to queries and other clients (the upstream client takes the deadline itself). */
  readonly signal: AbortSignal;
  /** Why the request ended (DeadlineExceededError, ClientClosedError), or undefined while it runs. */
  readonly reason: unknown;
  /**
   * Calls `target.abort(reason)` when the request ends (at once if it has): what `signal` does,
   * without an AbortSignal and its listener per call. The project's own clients take the deadline
   * this way (`upstream.getJson(path, { deadline })`); `unlink` once the call is done.
   */
  link(target: Abortable): void;
  unlink(target: Abortable): void;
}

/** What a call stops with: the request's deadline (cheapest), or any AbortSignal (`AbortSignal.any([...])`). */
export type StopSource = Deadline | AbortSignal;

/** The reason `stop` ended with, or undefined while it runs. */
export function stopReason(stop: StopSource): unknown {
  return stop instanceof AbortSignal ? (stop.aborted ? stop.reason : undefined) : stop.reason;
}

/** The listener each target linked to an AbortSignal got (a deadline needs none). */
const signalListeners = new WeakMap<Abortable, () => void>();

/** Calls `target.abort(reason)` when `stop` ends. The caller checks `stopReason` first, and calls `unlinkStop` when done. */
export function linkStop(stop: StopSource, target: Abortable): void {
  if (!(stop instanceof AbortSignal)) return stop.link(target);
  const onAbort = (): void => target.abort(stop.reason);
  signalListeners.set(target, onAbort);
  stop.addEventListener('abort', onAbort, { once: true });
}

/** Undoes `linkStop`. */
export function unlinkStop(stop: StopSource, target: Abortable): void {
  if (!(stop instanceof AbortSignal)) return stop.unlink(target);
  const onAbort = signalListeners.get(target);
  if (onAbort) stop.removeEventListener('abort', onAbort);
  signalListeners.delete(target);
}

/** Where a client disconnect shows: the Node response, or (no socket, in tests) the Request's signal. */
export type DisconnectSource = { outgoing: ServerResponse } | { request: Request };

/**
 * Each request's time budget. At the deadline or when the client disconnects it stops every
 * call it was passed to (linked calls, and those given `signal`), so work stops instead of piling
 * up; `race` answers at the deadline even if a callee ignores the signal. (`hono/timeout` only races the handler; it
 * does not cancel what the handler started.) Everything is made on first use: a request answered
 * at once (GET /json) pays for no timer, no AbortController and no disconnect listener, and one
 * whose calls `link` the deadline (the upstream client) for no AbortController either: Node's
 * AbortSignal, with the listener each call adds and removes, is among the costliest things a
 * waiting request holds.
 */
export class RequestDeadline implements Deadline, Expiring {
  readonly #startedAt: number;
  readonly #budgetMs: number;
  readonly #disconnect: DisconnectSource;
  #controller: AbortController | undefined;
  /** What `link` asked to stop, most often one call: no array for it. */
  #linked: Abortable | Abortable[] | undefined;
  #reason: unknown;
  #answer: ((reason: unknown) => void) | undefined;
  #watching = false;

  constructor(startedAt: number, budgetMs: number, disconnect: DisconnectSource) {
    this.#startedAt = startedAt;
    this.#budgetMs = budgetMs;
    this.#disconnect = disconnect;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      // Each call in flight listens to it; past ten at once Node warns of a leak: a route that fans
      // out wider raises the limit itself (`setMaxListeners`, see GET /queries).
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
      else this.#watchDisconnect();
    }
    return this.#controller.signal;
  }

  get reason(): unknown {
    return this.#reason;
  }

  link(target: Abortable): void {
    if (this.#reason !== undefined) return target.abort(this.#reason);
    const linked = this.#linked;
    if (linked === undefined) this.#linked = target;
    else if (Array.isArray(linked)) linked.push(target);
    else this.#linked = [linked, target];
    this.#watchDisconnect();
  }

  unlink(target: Abortable): void {
    const linked = this.#linked;
    if (linked === target) this.#linked = undefined;
    else if (Array.isArray(linked)) {
      const index = linked.indexOf(target);
      if (index !== -1) linked.splice(index, 1);
    }
  }

  /** Aborts what the handler started and answers the request with `reason` (504, or the client gone). */
  end(reason: unknown): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const linked = this.#linked;
    this.#linked = undefined;
    if (Array.isArray(linked)) for (const target of linked) target.abort(reason);
    else linked?.abort(reason);
    this.#answer?.(reason);
  }

  /**
   * Settles with `finish(work's response)`, or at the deadline (or disconnect) with
   * `finish(answerFor(reason))` even if `work` never settles; lets go of the timer and the
   * disconnect listener first. One promise, one timer and two closures per request: what a
   * thousand requests waiting on a dependency hold, every garbage collection copies.
   */
  race(work: Promise<Response>, answerFor: (reason: unknown) => Response, finish: (response: Response) => Response): Promise<Response> {
    return new Promise<Response>((resolve) => {
      const timer = deadlineTimer(this.#budgetMs);
      let place = -1;
      const settle = (response: Response | undefined, reason?: unknown): void => {
        if (this.#answer === undefined) return; // settled already
        this.#answer = undefined;
        if (place !== -1) timer.remove(place);
        resolve(finish(response ?? answerFor(reason)));
      };
      this.#answer = (reason) => settle(undefined, reason);
      work.then(settle, this.#answer); // attached first: a late failure of `work` is never unhandled
      if (this.#reason !== undefined) return this.#answer(this.#reason);
      place = timer.add(this);
    });
  }

  /** When the budget runs out (performance.now() time). */
  get expiresAt(): number {
    return this.#startedAt + this.#budgetMs;
  }

  /** The budget ran out (the deadline timer calls it). */
  expire(): void {
    this.end(new DeadlineExceededError(this.#budgetMs));
  }

  /** Ends the request if the client goes away before the response is sent (or already has). */
  #watchDisconnect(): void {
    if (this.#watching) return;
    this.#watching = true;
    const source = this.#disconnect;
    if ('request' in source) {
      // No socket (a Request handled in-process): the Request's own signal says it.
      if (source.request.signal.aborted) return this.end(new ClientClosedError());
      source.request.signal.addEventListener('abort', () => this.end(new ClientClosedError()), { once: true });
      return;
    }
    // On Node, watch the response directly: reading the Request's signal would build a full Request.
    // One shared listener; it stays until the response closes (once, finished or not), which costs
    // less than taking it off when the answer is ready.
    const { outgoing } = source;
    if (outgoing.destroyed && !outgoing.writableFinished) return this.end(new ClientClosedError());
    (outgoing as WatchedResponse)[watcher] = this;
    outgoing.on('close', onResponseClose);
  }
}

/** The deadline a watched response belongs to, kept on the response itself. */
const watcher = Symbol('deadline');
type WatchedResponse = ServerResponse & { [watcher]?: RequestDeadline };

function onResponseClose(this: WatchedResponse): void {
  if (!this.writableFinished) this[watcher]?.end(new ClientClosedError());
}
