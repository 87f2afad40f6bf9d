import { Hono } from 'hono';
import * as v from 'valibot';
import { validate } from '../middleware/validate.js';
import type { AppEnv } from '../types.js';

/** The body POST /echo accepts: a message of 1 to 1,000 characters, and optional tags. */
export const echoBody = v.object({
  message: v.pipe(v.string(), v.minLength(1), v.maxLength(1_000)),
  tags: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(50))), v.maxLength(10))),
});

/**
 * POST /echo: reads a JSON body (bounded by BODY_LIMIT_BYTES, which answers 413 before the
 * handler runs), validates it, and sends back what the schema kept. Malformed JSON or a body that
 * does not match answers 400, listing the failing fields (middleware/validate.ts).
 */
export function echoRoutes() {
  return new Hono<AppEnv>().post('/', validate('json', echoBody), (c) => c.json({ echo: c.req.valid('json') }));
}
