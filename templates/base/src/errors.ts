import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An error that maps to one HTTP status and a stable machine-readable `code`. */
export class AppError extends Error {
  /** Sent as `Retry-After` (seconds) with a 503: when trying again makes sense. */
  retryAfterSeconds?: number;

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The client sent something we cannot read (e.g. malformed JSON): 400. */
export class BadRequestError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super(400, 'bad_request', message, options);
  }
}

/** One input that failed validation: where it is (`message`, `items.0.id`) and what is wrong with it. */
export interface InvalidField {
  field: string;
  message: string;
}

/** The request's input does not match its schema (middleware/validate.ts): 400, listing each failing field. */
export class ValidationError extends AppError {
  constructor(
    what: string,
    readonly fields: InvalidField[],
  ) {
    super(400, 'validation_failed', `The request's ${what} is invalid.`);
  }
}

/** The request ran out of its time budget: 504, answered at the deadline. */
export class DeadlineExceededError extends AppError {
  constructor(budgetMs: number) {
    super(504, 'deadline_exceeded', `The request did not finish within its ${budgetMs} ms deadline.`);
  }
}

/** The client went away; nobody reads the answer, but the work behind it is cancelled. */
export class ClientClosedError extends Error {
  override name = 'ClientClosedError';
  constructor() {
    super('The client closed the connection.');
  }
}

/** The upstream answered with an error or could not be reached: 502. */
export class UpstreamError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super(502, 'bad_gateway', message, options);
  }
}

/** One upstream call or DB query exceeded its own timeout: 504. */
export class DependencyTimeoutError extends AppError {
  constructor(what: string, timeoutMs: number, options?: ErrorOptions) {
    super(504, 'dependency_timeout', `${what} did not answer within ${timeoutMs} ms.`, options);
  }
}

/** The database cannot be reached (refused, unreachable, pool exhausted): 503. */
export class DatabaseUnavailableError extends AppError {
  constructor(options?: ErrorOptions) {
    super(503, 'database_unavailable', 'The database is unavailable.', options);
  }
}

/** Admission control refused the work at once: waiting for `what` would outlast its budget. 503. */
export class OverloadedError extends AppError {
  constructor(what: string) {
    super(503, 'overloaded', `The server is overloaded: ${what} is saturated. Retry later.`);
    this.retryAfterSeconds = 1;
  }
}

/** The upstream's circuit breaker is open after a run of failures: calls fail fast. 503. */
export class UpstreamUnavailableError extends AppError {
  constructor(retryAfterMs: number, options?: ErrorOptions) {
    super(503, 'upstream_unavailable', 'The upstream is failing; calls to it are paused.', options);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1_000));
  }
}
