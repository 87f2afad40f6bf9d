import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestUpstream, type TestUpstream } from './support/test-upstream.js';

let upstream: TestUpstream;
let target: TestApp;

beforeAll(async () => {
  upstream = await startTestUpstream();
  target = await startTestApp({ databaseUrl: testDatabaseUrl(), upstreamUrl: upstream.url, upstreamConnections: 8 });
});

afterEach(() => {
  upstream.releaseHeld();
  upstream.setBehaviour(() => 'echo');
});

afterAll(async () => {
  await target?.close();
  await upstream?.close();
});

describe('GET /concurrent', () => {
  it('runs its three upstream calls at the same time', async () => {
    // The upstream holds every call: a sequential handler would never have three in flight.
    upstream.setBehaviour(() => 'hold');
    const request = fetch(`${target.url}/concurrent`);
    await upstream.waitForInFlight(3);
    upstream.releaseHeld();
    const response = await request;
    expect(response.status).toBe(200);
    expect(upstream.maxInFlight).toBe(3);
    expect(await response.json()).toEqual({
      a: { path: '/data/a' },
      b: { path: '/data/b' },
      c: { path: '/data/c' },
    });
  });

  it('fails with 502 when one call fails', async () => {
    upstream.setBehaviour((path) => (path.endsWith('/b') ? 'fail' : 'echo'));
    const response = await fetch(`${target.url}/concurrent`);
    expect(response.status).toBe(502);
  });
});

describe('GET /concurrent/settled', () => {
  it('answers with the parts that succeeded and lists the failed ones', async () => {
    upstream.setBehaviour((path) => (path.endsWith('/b') ? 'fail' : 'echo'));
    const response = await fetch(`${target.url}/concurrent/settled`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ a: { path: '/data/a' }, b: null, c: { path: '/data/c' }, failed: ['b'] });
  });

  it('answers 502 when every call fails', async () => {
    upstream.setBehaviour(() => 'fail');
    const response = await fetch(`${target.url}/concurrent/settled`);
    expect(response.status).toBe(502);
  });
});
