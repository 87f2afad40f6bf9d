import { randomBytes } from 'node:crypto';
import {
  ServerResponse,
  validateHeaderName,
  validateHeaderValue,
  type IncomingMessage,
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
} from 'node:http';
import type { Socket } from 'node:net';
import { stateOf } from '../lifecycle/keep-alive-drain.js';

/**
 * What OWASP's REST Security Cheat Sheet asks of every API response (Content-Type aside, which
 * each response sets). A service that also serves HTML pages wants hono/secure-headers there.
 */
export const securityHeaders: ReadonlyArray<readonly [name: string, value: string]> = [
  ['cache-control', 'no-store'], // a route that may be cached sets its own
  ['content-security-policy', "frame-ancestors 'none'"],
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
];

/**
 * Strict-Transport-Security, on responses that reach the client over HTTPS only: a TLS socket of
 * ours, or a proxy's `X-Forwarded-Proto: https` (deploy/nginx.conf sends it). RFC 6797 §7.2 forbids
 * it over plain HTTP, where browsers ignore it anyway (so a client that sends the header itself
 * gains nothing); Django, Rails and Spring Security do the same.
 */
export const hstsHeader = ['strict-transport-security', 'max-age=31536000; includeSubDomains'] as const;

/** A request id a proxy may send us: short, and nothing a log or a header could be tricked with. */
const SANE_ID = /^[\w\-=]{1,255}$/;

// New ids are this process's random tag and a counter (`4f0c9a1e7b2d-1a2b`): unique across processes
// and restarts like a UUID, without drawing random bytes for every request.
let idPrefix: string | undefined;
let issued = 0;

/** The request id a client or proxy sent in `X-Request-Id` when it is sane, else a new one. */
export function pickRequestId(given: string | string[] | null | undefined): string {
  if (typeof given === 'string' && SANE_ID.test(given)) return given;
  idPrefix ??= `${randomBytes(6).toString('hex')}-`;
  issued += 1;
  return idPrefix + issued.toString(36);
}

/** `X-Forwarded-Proto` whose first hop (the one the client reached) is `https`: `https`, `https, http`. */
const FIRST_HOP_HTTPS = /^\s*https\s*(?:,|$)/i;

/** Over HTTPS: our own TLS socket, or the first hop's word in `X-Forwarded-Proto`. */
export function reachedOverHttps(request: IncomingMessage): boolean {
  if ((request.socket as { encrypted?: boolean } | null)?.encrypted === true) return true;
  const proto = request.headers['x-forwarded-proto'];
  return typeof proto === 'string' && FIRST_HOP_HTTPS.test(proto);
}

// Node validates every header it is given, on every response (the name's characters, then the
// value's, about 1.7k instructions a header): ours are constants, validated here once, and go into
// the head as ready lines right after the status line.
function headLines(headers: ReadonlyArray<readonly [name: string, value: string]>): string {
  let lines = '';
  for (const [name, value] of headers) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    lines += `${name}: ${value}\r\n`;
  }
  return lines;
}
const plainLines = headLines(securityHeaders);
const secureLines = plainLines + headLines([hstsHeader]);
const ours = new Set([...securityHeaders.map(([name]) => name), hstsHeader[0], 'x-request-id']);
/** Whether a header name the handler set is one of ours, by the name as given (handlers reuse a few). */
const oursByGivenName = new Map<string, boolean>();

declare module 'http' {
  interface OutgoingMessage {
    /**
     * Node's own (lib/_http_outgoing.js, in every release line since 0.x, undocumented): writes the
     * head from the status line and the headers writeHead was given or that were set one by one.
     */
    _storeHeader(firstLine: string, headers: unknown): void;
  }
}

/**
 * Throws unless this Node writes response heads through `_storeHeader` as ServiceResponse expects:
 * without it our headers would silently be missing (the generated tests read the raw head too).
 */
export function assertHeadLinesSupported(): void {
  if (typeof ServerResponse.prototype._storeHeader !== 'function') {
    throw new Error(
      `Node ${process.version} has no ServerResponse#_storeHeader: src/http/service-response.ts cannot add the security headers.`,
    );
  }
}

