import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { securityHeaders } from '../src/http/service-response.js';
import { testDatabaseUrl } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestUpstream, type TestUpstream } from './support/test-upstream.js';

// The wiring every route gets, probed through the routes a minimal project has: the health
// routes, /metrics and the built-in upstream (served outside production only).
let upstream: TestUpstream;
let target: TestApp;

beforeAll(async () => {
  upstream = await startTestUpstream();
  target = await startTestApp({ databaseUrl: testDatabaseUrl(), upstreamUrl: upstream.url, bodyLimitBytes: 1_024, metrics: true });
});

afterAll(async () => {
  await target?.close();
  await upstream?.close();
});

describe('the wiring of a minimal project', () => {
  it('answers the probes: alive, and ready once the database answers', async () => {
    expect(await (await fetch(`${target.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${target.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('puts a request id and every security header on answers, errors included (404, 413)', async () => {
    const responses = [
      await fetch(`${target.url}/healthz`),
      await fetch(`${target.url}/nope`),
      await fetch(`${target.url}/nope`, { method: 'POST', body: 'x'.repeat(4_096) }),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 404, 413]);
    for (const response of responses) {
      expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
      for (const [name, value] of securityHeaders) expect(response.headers.get(name), name).toBe(value);
    }
    expect(await responses[1]?.json()).toMatchObject({ error: 'not_found', requestId: responses[1]?.headers.get('x-request-id') });
  });

  it('serves the built-in upstream for development', async () => {
    expect(await (await fetch(`${target.url}/upstream/data/x`)).json()).toEqual({ key: 'x', source: 'built-in echo' });
  });

  it('counts requests by route template at /metrics', async () => {
    await (await fetch(`${target.url}/upstream/data/a`)).arrayBuffer();
    const text = await (await fetch(`${target.url}/metrics`)).text();
    expect(text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/upstream\/data\/:key",status_class="2xx"\} [1-9]/m);
    expect(text).not.toContain('route="/upstream/data/a"');
  });

  it('migrates with migrations/ still empty: nothing to apply, start-up goes on', async () => {
    expect(await migrate(testDatabaseUrl())).toEqual([]);
  });
});
