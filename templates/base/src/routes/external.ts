import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../types.js';

/** GET /external: one upstream call through the shared client, under the request's deadline. */
export function externalRoutes({ upstream }: Pick<AppDeps, 'upstream'>) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const data = await upstream.getJson('/data/external', { deadline: c.env.deadline, requestId: c.env.requestId });
    return c.json({ upstream: data });
  });
}