/**
 * The server's response class: every response head carries the security headers (HSTS when it
 * reaches the client over HTTPS) and `X-Request-Id`, errors and 404s included; a header the
 * handler sets itself wins, and is sent once. Ours go in as lines checked once at start-up (see
 * headLines) rather than as headers Node checks again for each response, which cost the server
 * more than anything else it adds to a request.
 * It also counts each connection's responses for the shutdown (lifecycle/keep-alive-drain.ts),
 * which then costs a request no listener.
 * @example
 * const server = createServer({ ServerResponse: ServiceResponse }, listener);
 */
export class ServiceResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  #requestId: string | undefined;
  /** Our head lines for this response, decided in writeHead, written by Node in _storeHeader. */
  #ourLines = '';

  // Node passes its options (highWaterMark, …) as a second argument that @types/node does not declare.
  constructor(...args: [request: Request, options?: object]) {
    super(...(args as unknown as [Request]));
    const connection = stateOf(args[0].socket);
    if (connection) connection.inFlight += 1;
  }

  /** Node calls it once the response is finished: the connection is idle from now on, unless another request waits. */
  override detachSocket(socket: Socket): void {
    const connection = stateOf(socket);
    if (connection) {
      connection.inFlight -= 1;
      connection.idleSince = performance.now();
    }
    super.detachSocket(socket);
  }

  /** The client's or proxy's `X-Request-Id` when it is sane, else a new one; sent back on the response. */
  get requestId(): string {
    return (this.#requestId ??= pickRequestId(this.req.headers['x-request-id']));
  }

  override writeHead(
    statusCode: number,
    reasonOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
    headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
  ): this {
    const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined;
    const given = typeof reasonOrHeaders === 'string' ? headers : reasonOrHeaders;
    if (this.headersSent) return super.writeHead(statusCode, reason, given); // Node's own error
    // Shutting down: Node then sends `Connection: close` and closes the socket after this response.
    if (stateOf(this.socket)?.drain.draining) this.shouldKeepAlive = false;
    this.#ourLines = this.#linesBeside(given);
    return super.writeHead(statusCode, reason, given);
  }

  override _storeHeader(firstLine: string, headers: unknown): void {
    super._storeHeader(firstLine + this.#ourLines, headers);
  }

  /** Our head lines, without those the handler set itself (in `given` or one by one before). */
  #linesBeside(given: OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined): string {
    const secure = reachedOverHttps(this.req);
    // A request id is a sane token (pickRequestId), safe in a head line as it is.
    const idLine = (): string => `x-request-id: ${this.requestId}\r\n`;
    if (this.getHeaderNames().length === 0 && (given === undefined || (!Array.isArray(given) && !setsOneOfOurs(given)))) {
      return (secure ? secureLines : plainLines) + idLine(); // the common case: @hono/node-server gives a plain object
    }
    const theirs = new Set([...this.getHeaderNames(), ...namesIn(given)]);
    const wanted = secure ? [...securityHeaders, hstsHeader] : securityHeaders;
    return headLines(wanted.filter(([name]) => !theirs.has(name))) + (theirs.has('x-request-id') ? '' : idLine());
  }
}

function setsOneOfOurs(headers: OutgoingHttpHeaders): boolean {
  for (const name in headers) {
    let isOurs = oursByGivenName.get(name);
    if (isOurs === undefined) {
      isOurs = ours.has(name.toLowerCase());
      if (oursByGivenName.size < 256) oursByGivenName.set(name, isOurs); // names come from code, but bound it anyway
    }
    if (isOurs) return true;
  }
  return false;
}

/** The header names in what writeHead was given, lower-cased: an object, a flat list or a list of pairs. */
function namesIn(given: OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined): string[] {
  if (given === undefined) return [];
  if (!Array.isArray(given)) return Object.keys(given).map((name) => name.toLowerCase());
  const pairs = given.length > 0 && Array.isArray(given[0]);
  return given.filter((_, index) => pairs || index % 2 === 0).map((entry) => String(Array.isArray(entry) ? entry[0] : entry).toLowerCase());
}
