import { describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { logAccess } from '../src/http/access-log.js';
import { createLogger, type Logger } from '../src/logger.js';
import { formatPrettyLine } from '../src/pretty-log.js';
import { hidePassword } from '../src/redact.js';
import type { AppEnv } from '../src/types.js';
import { memoryLog } from './support/memory-log.js';
import { serveApp } from './support/test-app.js';

/** An app with no database (none of these routes touches one); `addRoutes` adds the test's own. */
function testApp(addRoutes: (app: Hono<AppEnv>) => void): Hono<AppEnv> {
  const db = { query: () => Promise.reject(new Error('no database in this test')), poolMax: 1 };
  const app = createApp({ upstream: { getJson: async () => ({}) }, db, limits: { bodyLimitBytes: 1_024 } });
  addRoutes(app);
  return app;
}

/** Serves `app` with `logger` as the server does, fetches `path` once, and stops. */
async function fetchOnce(app: Hono<AppEnv>, logger: Logger, path: string): Promise<Response> {
  const served = await serveApp(app, { logger });
  try {
    const response = await fetch(`${served.url}${path}`);
    await response.clone().arrayBuffer();
    return response;
  } finally {
    await served.close();
  }
}

describe('request logging', () => {
  it('gives handlers a child logger whose lines carry the request id, and writes one access line', async () => {
    const log = memoryLog();
    const app = testApp((routes) =>
      routes.get('/hello', (c) => {
        c.env.logger.info({ greeted: 'world' }, 'said hello');
        return c.text('hello');
      }),
    );

    const response = await fetchOnce(app, createLogger({ level: 'info', destination: log }), '/hello');
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toEqual(expect.any(String));
    expect(log.entries).toEqual([
      expect.objectContaining({ level: 'info', msg: 'said hello', greeted: 'world', requestId }),
      expect.objectContaining({
        level: 'info',
        msg: 'request',
        method: 'GET',
        path: '/hello',
        status: 200,
        durationMs: expect.any(Number),
        requestId,
      }),
    ]);
  });

  it('logs an unhandled error with its stack and its cause, under the request id', async () => {
    const log = memoryLog();
    const app = testApp((routes) =>
      routes.get('/boom', () => {
        throw new Error('cannot render', { cause: new TypeError('undefined is not a function') });
      }),
    );

    const response = await fetchOnce(app, createLogger({ level: 'info', destination: log }), '/boom');
    expect(response.status).toBe(500);
    const entry = log.entries.find((line) => line['msg'] === 'unhandled error');
    expect(entry).toMatchObject({ level: 'error', requestId: response.headers.get('x-request-id') });
    expect(entry?.['err']).toMatchObject({
      type: 'Error',
      message: 'cannot render',
      stack: expect.stringMatching(/^Error: cannot render\n\s+at /),
      cause: {
        type: 'TypeError',
        message: 'undefined is not a function',
        stack: expect.stringMatching(/^TypeError: undefined is not a function\n\s+at /),
      },
    });
  });

  it("writes the access line exactly as pino's own info() would, bindings and escaping included", () => {
    const lines: string[] = [];
    const root = createLogger({ level: 'info', destination: { write: (line) => void lines.push(line), flushSync: () => undefined } });
    const path = '/files/a "quoted" \\ name/é';
    for (const logger of [root, root.child({ worker: 2 })]) {
      lines.length = 0;
      const scope = { requestId: '4f0c9a1e7b2d-1a', method: 'DELETE', path };
      logAccess(logger, scope, 404, 12.34);
      logger.info({ requestId: scope.requestId, method: 'DELETE', path, status: 404, durationMs: 12.3 }, 'request');
      const withoutTime = (line: string) => line.replace(/"time":\d+/, '"time":0');
      expect(lines).toHaveLength(2);
      expect(withoutTime(lines[0]!)).toBe(withoutTime(lines[1]!));
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ worker: 2, path });
  });

  it('writes durationMs rounded to a tenth of a millisecond, as JSON writes that number', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line) => void lines.push(line), flushSync: () => undefined } });
    const cases: Array<[elapsedMs: number, written: string]> = [
      [0, '0'],
      [0.04, '0'],
      [0.96, '1'],
      [7, '7'],
      [12.34, '12.3'],
      [12.35, '12.4'],
      [1_000.05, '1000.1'],
      [4_999.96, '5000'],
    ];
    for (const [elapsedMs, expected] of cases) {
      lines.length = 0;
      logAccess(logger, { requestId: 'id-1', method: 'GET', path: '/x' }, 200, elapsedMs);
      const written = /"durationMs":([^,}]+)/.exec(lines[0]!)?.[1];
      expect(written, `${elapsedMs} ms`).toBe(expected); // never 7.0 or 12.299999
      expect(String(Number(written))).toBe(written); // as JSON.stringify writes the number
    }
  });
});

