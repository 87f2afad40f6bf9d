import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, ClientClosedError, ValidationError, type InvalidField } from '../errors.js';
import type { AppEnv } from '../types.js';

/**
 * Every error becomes a JSON body `{ error, message, requestId }` (a 400 of validation adds
 * `fields: [{ field, message }]`): expected failures keep their
 * status (502, 503, 504...), anything else is a 500 that is logged with its stack and never shows it.
 */
export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  if (!(error instanceof AppError || error instanceof ClientClosedError || (error instanceof HTTPException && error.status < 500))) {
    c.env.logger.error({ err: error }, 'unhandled error'); // the request's logger: its line carries the requestId
  }
  return errorResponse(error, c.env.requestId);
};

export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  jsonError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`, c.env.requestId);

export function payloadTooLarge(c: Context<AppEnv>): Response {
  return jsonError(413, 'payload_too_large', 'The request body is too large.', c.env.requestId);
}

/** The answer for `error`, in or out of a handler (the deadline and the load shedder answer before or beside the app). */
export function errorResponse(error: unknown, requestId: string): Response {
  if (error instanceof ClientClosedError) {
    return new Response(null, { status: 499 }); // nginx's code for "client closed request"; nobody reads it
  }
  if (error instanceof AppError) {
    const retryAfter = error.retryAfterSeconds === undefined ? undefined : String(error.retryAfterSeconds);
    const fields = error instanceof ValidationError ? error.fields : undefined;
    return jsonError(error.status, error.code, error.message, requestId, retryAfter, fields);
  }
  if (error instanceof HTTPException && error.status < 500) {
    // Hono's own 400s (a malformed JSON or form body, seen by a validator) are the client's mistake like ours.
    return jsonError(error.status, error.status === 400 ? 'bad_request' : 'http_error', error.message, requestId);
  }
  return jsonError(500, 'internal_error', 'Internal Server Error', requestId);
}

function jsonError(
  status: number,
  error: string,
  message: string,
  requestId: string,
  retryAfter?: string,
  fields?: InvalidField[],
): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  const body = fields ? { error, message, requestId, fields } : { error, message, requestId };
  return new Response(JSON.stringify(body), { status, headers });
}
