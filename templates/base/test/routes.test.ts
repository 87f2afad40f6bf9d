import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { securityHeaders } from '../src/middleware/response-headers.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { testDatabaseUrl } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';
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

  it('sets a request id and every security header on every response, errors included, over HTTP and in app.request()', async () => {
    for (const response of [await fetch(`${target.url}/json`), await fetch(`${target.url}/nope`), await target.app.request('/json')]) {
      expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
      for (const [name, value] of securityHeaders) expect(response.headers.get(name), name).toBe(value);
    }
  });

  it('keeps a valid request id sent by the client, and replaces one that is not', async () => {
    const kept = await fetch(`${target.url}/json`, { headers: { 'x-request-id': 'from-the-proxy-1' } });
    expect(kept.headers.get('x-request-id')).toBe('from-the-proxy-1');
    const replaced = await fetch(`${target.url}/json`, { headers: { 'x-request-id': 'bad id; with spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
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
    const app = createApp({
      upstream: { getJson: async () => ({}) },
      db: target.db,
      logger: createLogger({ level: 'silent' }),
      limits: { deadlineMs: 1_000, bodyLimitBytes: 1_024 },
    });
    app.get('/boom', () => {
      throw new Error('secret detail');
    });
    const response = await app.request('/boom');
    const body = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(body)).toEqual({ error: 'internal_error', message: 'Internal Server Error', requestId: response.headers.get('x-request-id') });
    expect(body).not.toContain('secret detail');
  });
});
