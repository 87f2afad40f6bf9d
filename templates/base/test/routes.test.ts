import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { migrate } from '../src/db/migrate.js';
import { hstsHeader, securityHeaders } from '../src/http/service-response.js';
import { testDatabaseUrl } from './support/test-database.js';
import { serveApp, startTestApp, type TestApp } from './support/test-app.js';
import { startTestUpstream, type TestUpstream } from './support/test-upstream.js';

let upstream: TestUpstream;
let target: TestApp;

beforeAll(async () => {
  upstream = await startTestUpstream();
  target = await startTestApp({ databaseUrl: testDatabaseUrl(), upstreamUrl: upstream.url, bodyLimitBytes: 1_024 });
  await migrate(target.db.pool);
});

afterAll(async () => {
  await target?.close();
  await upstream?.close();
});

describe('routes over HTTP', () => {
  it('GET /json answers the greeting', async () => {
    const response = await fetch(`${target.url}/json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ message: 'Hello, World!' });
  });

  it('GET /healthz says the process is alive', async () => {
    const response = await fetch(`${target.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz says the database answers', async () => {
    const response = await fetch(`${target.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('GET /upstream/data/:key is the built-in default upstream', async () => {
    const response = await fetch(`${target.url}/upstream/data/x`);
    expect(await response.json()).toEqual({ key: 'x', source: 'built-in echo' });
  });

  it('does not serve the built-in echo upstream when told not to (production)', async () => {
    const app = createApp({
      upstream: { getJson: async () => ({}) },
      db: target.db,
      limits: { bodyLimitBytes: 1_024 },
      upstreamEcho: false,
    });
    const served = await serveApp(app);
    try {
      expect((await fetch(`${served.url}/upstream/data/x`)).status).toBe(404);
    } finally {
      await served.close();
    }
  });

  it('sets a request id and every security header on every response: JSON, streamed, errors, 413 and 404', async () => {
    const responses = [
      await fetch(`${target.url}/json`),
      await fetch(`${target.url}/nope`),
      await fetch(`${target.url}/echo`, { method: 'POST', body: 'not json' }),
      await fetch(`${target.url}/echo`, { method: 'POST', body: 'x'.repeat(4_096) }),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 404, 400, 413]);
    for (const response of responses) {
      expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
      for (const [name, value] of securityHeaders) expect(response.headers.get(name), name).toBe(value);
      expect(response.headers.get('strict-transport-security')).toBeNull(); // plain HTTP: RFC 6797 §7.2
    }
  });

  it('sends Strict-Transport-Security when the proxy says the client came over HTTPS, on errors too', async () => {
    const [name, value] = hstsHeader;
    const overHttps = { 'x-forwarded-proto': 'https' };
    const responses = [
      await fetch(`${target.url}/json`, { headers: overHttps }),
      await fetch(`${target.url}/nope`, { headers: { 'x-forwarded-proto': 'https, http' } }),
      await fetch(`${target.url}/echo`, { method: 'POST', body: 'x'.repeat(4_096), headers: overHttps }),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 404, 413]);
    for (const response of responses) expect(response.headers.get(name)).toBe(value);
    for (const proto of ['http', 'http, https', 'httpsx']) {
      const plain = await fetch(`${target.url}/json`, { headers: { 'x-forwarded-proto': proto } });
      expect(plain.headers.get(name), proto).toBeNull();
    }
  });

  it('lets a route set its own value of a security header, sent once', async () => {
    const app = createApp({ upstream: { getJson: async () => ({}) }, db: target.db, limits: { bodyLimitBytes: 1_024 } });
    app.get('/cached', (c) => c.json({ cached: true }, 200, { 'Cache-Control': 'public, max-age=60' }));
    app.get('/stream', (c) =>
      c.body(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('chunk'));
            controller.close();
          },
        }),
      ),
    );
    const served = await serveApp(app);
    try {
      const cached = await fetch(`${served.url}/cached`);
      expect(cached.headers.get('cache-control')).toBe('public, max-age=60');
      expect(cached.headers.get('x-content-type-options')).toBe('nosniff');
      const streamed = await fetch(`${served.url}/stream`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(await streamed.text()).toBe('chunk');
      expect(streamed.headers.get('cache-control')).toBe('no-store');
      expect(streamed.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/); // set one by one on this path
      expect(streamed.headers.get('x-request-id')).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    } finally {
      await served.close();
    }
  });

  it('keeps a valid request id sent by the client, and replaces one that is not', async () => {
    const kept = await fetch(`${target.url}/json`, { headers: { 'x-request-id': 'from-the-proxy-1' } });
    expect(kept.headers.get('x-request-id')).toBe('from-the-proxy-1');
    const replaced = await fetch(`${target.url}/json`, { headers: { 'x-request-id': 'bad id; with spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/); // this process's tag, a counter
    const ids = await Promise.all(Array.from({ length: 20 }, async () => (await fetch(`${target.url}/json`)).headers.get('x-request-id')));
    expect(new Set(ids).size).toBe(20);
  });

  it('limits the body of methods that carry one, and leaves GET alone', async () => {
    expect((await fetch(`${target.url}/echo`, { method: 'POST', body: 'x'.repeat(4_096) })).status).toBe(413);
    expect((await fetch(`${target.url}/nope`, { method: 'PUT', body: '{}' })).status).toBe(404);
    expect((await fetch(`${target.url}/json`)).status).toBe(200);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${target.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found', requestId: expect.any(String) });
  });

  it('refuses a body over the limit with a JSON 413', async () => {
    const response = await fetch(`${target.url}/json`, { method: 'POST', body: 'x'.repeat(4_096) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'payload_too_large' });
  });
});

describe('unexpected errors', () => {
  it('answer a JSON 500 with the request id and no stack', async () => {
    const app = createApp({ upstream: { getJson: async () => ({}) }, db: target.db, limits: { bodyLimitBytes: 1_024 } });
    app.get('/boom', () => {
      throw new Error('secret detail');
    });
    const served = await serveApp(app);
    let response: Response;
    let body: string;
    try {
      response = await fetch(`${served.url}/boom`);
      body = await response.text();
    } finally {
      await served.close();
    }
    expect(response.status).toBe(500);
    expect(JSON.parse(body)).toEqual({
      error: 'internal_error',
      message: 'Internal Server Error',
      requestId: response.headers.get('x-request-id'),
    });
    expect(body).not.toContain('secret detail');
  });
});
