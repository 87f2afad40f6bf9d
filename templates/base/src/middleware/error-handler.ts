import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, ClientClosedError } from '../errors.js';
import type { AppEnv } from '../types.js';

/**
 * Every error becomes a JSON body `{ error, message, requestId }`: expected failures keep their
 * status (502, 503, 504...), anything else is a 500 that is logged with its stack and never shows it.
 */
export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  const requestId = c.get('requestId');
  if (error instanceof ClientClosedError) {
    return new Response(null, { status: 499 }); // nginx's code for "client closed request"; nobody reads it
  }
  if (error instanceof AppError) {
    if (error.retryAfterSeconds !== undefined) c.header('retry-after', String(error.retryAfterSeconds));
    return c.json({ error: error.code, message: error.message, requestId }, error.status);
  }
  if (error instanceof HTTPException && error.status < 500) {
    return c.json({ error: 'http_error', message: error.message, requestId }, error.status);
  }
  c.get('logger').error({ err: error }, 'unhandled error'); // the request's logger: its line carries the requestId
  return internalError(c);
};

export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  c.json({ error: 'not_found', message: `No route for ${c.req.method} ${c.req.path}.`, requestId: c.get('requestId') }, 404);

export function payloadTooLarge(c: Context): Response {
  return c.json({ error: 'payload_too_large', message: 'The request body is too large.', requestId: c.get('requestId') }, 413);
}

function internalError(c: Context<AppEnv>): Response {
  return c.json({ error: 'internal_error', message: 'Internal Server Error', requestId: c.get('requestId') }, 500);
}
