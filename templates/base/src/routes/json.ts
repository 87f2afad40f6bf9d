import { Hono } from 'hono';
import type { AppEnv } from '../types.js';

/** GET /json: serialise a small object; the baseline of every benchmark. */
export function jsonRoutes() {
  return new Hono<AppEnv>().get('/', (c) => c.json({ message: 'Hello, World!' }));
}
