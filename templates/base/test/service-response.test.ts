import { createServer, ServerResponse, type RequestListener, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertHeadLinesSupported, hstsHeader, securityHeaders, ServiceResponse } from '../src/http/service-response.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server with ServiceResponse answering every request with `listener`, on 127.0.0.1. */
async function serve(listener: RequestListener): Promise<number> {
  server = createServer({ ServerResponse: ServiceResponse }, listener);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The response head as sent on the wire: its status line and its header lines, names lower-cased. */
async function rawHead(port: number, requestHeaders = ''): Promise<{ status: string; lines: Array<[string, string]> }> {
  const socket = connect(port, '127.0.0.1');
  socket.write(`GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n${requestHeaders}\r\n`);
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  const [status = '', ...lines] = text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n');
  return {
    status,
    lines: lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  };
}

const valuesOf = (lines: Array<[string, string]>, name: string): string[] => lines.filter(([n]) => n === name).map(([, v]) => v);

describe('ServiceResponse writes our headers into the head once, and the handler’s win', () => {
  it('puts every security header and a request id on a response that sets none', async () => {
    const port = await serve((_request, response) => response.end('ok'));
    const { status, lines } = await rawHead(port);
    expect(status).toBe('HTTP/1.1 200 OK');
    for (const [name, value] of securityHeaders) expect(valuesOf(lines, name), name).toEqual([value]);
    expect(valuesOf(lines, 'x-request-id')).toEqual([expect.stringMatching(/^[0-9a-f]{12}-[0-9a-z]+$/)]);
    expect(valuesOf(lines, hstsHeader[0])).toEqual([]);
  });

  it('adds HSTS over HTTPS (per X-Forwarded-Proto) and keeps a sane id the client sent', async () => {
    const port = await serve((_request, response) => response.writeHead(204).end());
    const { status, lines } = await rawHead(port, 'X-Forwarded-Proto: https\r\nX-Request-Id: from-proxy-7\r\n');
    expect(status).toBe('HTTP/1.1 204 No Content');
    expect(valuesOf(lines, hstsHeader[0])).toEqual([hstsHeader[1]]);
    expect(valuesOf(lines, 'x-request-id')).toEqual(['from-proxy-7']);
  });

  it.each([
    ['an object', { 'Cache-Control': 'max-age=60', 'X-Request-Id': 'mine' }],
    ['a flat list', ['Cache-Control', 'max-age=60', 'X-Request-Id', 'mine']],
    [
      'a list of pairs',
      [
        ['Cache-Control', 'max-age=60'],
        ['X-Request-Id', 'mine'],
      ],
    ],
  ])('sends a header given to writeHead as %s instead of ours, once', async (_form, given) => {
    const port = await serve((_request, response) => response.writeHead(200, given as never).end());
    const { lines } = await rawHead(port);
    expect(valuesOf(lines, 'cache-control')).toEqual(['max-age=60']);
    expect(valuesOf(lines, 'x-request-id')).toEqual(['mine']);
    expect(valuesOf(lines, 'x-frame-options')).toEqual(['DENY']);
  });

  it('sends a header set one by one instead of ours, HSTS included, once', async () => {
    const port = await serve((_request, response) => {
      response.setHeader('Strict-Transport-Security', 'max-age=60');
      response.setHeader('X-Frame-Options', 'SAMEORIGIN');
      response.end('ok');
    });
    const { lines } = await rawHead(port, 'X-Forwarded-Proto: https\r\n');
    expect(valuesOf(lines, hstsHeader[0])).toEqual(['max-age=60']);
    expect(valuesOf(lines, 'x-frame-options')).toEqual(['SAMEORIGIN']);
    expect(valuesOf(lines, 'cache-control')).toEqual(['no-store']);
    expect(valuesOf(lines, 'x-request-id')).toHaveLength(1);
  });

  it('still has Node check the headers a handler gives (only ours are checked once, at start-up)', async () => {
    const port = await serve((_request, response) => {
      try {
        response.writeHead(200, { 'x-bad': 'a\r\nx-injected: 1' });
      } catch (error) {
        response.writeHead(500, { 'x-error': (error as NodeJS.ErrnoException).code ?? 'none' }).end();
      }
    });
    const { status, lines } = await rawHead(port);
    expect(status).toMatch(/^HTTP\/1.1 500 /); // Node keeps the reason phrase of the first call
    expect(valuesOf(lines, 'x-error')).toEqual(['ERR_INVALID_CHAR']);
    expect(valuesOf(lines, 'x-injected')).toEqual([]);
    expect(valuesOf(lines, 'x-content-type-options')).toEqual(['nosniff']);
  });

  it('refuses to start on a Node whose responses have no _storeHeader, rather than send no security headers', () => {
    expect(() => assertHeadLinesSupported()).not.toThrow();
    Object.defineProperty(ServerResponse.prototype, '_storeHeader', { value: undefined, configurable: true });
    try {
      expect(() => assertHeadLinesSupported()).toThrow(/has no ServerResponse#_storeHeader/);
    } finally {
      delete (ServerResponse.prototype as { _storeHeader?: unknown })._storeHeader;
    }
    expect(() => assertHeadLinesSupported()).not.toThrow();
  });
});
