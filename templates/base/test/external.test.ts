import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { testDatabaseUrl } from './support/test-database.js';
import { serveApp, startTestApp, type TestApp } from './support/test-app.js';
import { startTestUpstream, type TestUpstream } from './support/test-upstream.js';

const upstreamConnections = 3;
let upstream: TestUpstream;
let target: TestApp;
let shortDeadline: TestApp;

beforeAll(async () => {
  upstream = await startTestUpstream();
  target = await startTestApp({ databaseUrl: testDatabaseUrl(), upstreamUrl: upstream.url, upstreamConnections });
  // The upstream's own timeout is longer than the deadline, so the deadline is what fires.
  shortDeadline = await startTestApp({
    databaseUrl: testDatabaseUrl(),
    upstreamUrl: upstream.url,
    deadlineMs: 200,
    upstreamTimeoutMs: 30_000,
  });
});

afterEach(() => {
  upstream.releaseHeld();
  upstream.setBehaviour(() => 'echo');
});

afterAll(async () => {
  await target?.close();
  await shortDeadline?.close();
  await upstream?.close();
});

describe('GET /external', () => {
  it('answers with the upstream body', async () => {
    const response = await fetch(`${target.url}/external`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ upstream: { path: '/data/external' } });
  });

  it('answers 502 when the upstream fails', async () => {
    upstream.setBehaviour(() => 'fail');
    const response = await fetch(`${target.url}/external`);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: 'bad_gateway', requestId: expect.any(String) });
  });

  it('answers 504 when one call outlives its own timeout, before the deadline', async () => {
    const shortCall = await startTestApp({
      databaseUrl: testDatabaseUrl(),
      upstreamUrl: upstream.url,
      upstreamTimeoutMs: 300,
      deadlineMs: 5_000,
    });
    try {
      upstream.setBehaviour(() => 'hold');
      const startedAt = performance.now();
      const response = await fetch(`${shortCall.url}/external`);
      expect(response.status).toBe(504);
      expect(await response.json()).toMatchObject({
        error: 'dependency_timeout',
        message: 'The upstream (/data/external) did not answer within 300 ms.',
      });
      expect(performance.now() - startedAt).toBeLessThan(2_000);
    } finally {
      await shortCall.close();
    }
  });

  it('answers 504 at the deadline and aborts the upstream call', async () => {
    upstream.setBehaviour(() => 'hold');
    const abortedBefore = upstream.aborted;
    const response = await fetch(`${shortDeadline.url}/external`);
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: 'deadline_exceeded' });
    await vi.waitFor(() => expect(upstream.aborted).toBe(abortedBefore + 1));
  });

  it('answers 504 at the deadline even when a callee ignores the signal', async () => {
    const app = createApp({
      upstream: { getJson: () => new Promise<never>(() => undefined) },
      db: target.db,
      limits: { bodyLimitBytes: 1_024 },
    });
    const served = await serveApp(app, { deadlineMs: 50 });
    try {
      const started = performance.now();
      const response = await fetch(`${served.url}/external`);
      expect(response.status).toBe(504);
      expect(await response.json()).toMatchObject({ error: 'deadline_exceeded', requestId: response.headers.get('x-request-id') });
      expect(performance.now() - started).toBeLessThan(1_000); // at the deadline, not whenever the callee gives up
    } finally {
      await served.close();
    }
  });

  it('aborts the upstream call when the client disconnects', async () => {
    upstream.setBehaviour(() => 'hold');
    const abortedBefore = upstream.aborted;
    const client = new AbortController();
    const request = fetch(`${target.url}/external`, { signal: client.signal }).catch((error: unknown) => error);
    await upstream.waitForInFlight(1);
    client.abort();
    await request;
    await vi.waitFor(() => expect(upstream.aborted).toBe(abortedBefore + 1));
  });
});

describe('the shared upstream client', () => {
  it('serves many concurrent requests over at most its pool of connections', async () => {
    const connectionsBefore = upstream.connections;
    const responses = await Promise.all(Array.from({ length: 30 }, () => fetch(`${target.url}/external`)));
    expect(responses.map((response) => response.status)).toEqual(Array(30).fill(200));
    const opened = upstream.connections - connectionsBefore;
    expect(opened).toBeLessThanOrEqual(upstreamConnections);
  });

  it('reuses its keep-alive connections across requests', async () => {
    await fetch(`${target.url}/external`).then((response) => response.text());
    const connectionsBefore = upstream.connections;
    for (let index = 0; index < 5; index += 1) {
      await fetch(`${target.url}/external`).then((response) => response.text());
    }
    expect(upstream.connections).toBe(connectionsBefore);
  });
});
