import { IncomingMessage } from 'node:http';
import type { Http2Bindings, HttpBindings } from '@hono/node-server';
import type { Logger } from '../logger.js';
import { RequestDeadline, type Deadline } from './deadline.js';
import { pickRequestId, ServiceResponse } from './service-response.js';

/** What @hono/node-server hands each request: Node's request and response (absent without a socket). */
export type NodeBindings = Partial<HttpBindings | Http2Bindings>;

export interface RequestScopeOptions {
  /** The process's logger; the request's is a child of it. */
  logger: Logger;
  /** Time budget of one request, in milliseconds. */
  deadlineMs: number;
}

/**
 * What a handler gets for its request as `c.env`, beside Node's `incoming` and `outgoing`: its id,
 * its deadline and its logger. Each is made on first use, so a request that reads none of them
 * costs one small object.
 * @example
 * app.get('/x', async (c) => {
 *   const data = await upstream.getJson('/x', { deadline: c.env.deadline, requestId: c.env.requestId });
 *   c.env.logger.info({ items: data.length }, 'fetched');
 * });
 */
export class RequestScope {
  readonly incoming: IncomingMessage | undefined;
  readonly outgoing: ServiceResponse | undefined;
  /** performance.now() when the request reached the app. */
  readonly startedAt = performance.now();
  readonly #request: Request;
  readonly #options: RequestScopeOptions;
  #requestId: string | undefined;
  #deadline: RequestDeadline | undefined;
  #logger: Logger | undefined;

  constructor(request: Request, bindings: NodeBindings | undefined, options: RequestScopeOptions) {
    this.incoming = bindings?.incoming instanceof IncomingMessage ? bindings.incoming : undefined;
    this.outgoing = bindings?.outgoing instanceof ServiceResponse ? bindings.outgoing : undefined;
    this.#request = request;
    this.#options = options;
  }

  /** The id in the response's `X-Request-Id`: the client's or proxy's when it is sane, else a new one. */
  get requestId(): string {
    return (this.#requestId ??= this.outgoing ? this.outgoing.requestId : pickRequestId(this.#request.headers.get('x-request-id')));
  }

  /** Ends at the deadline or when the client disconnects: pass it to upstream calls (`{ deadline }`), and `deadline.signal` to queries and other clients. */
  get deadline(): Deadline {
    return this.deadlineControl;
  }

  /** The deadline with its controls (`race`, `end`), for the request handler. */
  get deadlineControl(): RequestDeadline {
    const disconnect = this.outgoing ? { outgoing: this.outgoing } : { request: this.#request };
    return (this.#deadline ??= new RequestDeadline(this.startedAt, this.#options.deadlineMs, disconnect));
  }

  /** The request's logger: a child of the app's that adds `requestId` to every line. */
  get logger(): Logger {
    return (this.#logger ??= this.#options.logger.child({ requestId: this.requestId }));
  }

  /** Method and path (no query string) for the access log. */
  get method(): string {
    return this.incoming?.method ?? this.#request.method;
  }

  get path(): string {
    const target = this.incoming?.url ?? new URL(this.#request.url).pathname;
    const query = target.indexOf('?');
    return query === -1 ? target : target.slice(0, query);
  }
}
