import type { RouteName } from './route-name.js';

/** `{{token}}` replaced by the route's names; everything else is the generated file as is. */
function fill(template: string, route: RouteName): string {
  const values: Record<string, string> = { name: route.file, prefix: route.prefix, factory: route.factory, schema: route.schema };
  return template.replace(/\{\{(\w+)\}\}/g, (token, key: string) => values[key] ?? token);
}

const routeTemplate = `import { Hono } from 'hono';
import * as v from 'valibot';
import { validate } from '../middleware/validate.js';
import type { AppDeps, AppEnv } from '../types.js';

/** The path parameters of GET {{prefix}}/:id: a positive integer id. */
export const {{schema}} = v.object({
  id: v.pipe(v.string(), v.regex(/^[1-9]\\d{0,8}$/, 'Expected a positive integer.'), v.transform(Number)),
});

interface Row {
  id: number;
  checkedAt: string;
}

/**
 * GET {{prefix}}/:id: one database query and one upstream call, started together (the latency is
 * the slower of the two, not the sum), both under the request's deadline, so a request that times
 * out or whose client leaves cancels them. Replace the SQL and the upstream path with your own.
 * Made by \`asyncsrv add route {{name}}\`; mounted in src/app.ts.
 */
export function {{factory}}({ db, upstream }: Pick<AppDeps, 'db' | 'upstream'>) {
  return new Hono<AppEnv>().get('/:id', validate('param', {{schema}}), async (c) => {
    const { id } = c.req.valid('param');
    const { deadline, requestId } = c.env;
    const [rows, details] = await Promise.all([
      db.query<Row>('SELECT $1::int AS id, now()::text AS "checkedAt"', [id], deadline.signal),
      upstream.getJson(\`/data/{{name}}-\${id}\`, { deadline, requestId }),
    ]);
    return c.json({ id, checkedAt: rows[0]?.checkedAt ?? null, upstream: details });
  });
}
`;

const testTemplate = `import { hc } from 'hono/client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppType } from '../src/app.js';
import { testDatabaseUrl } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestUpstream, type TestUpstream } from './support/test-upstream.js';

let upstream: TestUpstream;
let target: TestApp;

beforeAll(async () => {
  upstream = await startTestUpstream();
  // The upstream's own timeout is longer than the deadline, so the deadline is what fires.
  target = await startTestApp({ databaseUrl: testDatabaseUrl(), upstreamUrl: upstream.url, deadlineMs: 500, upstreamTimeoutMs: 30_000 });
});

afterEach(() => {
  upstream.releaseHeld();
  upstream.setBehaviour(() => 'echo');
});

afterAll(async () => {
  await target?.close();
  await upstream?.close();
});

describe('GET {{prefix}}/:id', () => {
  it('answers with the row and the upstream body, through the typed client', async () => {
    const client = hc<AppType>(target.url);
    const response = await client['{{name}}'][':id'].$get({ param: { id: '42' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 42, checkedAt: expect.any(String), upstream: { path: '/data/{{name}}-42' } });
  });

  it('answers an id that is not a positive integer with a 400 naming the field, and calls nobody', async () => {
    const requestsBefore = upstream.requests;
    const response = await fetch(\`\${target.url}{{prefix}}/abc\`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'validation_failed', fields: [{ field: 'id' }] });
    expect(upstream.requests).toBe(requestsBefore);
  });

  it('answers 504 at the deadline and aborts the upstream call', async () => {
    upstream.setBehaviour(() => 'hold');
    const abortedBefore = upstream.aborted;
    const response = await fetch(\`\${target.url}{{prefix}}/7\`);
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: 'deadline_exceeded' });
    await vi.waitFor(() => expect(upstream.aborted).toBe(abortedBefore + 1));
  });
});
`;

/** src/routes/<name>.ts: a validated input, a DB query and an upstream call under the deadline. */
export function renderRouteFile(route: RouteName): string {
  return fill(routeTemplate, route);
}

/** test/<name>.test.ts: the route over HTTP against the real app, database and a test upstream. */
export function renderRouteTest(route: RouteName): string {
  return fill(testTemplate, route);
}

/** The two files a route adds, by their path in the project: the route and its test. */
export function routeFiles(route: RouteName): Array<{ path: string; content: string }> {
  return [
    { path: `src/routes/${route.file}.ts`, content: renderRouteFile(route) },
    { path: `test/${route.file}.test.ts`, content: renderRouteTest(route) },
  ];
}