describe('redaction', () => {
  it('hides secret headers and the password of a logged URL, and keeps the rest', () => {
    const log = memoryLog();
    const logger = createLogger({ level: 'info', destination: log });
    const headers = { authorization: 'Bearer abc.def', cookie: 'session=42', 'set-cookie': 'session=42', accept: 'application/json' };
    logger.info({ headers, databaseUrl: 'postgres://user:password@host:5432/app', url: 'http://127.0.0.1:3000' }, 'started');
    logger.child({ requestId: 'r1' }).warn({ req: { headers }, upstream: new URL('https://user:password@host/v1') }, 'upstream slow');

    expect(log.entries[0]).toMatchObject({
      headers: { authorization: '[redacted]', cookie: '[redacted]', 'set-cookie': '[redacted]', accept: 'application/json' },
      databaseUrl: 'postgres://user:***@host:5432/app',
      url: 'http://127.0.0.1:3000',
    });
    expect(log.entries[1]).toMatchObject({
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
      upstream: 'https://user:***@host/v1',
    });
    expect(JSON.stringify(log.entries)).not.toMatch(/:password@|abc\.def|session=42/);
    expect(headers.authorization).toBe('Bearer abc.def'); // the caller's object is left as it was
  });

  it('hides the password of a URL that does not parse, and of DATABASE_URL in a config error', () => {
    expect(hidePassword('postgres://user:password@host:99999/app')).toBe('postgres://user:***@host:99999/app'); // port out of range
    expect(hidePassword('postgres://app@127.0.0.1/app')).toBe('postgres://app@127.0.0.1/app');
    const result = loadConfig({ DATABASE_URL: 'mysql://user:password@host/app' });
    expect(!result.ok && result.problems).toEqual(['Expected `DATABASE_URL` to be a postgres:// URL, got `mysql://user:***@host/app`.']);
  });
});

describe('levels', () => {
  const base = { DATABASE_URL: 'postgres://app@127.0.0.1/app' };

  it('LOG_LEVEL=warn drops info lines, the access line included', async () => {
    const result = loadConfig({ ...base, LOG_LEVEL: 'warn' });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const log = memoryLog();
    const app = testApp((routes) =>
      routes.get('/noisy', (c) => {
        c.env.logger.info('routine');
        c.env.logger.warn('unusual');
        return c.text('ok');
      }),
    );

    await fetchOnce(app, createLogger({ level: result.config.logLevel, destination: log }), '/noisy');
    expect(log.entries.map((entry) => [entry['level'], entry['msg']])).toEqual([['warn', 'unusual']]);
  });

  it('LOG_FORMAT=silent is level silent, whatever LOG_LEVEL says; a bad LOG_LEVEL is reported', () => {
    const silent = loadConfig({ ...base, LOG_FORMAT: 'silent', LOG_LEVEL: 'debug' });
    expect(silent.ok && silent.config.logLevel).toBe('silent');
    expect(loadConfig(base)).toMatchObject({ ok: true, config: { logLevel: 'info' } });
    const bad = loadConfig({ ...base, LOG_LEVEL: 'verbose' });
    expect(!bad.ok && bad.problems).toEqual([
      'Expected `LOG_LEVEL` to be one of fatal, error, warn, info, debug, trace, silent, got `verbose`.',
    ]);
  });
});

describe('the development format', () => {
  const time = Date.UTC(2025, 0, 1, 9, 5, 7, 123);

  it('writes an access line as method, path, status and duration, and other lines as message key=value', () => {
    expect(
      formatPrettyLine({
        level: 'info',
        time,
        pid: 1,
        hostname: 'h',
        requestId: 'r1',
        method: 'GET',
        path: '/json',
        status: 200,
        durationMs: 1.2,
        msg: 'request',
      }),
    ).toBe('09:05:07.123 INFO  GET /json 200 1.2ms requestId=r1\n');
    expect(formatPrettyLine({ level: 'warn', time, pid: 1, hostname: 'h', reason: 'SIGTERM', lameDuckMs: 0, msg: 'shutting down' })).toBe(
      '09:05:07.123 WARN  shutting down reason=SIGTERM lameDuckMs=0\n',
    );
  });

  it("shows an error's stack and its cause under the line, and only the message below error level", () => {
    const err = {
      type: 'Error',
      message: 'outer',
      stack: 'Error: outer\n    at a (a.ts:1:1)',
      cause: { type: 'Error', message: 'inner', stack: 'Error: inner\n    at b (b.ts:2:2)' },
    };
    expect(formatPrettyLine({ level: 'error', time, requestId: 'r1', err, msg: 'unhandled error' })).toBe(
      '09:05:07.123 ERROR unhandled error requestId=r1\n    Error: outer\n        at a (a.ts:1:1)\n    caused by: Error: inner\n        at b (b.ts:2:2)\n',
    );
    expect(formatPrettyLine({ level: 'warn', time, err, msg: 'idle database connection failed' })).toBe(
      '09:05:07.123 WARN  idle database connection failed error=outer\n',
    );
  });
});
