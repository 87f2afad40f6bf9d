import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deadline } from './middleware/deadline.js';
import { handleError, handleNotFound, payloadTooLarge } from './middleware/error-handler.js';
import { requestLog } from './middleware/request-log.js';
import { responseHeaders } from './middleware/response-headers.js';
import { concurrentRoutes } from './routes/concurrent.js';
import { dbRoutes } from './routes/db.js';
import { echoRoutes } from './routes/echo.js';
import { externalRoutes } from './routes/external.js';
import { healthRoutes } from './routes/health.js';
import { jsonRoutes } from './routes/json.js';
import { upstreamEchoRoutes } from './routes/upstream-echo.js';
import type { AppDeps, AppEnv } from './types.js';

/**
 * Builds the app from its dependencies (no globals, nothing at import time), so tests build it
 * with their own upstream and database.
 * @example
 * const app = createApp({ upstream, db, logger, limits: { deadlineMs: 5000, bodyLimitBytes: 102400 } });
 * const response = await app.request('/json');
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async function provideDeps(c, next) {
    c.set('upstream', deps.upstream);
    c.set('db', deps.db);
    c.set('logger', deps.logger);
    await next();
  });
  app.use(responseHeaders());
  app.use(requestLog());
  // Only methods that carry a body: on a GET, asking for one makes @hono/node-server build a full
  // Request, and a method-scoped middleware costs a GET nothing at all.
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', bodyLimit({ maxSize: deps.limits.bodyLimitBytes, onError: payloadTooLarge }));
  app.use(deadline({ budgetMs: deps.limits.deadlineMs }));
  // Probes answer even when the process sheds load: they come before the shedder.
  app.route('/', healthRoutes({ isDraining: deps.isDraining ?? (() => false) }));
  if (deps.shedder) app.use(deps.shedder.middleware);

  app.route('/', jsonRoutes());
  app.route('/', dbRoutes());
  app.route('/', externalRoutes());
  app.route('/', concurrentRoutes());
  app.route('/', echoRoutes());
  app.route('/', upstreamEchoRoutes());

  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}
