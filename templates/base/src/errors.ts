import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An error that maps to one HTTP status and a stable machine-readable `code`. */
export class AppError extends Error {
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
