import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
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

  it('sets a request id and secure headers on every response', async () => {
    const response = await fetch(`${target.url}/json`);
    expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('keeps a valid request id sent by the client', async () => {
    const response = await fetch(`${target.url}/json`, { headers: { 'x-request-id': 'from-the-proxy-1' } });
    expect(response.headers.get('x-request-id')).toBe('from-the-proxy-1');
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
