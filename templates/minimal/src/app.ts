import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { handleError, handleNotFound, payloadTooLarge } from './middleware/error-handler.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { upstreamEchoRoutes } from './routes/upstream-echo.js';
import type { AppDeps, AppEnv } from './types.js';

/**
 * Builds the app from its dependencies (no globals, nothing at import time), so tests build it
 * with their own upstream and database. What every request gets (its id, deadline, logger, the
 * security headers, the access log, load shedding) is not middleware here but the request handler
 * around the app (http/request-handler.ts): a route that answers at once stays synchronous.
 * Each file of routes/ is a group mounted under its prefix, chained so that `AppType` carries
 * every route's path, input and output for Hono's RPC client (`hc<AppType>(url)`).
 * Add a route with `npx asyncsrv add route <name>`, or by hand as routes/README.md says.
 * @example
 * const app = createApp({ upstream, db, limits: { bodyLimitBytes: 102400 } });
 * const handler = createRequestHandler(app, { logger, deadlineMs: 5000 });
 */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  // Only methods that carry a body: on a GET, asking for one makes @hono/node-server build a full
  // Request, and a method-scoped middleware costs a GET nothing at all.
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', bodyLimit({ maxSize: deps.limits.bodyLimitBytes, onError: payloadTooLarge }));

  // Not the API, so not in AppType: Prometheus text, and the built-in upstream for development.
  if (deps.metrics) app.route('/metrics', metricsRoutes(deps.metrics));
  if (deps.upstreamEcho) app.route('/upstream', upstreamEchoRoutes()); // never served in production

  // One `.route(...)` a line: `asyncsrv add route <name>` appends to this chain.
  // prettier-ignore
  const routes = app
    .route('/', healthRoutes({ db: deps.db, isDraining: deps.isDraining ?? (() => false) }));

  app.notFound(handleNotFound);
  app.onError(handleError);
  return routes;
}

/** The app's routes as types, for Hono's RPC client: `hc<AppType>('http://127.0.0.1:3000')`. */
export type AppType = ReturnType<typeof createApp>;
