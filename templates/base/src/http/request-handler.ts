import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { OverloadedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { errorResponse } from '../middleware/error-handler.js';
import type { Metrics } from '../observability/metrics.js';
import type { RequestSpan, Tracing } from '../observability/tracing.js';
import type { LoadShedder } from '../resilience/load-shedder.js';
import type { AppEnv } from '../types.js';
import { logAccess } from './access-log.js';
import { RequestScope, type NodeBindings } from './request-scope.js';
import { assertHeadLinesSupported, ServiceResponse } from './service-response.js';

export interface RequestHandlerOptions {
  /** The process's logger: one access line per request at `info`, and each request's child logger. */
  logger: Logger;
  /** Time budget of one request, in milliseconds. */
  deadlineMs: number;
  /** Refuses new requests (503) while the event loop lags; probes are never refused. */
  shedder?: Pick<LoadShedder, 'overloaded' | 'refuses'>;
  /** Records each answered request by its route template (metrics.ts). */
  metrics?: Pick<Metrics, 'request'>;
  /** A span per request, the parent of its upstream calls' and queries' (tracing.ts). */
  tracing?: Pick<Tracing, 'startRequest'>;
}

/** A fetch handler, as `app.fetch` is: `@hono/node-server` serves it, tests call it with a Request. */
export type RequestHandler = ((request: Request, bindings?: NodeBindings) => Response | Promise<Response>) & {
  /** Requests being served now. */
  inFlight(): number;
};

/**
 * What every request gets around the app, in one function rather than a chain of middleware (each
 * layer would cost a promise per request): its scope (`c.env`: id, deadline, logger), load
 * shedding, the deadline's 504 even if a handler ignores the signal, and the access log. A
 * response the app makes at once (GET /json) stays synchronous, the fast path of node-server.
 * @example
 * const handler = createRequestHandler(app, { logger, deadlineMs: 5000 });
 * const server = createHttpServer(handler);
 */
export function createRequestHandler(
  app: Hono<AppEnv>,
  { logger, deadlineMs, shedder, metrics, tracing }: RequestHandlerOptions,
): RequestHandler {
  const accessLog = logger.isLevelEnabled('info');
  const scopeOptions = { logger, deadlineMs };
  let inFlight = 0;
  const spans = new WeakMap<RequestScope, RequestSpan>(); // only when tracing
  const finish = (scope: RequestScope, response: Response): Response => {
    inFlight -= 1;
    if (!accessLog && !metrics && !tracing) return response;
    const elapsedMs = performance.now() - scope.startedAt; // one clock reading for both (each costs about as much as a header)
    if (accessLog) logAccess(logger, scope, response.status, elapsedMs);
    if (metrics || tracing) {
      const route = routeOf(app, scope.method, scope.path);
      metrics?.request(scope.method, route, response.status, elapsedMs / 1_000);
      spans.get(scope)?.end(response.status, route);
    }
    return response;
  };
  const handleRequest = (request: Request, bindings?: NodeBindings): Response | Promise<Response> => {
    inFlight += 1;
    const scope = new RequestScope(request, bindings, scopeOptions);
    if (shedder?.overloaded() && shedder.refuses(scope.path)) {
      return finish(scope, errorResponse(new OverloadedError('the event loop'), scope.requestId));
    }
    const requestSpan = tracing?.startRequest(scope.method, scope.path);
    if (requestSpan) spans.set(scope, requestSpan);
    const response = requestSpan ? requestSpan.run(() => app.fetch(request, scope)) : app.fetch(request, scope);
    if (!(response instanceof Promise)) return finish(scope, response);
    return scope.deadlineControl.race(
      response,
      (reason) => errorResponse(reason, scope.requestId),
      (answer) => finish(scope, answer),
    );
  };
  return Object.assign(handleRequest, { inFlight: () => inFlight });
}

/** The route template that answers `method path` (`/upstream/data/:key`), as Hono's router matches it; `unmatched` for a 404. */
function routeOf(app: Hono<AppEnv>, method: string, path: string): string {
  const [matched] = app.router.match(method === 'HEAD' ? 'GET' : method, path);
  return matched.at(-1)?.[0][1].path ?? 'unmatched';
}

/** The Node server for `handler`: ServiceResponse puts the security headers and request id on every response. */
export function createHttpServer(handler: RequestHandler): Server {
  assertHeadLinesSupported();
  // Node checks headersTimeout and requestTimeout only every connectionsCheckingInterval (30 s by
  // default): check every second, so a client that sends its headers slowly is cut near the bound.
  return createAdaptorServer({
    fetch: handler,
    serverOptions: { ServerResponse: ServiceResponse, connectionsCheckingInterval: 1_000 },
  }) as Server;
}
