import { Hono } from 'hono';
import type { AppEnv } from '../types.js';

/**
 * GET /upstream/data/:key: a tiny built-in upstream, the default UPSTREAM_URL
 * (http://127.0.0.1:$PORT/upstream), so /external and /concurrent work with no setup and never
 * call a public host. Point UPSTREAM_URL at your real service and delete this route.
 */
export function upstreamEchoRoutes() {
  return new Hono<AppEnv>().get('/data/:key', (c) => c.json({ key: c.req.param('key'), source: 'built-in echo' }));
}
