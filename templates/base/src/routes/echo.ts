import { Hono } from 'hono';
import { BadRequestError } from '../errors.js';
import type { AppEnv } from '../types.js';

/**
 * POST /echo: reads a JSON body (bounded by BODY_LIMIT_BYTES, which answers 413 before the
 * handler runs) and sends it back; a body that is not JSON is the client's mistake, a 400, not a 500.
 */
export function echoRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/echo', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch (error) {
      throw new BadRequestError('The request body is not valid JSON.', { cause: error });
    }
    return c.json({ echo: body });
  });
}
