import { setMaxListeners } from 'node:events';
import type { Context, MiddlewareHandler } from 'hono';
import { ClientClosedError, DeadlineExceededError } from '../errors.js';
import type { AppEnv } from '../types.js';

export interface DeadlineOptions {
  /** Time budget of one request, in milliseconds. */
  budgetMs: number;
}

/** A request's time budget as handlers see it: `c.var.deadline`. */
export interface Deadline {
  /** Aborts at the deadline or when the client disconnects: pass it to every outbound call. */
  readonly signal: AbortSignal;
}

/**
 * Gives each request a time budget. `c.var.deadline.signal` aborts at the deadline or when the
 * client disconnects, and is passed to every upstream call and query, so work stops instead of
 * piling up; the request answers 504 at the deadline even if a callee ignores the signal.
 * (`hono/timeout` only races the handler; it does not cancel what the handler started.)
 * @example
 * app.use(deadline({ budgetMs: 5000 }));
 * app.get('/x', (c) => upstream.getJson('/x', { signal: c.var.deadline.signal }));
 */
export function deadline({ budgetMs }: DeadlineOptions): MiddlewareHandler<AppEnv> {
  return async function deadlineMiddleware(c, next) {
    const budget = new RequestDeadline(c);
    const timer = setTimeout(() => budget.end(new DeadlineExceededError(budgetMs)), budgetMs);
    c.set('deadline', budget);
    try {
      await budget.race(next());
    } finally {
      clearTimeout(timer);
      budget.release();
    }
  };
}

/**
 * The signal is made on first use: a handler that calls nothing (GET /json) pays for no
 * AbortController and no disconnect listener (measured on /json: about +30% requests/s).
 */
class RequestDeadline implements Deadline {
  readonly #context: Context<AppEnv>;
  #controller: AbortController | undefined;
  #reason: unknown;
  #failRequest: ((reason: unknown) => void) | undefined;
  #stopWatching: (() => void) | undefined;

  constructor(context: Context<AppEnv>) {
    this.#context = context;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      setMaxListeners(1_000, this.#controller.signal); // one listener per concurrent call: /queries may start 500
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
      else this.#stopWatching = watchClientDisconnect(this.#context, () => this.end(new ClientClosedError()));
    }
    return this.#controller.signal;
  }

  /** Aborts what the handler started and fails the request with `reason` (504 or client gone). */
  end(reason: unknown): void {
    this.#reason ??= reason;
    this.#controller?.abort(reason);
    this.#failRequest?.(reason);
  }

  /** Settles with `work`, or rejects when the deadline ends first, even if `work` never settles. */
  race(work: Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#failRequest = reject;
      work.then(resolve, reject);
    });
  }

  release(): void {
    this.#stopWatching?.();
  }
}

/** Calls `onDisconnect` if the client goes away before the response is sent (or already has). */
function watchClientDisconnect(c: Context<AppEnv>, onDisconnect: () => void): () => void {
  const outgoing = c.env?.outgoing;
  if (!outgoing) {
    // app.request() in tests: no socket; the Request's own signal stands in.
    const requestSignal = c.req.raw.signal;
    if (requestSignal.aborted) onDisconnect();
    requestSignal.addEventListener('abort', onDisconnect, { once: true });
    return () => requestSignal.removeEventListener('abort', onDisconnect);
  }
  // On Node, watch the socket directly: reading `c.req.raw.signal` would build a full Request per request.
  if (outgoing.destroyed && !outgoing.writableFinished) onDisconnect();
  const onClose = (): void => {
    if (!outgoing.writableFinished) onDisconnect();
  };
  outgoing.once('close', onClose);
  return () => outgoing.off('close', onClose);
}
