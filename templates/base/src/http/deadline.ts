import type { ServerResponse } from 'node:http';
import { ClientClosedError, DeadlineExceededError } from '../errors.js';

/** A request's time budget as handlers see it: `c.env.deadline`. */
export interface Deadline {
  /** Aborts at the deadline or when the client disconnects: pass it to every outbound call. */
  readonly signal: AbortSignal;
}

/** Where a client disconnect shows: the Node response, or (no socket, in tests) the Request's signal. */
export type DisconnectSource = { outgoing: ServerResponse } | { request: Request };

/**
 * Each request's time budget. `signal` aborts at the deadline or when the client disconnects and
 * is passed to every upstream call and query, so work stops instead of piling up; `race` answers
 * at the deadline even if a callee ignores the signal. (`hono/timeout` only races the handler; it
 * does not cancel what the handler started.) Everything is made on first use: a request answered
 * at once (GET /json) pays for no timer, no AbortController and no disconnect listener.
 */
export class RequestDeadline implements Deadline {
  readonly #startedAt: number;
  readonly #budgetMs: number;
  readonly #disconnect: DisconnectSource;
  #controller: AbortController | undefined;
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

  /** Aborts what the handler started and answers the request with `reason` (504, or the client gone). */
  end(reason: unknown): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
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
      let timer: NodeJS.Timeout | undefined;
      const settle = (response: Response | undefined, reason?: unknown): void => {
        if (this.#answer === undefined) return; // settled already
        this.#answer = undefined;
        clearTimeout(timer);
        this.#stopWatching();
        resolve(finish(response ?? answerFor(reason)));
      };
      this.#answer = (reason) => settle(undefined, reason);
      work.then(settle, this.#answer); // attached first: a late failure of `work` is never unhandled
      if (this.#reason !== undefined) return this.#answer(this.#reason);
      timer = setTimeout(expire, Math.max(0, this.#budgetMs - (performance.now() - this.#startedAt)), this, this.#budgetMs);
    });
  }

  /** Ends the request if the client goes away before the response is sent (or already has). */
  #watchDisconnect(): void {
    const source = this.#disconnect;
    if ('request' in source) {
      // No socket (a Request handled in-process): the Request's own signal says it.
      if (source.request.signal.aborted) return this.end(new ClientClosedError());
      source.request.signal.addEventListener('abort', () => this.end(new ClientClosedError()), { once: true });
      return;
    }
    // On Node, watch the socket directly: reading the Request's signal would build a full Request.
    const { outgoing } = source;
    if (outgoing.destroyed && !outgoing.writableFinished) return this.end(new ClientClosedError());
    watchers.set(outgoing, this);
    outgoing.on('close', onResponseClose);
    this.#watching = true;
  }

  #stopWatching(): void {
    if (!this.#watching || !('outgoing' in this.#disconnect)) return;
    this.#disconnect.outgoing.off('close', onResponseClose);
    this.#watching = false;
  }
}

function expire(deadline: RequestDeadline, budgetMs: number): void {
  deadline.end(new DeadlineExceededError(budgetMs));
}

/** The deadline each watched response belongs to: one shared listener, no closure per request. */
const watchers = new WeakMap<ServerResponse, RequestDeadline>();

function onResponseClose(this: ServerResponse): void {
  if (!this.writableFinished) watchers.get(this)?.end(new ClientClosedError());
}
