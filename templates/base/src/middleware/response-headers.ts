import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../types.js';

/** hono/secure-headers' defaults: what a browser should be told about every response. */
export const securityHeaders = new Map<string, string>([
  ['cross-origin-resource-policy', 'same-origin'],
  ['cross-origin-opener-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=15552000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'SAMEORIGIN'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
]);

/** A request id a proxy may send us: short, and nothing a log or a header could be tricked with. */
const SANE_ID = /^[\w\-=]{1,255}$/;

/**
 * Gives every request an id (`c.var.requestId`: the client's or proxy's `X-Request-Id` when it is
 * sane, else a UUID) and puts it, with the security headers, on the response. On Node they go on
 * the Node response before the handler builds its own, which Node merges in (the handler's win):
 * set on the built Response, as `hono/request-id` and `hono/secure-headers` do, they make
 * `@hono/node-server` leave its fast path for a full `Headers` object on every response.
 * @example
 * app.use(responseHeaders());
 * app.get('/x', (c) => c.json({ id: c.var.requestId }));
 */
export function responseHeaders(): MiddlewareHandler<AppEnv> {
  return async function responseHeadersMiddleware(c, next) {
    const { incoming, outgoing } = c.env ?? {};
    // Node's own header object: `c.req.header()` would build a full Headers for the request.
    const given = incoming ? incoming.headers['x-request-id'] : c.req.header('x-request-id');
    const requestId = typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
    c.set('requestId', requestId);
    if (outgoing) {
      outgoing.setHeaders(securityHeaders);
      outgoing.setHeader('x-request-id', requestId);
    } else {
      // app.request() in tests: no Node response, Hono's headers instead.
      for (const [name, value] of securityHeaders) c.header(name, value);
      c.header('x-request-id', requestId);
    }
    await next();
  };
}
