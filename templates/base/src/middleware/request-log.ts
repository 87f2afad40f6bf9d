import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../types.js';

/** One log line per request, written when the response is ready (status and duration known). */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLogMiddleware(c, next) {
    const started = performance.now();
    await next();
    c.get('logger').request({
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      requestId: c.get('requestId'),
    });
  };
}
