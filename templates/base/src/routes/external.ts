import { Hono } from 'hono';
import type { AppEnv } from '../types.js';

/** GET /external: one upstream call through the shared client, under the request's deadline. */
export function externalRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/external', async (c) => {
    const data = await c.var.upstream.getJson('/data/external', { signal: c.var.deadline.signal, requestId: c.var.requestId });
    return c.json({ upstream: data });
  });
}
