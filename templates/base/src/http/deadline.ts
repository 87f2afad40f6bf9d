import { setMaxListeners } from 'node:events';
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
  #stopWatching: (() => void) | undefined;

  constructor(startedAt: number, budgetMs: number, disconnect: DisconnectSource) {
    this.#startedAt = startedAt;
    this.#budgetMs = budgetMs;
    this.#disconnect = disconnect;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      setMaxListeners(1_000, this.#controller.signal); // one listener per concurrent call: /queries may start 250
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
      else this.#stopWatching = watchClientDisconnect(this.#disconnect, () => this.end(new ClientClosedError()));
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
   * Settles with `work`'s response, or at the deadline (or disconnect) with `answerFor(reason)`,
   * even if `work` never settles; then lets go of the timer and the disconnect listener.
   */
  race(work: Promise<Response>, answerFor: (reason: unknown) => Response): Promise<Response> {
    const remainingMs = this.#budgetMs - (performance.now() - this.#startedAt);
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<Response>((resolve) => {
      this.#answer = (reason) => resolve(answerFor(reason));
      if (this.#reason !== undefined) this.#answer(this.#reason);
      else timer = setTimeout(() => this.end(new DeadlineExceededError(this.#budgetMs)), Math.max(0, remainingMs));
      work.then(resolve, (error: unknown) => resolve(answerFor(error)));
    });
    return answered.finally(() => {
      clearTimeout(timer);
      this.#stopWatching?.();
    });
  }
}

/** Calls `onDisconnect` if the client goes away before the response is sent (or already has). */
function watchClientDisconnect(source: DisconnectSource, onDisconnect: () => void): () => void {
  if ('request' in source) {
    const requestSignal = source.request.signal;
    if (requestSignal.aborted) onDisconnect();
    requestSignal.addEventListener('abort', onDisconnect, { once: true });
    return () => requestSignal.removeEventListener('abort', onDisconnect);
  }
  // On Node, watch the socket directly: reading the Request's signal would build a full Request.
  const { outgoing } = source;
  if (outgoing.destroyed && !outgoing.writableFinished) onDisconnect();
  const onClose = (): void => {
    if (!outgoing.writableFinished) onDisconnect();
  };
  outgoing.once('close', onClose);
  return () => outgoing.off('close', onClose);
}
