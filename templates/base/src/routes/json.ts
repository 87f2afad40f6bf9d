import { Hono } from 'hono';
import type { AppEnv } from '../types.js';

/** GET /json: serialise a small object; the baseline of every benchmark. */
export function jsonRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/json', (c) => c.json({ message: 'Hello, World!' }));
}
