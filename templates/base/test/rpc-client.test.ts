import { hc } from 'hono/client';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { AppType } from '../src/app.js';
import { migrate } from '../src/db/migrate.js';
import { testDatabaseUrl } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestUpstream, type TestUpstream } from './support/test-upstream.js';

let upstream: TestUpstream;
let target: TestApp;
let client: ReturnType<typeof hc<AppType>>;

beforeAll(async () => {
  upstream = await startTestUpstream();
  target = await startTestApp({ databaseUrl: testDatabaseUrl(), upstreamUrl: upstream.url });
  await migrate(target.db.pool);
  client = hc<AppType>(target.url);
});

afterAll(async () => {
  await target?.close();
  await upstream?.close();
});

// `npm run typecheck` checks the types below: a route whose types were erased fails it.
describe("Hono's RPC client on AppType", () => {
  it('calls GET /json with its answer typed', async () => {
    const response = await client.json.$get();
    const body = await response.json();
    expectTypeOf(body).toEqualTypeOf<{ message: string }>();
    expect(body).toEqual({ message: 'Hello, World!' });
  });

  it('sends the typed query of GET /queries and gets typed rows', async () => {
    const response = await client.queries.$get({ query: { queries: '3' } });
    const rows = await response.json();
    expectTypeOf(rows).toEqualTypeOf<Array<{ id: number; randomNumber: number }>>();
    expect(rows).toHaveLength(3);
  });

  it('sends the typed body of POST /echo, and a bad one gets the 400 listing its fields', async () => {
    const ok = await client.echo.$post({ json: { message: 'hi', tags: ['a'] } });
    const echoed = await ok.json();
    expectTypeOf(echoed).toEqualTypeOf<{ echo: { message: string; tags?: string[] | undefined } }>();
    expect(echoed).toEqual({ echo: { message: 'hi', tags: ['a'] } });

    const bad = await client.echo.$post({ json: { message: '' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'validation_failed', fields: [{ field: 'message' }] });
  });

  it('reaches every group under its prefix', async () => {
    const [health, settled] = await Promise.all([client.healthz.$get(), client.concurrent.settled.$get()]);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(await settled.json()).toMatchObject({ failed: [] });
  });
});
