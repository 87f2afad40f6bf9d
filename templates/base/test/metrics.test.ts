import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { loadConfig } from '../src/config.js';
import { testDatabaseUrl } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestUpstream, type TestUpstream } from './support/test-upstream.js';

let upstream: TestUpstream;
let target: TestApp;

beforeAll(async () => {
  upstream = await startTestUpstream();
  target = await startTestApp({ databaseUrl: testDatabaseUrl(), upstreamUrl: upstream.url, metrics: true, deadlineMs: 300 });
  await migrate(target.db.pool);
});

afterAll(async () => {
  await target?.close();
  await upstream?.close();
});

/** The value of one sample line of the Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(): Promise<string> {
  const response = await fetch(`${target.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

describe('GET /metrics', () => {
  it('counts requests by route template, method and status class after known traffic', async () => {
    const before = await scrape();
    const count = (text: string, labels: string): number => sample(text, `http_request_duration_seconds_count{${labels}}`) ?? 0;
    for (let index = 0; index < 3; index += 1) await (await fetch(`${target.url}/json`)).arrayBuffer();
    for (const key of ['a', 'b']) await (await fetch(`${target.url}/upstream/data/${key}`)).arrayBuffer();
    await (await fetch(`${target.url}/nope`)).arrayBuffer();
    await (await fetch(`${target.url}/db`)).arrayBuffer();
    await (await fetch(`${target.url}/external`)).arrayBuffer();
    await (await fetch(`${target.url}/queries?queries=2`)).arrayBuffer();
    await (await fetch(`${target.url}/concurrent/settled`)).arrayBuffer();
    const after = await scrape();

    expect(
      count(after, 'method="GET",route="/json",status_class="2xx"') - count(before, 'method="GET",route="/json",status_class="2xx"'),
    ).toBe(3);
    expect(
      count(after, 'method="GET",route="/upstream/data/:key",status_class="2xx"') -
        count(before, 'method="GET",route="/upstream/data/:key",status_class="2xx"'),
    ).toBe(2);
    expect(after).not.toContain('route="/upstream/data/a"'); // the template, never the raw path
    expect(
      count(after, 'method="GET",route="unmatched",status_class="4xx"') -
        count(before, 'method="GET",route="unmatched",status_class="4xx"'),
    ).toBe(1);
    expect(count(after, 'method="GET",route="/db",status_class="2xx"')).toBeGreaterThanOrEqual(1);
    // routes grouped under a prefix (app.route('/queries', ...)) are labelled by their full template
    expect(count(after, 'method="GET",route="/queries",status_class="2xx"')).toBeGreaterThanOrEqual(1);
    expect(count(after, 'method="GET",route="/concurrent/settled",status_class="2xx"')).toBeGreaterThanOrEqual(1);
    // the pool, the upstream client, the event loop and the process
    expect(sample(after, 'db_pool_clients{state="total"}')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'db_pool_clients{state="waiting"}')).toBe(0);
    expect(sample(after, 'db_pool_wait_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'db_query_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'upstream_requests{state="connected"}')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'upstream_call_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'upstream_circuit_state')).toBe(0);
    expect(sample(after, 'event_loop_delay_seconds{quantile="0.99"}')).toBeGreaterThanOrEqual(0);
    expect(sample(after, 'event_loop_utilization')).toBeGreaterThan(0);
    expect(sample(after, 'http_requests_in_flight')).toBe(1); // the scrape itself
    expect(sample(after, 'app_processes')).toBe(1);
    expect(sample(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('counts a 504 at the deadline and an upstream timeout', async () => {
    const before = await scrape();
    upstream.setBehaviour(() => 'hold');
    try {
      expect((await fetch(`${target.url}/external`)).status).toBe(504);
    } finally {
      upstream.setBehaviour(() => 'echo');
    }
    const after = await scrape();
    expect(
      (sample(after, 'http_failed_responses_total{status="504"}') ?? 0) -
        (sample(before, 'http_failed_responses_total{status="504"}') ?? 0),
    ).toBe(1);
    expect(sample(after, 'http_request_duration_seconds_count{method="GET",route="/external",status_class="5xx"}')).toBeGreaterThanOrEqual(
      1,
    );
  });
});

describe('METRICS and METRICS_PORT', () => {
  const base = { DATABASE_URL: 'postgres://app@127.0.0.1/app' };

  it("are on at the app's port by default, can be turned off or moved, and a bad value is reported", () => {
    expect(loadConfig(base)).toMatchObject({ ok: true, config: { metrics: { enabled: true, port: undefined } } });
    expect(loadConfig({ ...base, METRICS: 'off' })).toMatchObject({ ok: true, config: { metrics: { enabled: false } } });
    expect(loadConfig({ ...base, METRICS_PORT: '9464' })).toMatchObject({ ok: true, config: { metrics: { enabled: true, port: 9464 } } });
    const bad = loadConfig({ ...base, METRICS: 'yes', METRICS_PORT: '3000' });
    expect(!bad.ok && bad.problems).toEqual([
      'Expected `METRICS` to be on or off, got `yes`.',
      "Expected `METRICS_PORT` to differ from `PORT` (3000); leave it unset to serve /metrics on the app's port.",
    ]);
  });
});
