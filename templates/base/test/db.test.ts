import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { WORLD_ROWS } from '../src/routes/db.js';
import { createLogger } from '../src/logger.js';
import { createDatabase } from '../src/resources/database.js';
import * as v from 'valibot';
import { parseQueriesCount, queriesQuery } from '../src/routes/queries.js';
import { testDatabaseUrl, unreachableDatabaseUrl } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestUpstream, type TestUpstream } from './support/test-upstream.js';

interface World {
  id: number;
  randomNumber: number;
}

let upstream: TestUpstream;
let target: TestApp;
let offline: TestApp;

beforeAll(async () => {
  upstream = await startTestUpstream();
  target = await startTestApp({ databaseUrl: testDatabaseUrl(), upstreamUrl: upstream.url });
  offline = await startTestApp({ databaseUrl: unreachableDatabaseUrl, upstreamUrl: upstream.url });
  await migrate(target.db.pool);
});

afterAll(async () => {
  await target?.close();
  await offline?.close();
  await upstream?.close();
});

function expectWorld(row: World): void {
  expect(row.id).toBeGreaterThanOrEqual(1);
  expect(row.id).toBeLessThanOrEqual(WORLD_ROWS);
  expect(Number.isInteger(row.randomNumber)).toBe(true);
}

describe('the migration', () => {
  it('is idempotent and seeds the World table once', async () => {
    await migrate(target.db.pool);
    const { rows } = await target.db.pool.query<{ count: string }>('SELECT count(*) AS count FROM world');
    expect(Number(rows[0]?.count)).toBe(WORLD_ROWS);
  });
});

describe('GET /db', () => {
  it('answers one random row', async () => {
    const response = await fetch(`${target.url}/db`);
    expect(response.status).toBe(200);
    expectWorld((await response.json()) as World);
  });

  it('answers 503 when the database is unreachable', async () => {
    const response = await fetch(`${offline.url}/db`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'database_unavailable' });
  });

  it('makes /readyz answer 503 when the database is unreachable', async () => {
    const response = await fetch(`${offline.url}/readyz`);
    expect(response.status).toBe(503);
  });
});

describe('GET /queries', () => {
  it("runs a wide pool's queries on one deadline signal without a listener-leak warning", async () => {
    const wide = await startTestApp({ databaseUrl: testDatabaseUrl(), upstreamUrl: upstream.url, poolMax: 30 });
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const response = await fetch(`${wide.url}/queries?queries=200`);
      expect(response.status).toBe(200);
      expect(await response.json()).toHaveLength(200);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      await wide.close();
    }
  });

  it('answers N rows', async () => {
    const response = await fetch(`${target.url}/queries?queries=20`);
    const rows = (await response.json()) as World[];
    expect(response.status).toBe(200);
    expect(rows).toHaveLength(20);
    rows.forEach(expectWorld);
  });

  it.each([
    ['0', 1],
    ['abc', 1],
    [undefined, 1],
    ['501', 500],
    ['7', 7],
  ])('clamps queries=%s to %i', (raw, expected) => {
    expect(parseQueriesCount(raw)).toBe(expected);
    expect(v.parse(queriesQuery, raw === undefined ? {} : { queries: raw })).toEqual({ queries: expected });
  });

  it('counts a repeated queries parameter by its first value, and never refuses', async () => {
    const response = await fetch(`${target.url}/queries?queries=3&queries=9`);
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveLength(3);
    expect(((await (await fetch(`${target.url}/queries?queries=lots`)).json()) as World[]).length).toBe(1);
  });

  it('answers 500 rows at most', async () => {
    const response = await fetch(`${target.url}/queries?queries=1000`);
    expect(((await response.json()) as World[]).length).toBe(500);
  });
});

describe('the database pool', () => {
  it('predicts waits from queries on open connections, not from a query that opened one', async () => {
    const db = createDatabase(
      { url: testDatabaseUrl(), poolMax: 2, idleTimeoutMs: 10_000, connectTimeoutMs: 2_000, statementTimeoutMs: 2_000 },
      createLogger({ level: 'silent' }),
    );
    // A slow connect (a database just restarted, a busy machine): the query that opens it holds its slot that long.
    const connectMs = 300;
    db.pool.on('connect', () => {
      const until = performance.now() + connectMs;
      while (performance.now() < until);
    });
    try {
      await Promise.all([1, 2].map(() => db.query('SELECT 1', [], AbortSignal.timeout(5_000))));
      expect(db.pool.totalCount).toBe(2);
      expect(db.stats().holdMs).toBe(0); // two connects: nothing learned, nothing refused on a guess
      await db.query('SELECT 1', [], AbortSignal.timeout(5_000));
      expect(db.pool.totalCount).toBe(2);
      expect(db.stats().holdMs).toBeGreaterThan(0);
      expect(db.stats().holdMs).toBeLessThan(connectMs);

      // Once the pool has closed every connection (here idle; after an outage, failed), the line starts over.
      db.pool.options.idleTimeoutMillis = 50;
      const idled = [1, 2].map(() => db.pool.connect());
      for (const client of await Promise.all(idled)) client.release();
      await vi.waitFor(() => expect(db.pool.totalCount).toBe(0), { timeout: 5_000 });
      await db.query('SELECT 1', [], AbortSignal.timeout(5_000));
      expect(db.stats().holdMs).toBe(0);
    } finally {
      await db.close();
    }
  });

  it("does not learn a connection's first query: a backend that just started pays its own start-up", async () => {
    const db = createDatabase(
      { url: testDatabaseUrl(), poolMax: 1, idleTimeoutMs: 10_000, connectTimeoutMs: 2_000, statementTimeoutMs: 2_000 },
      createLogger({ level: 'silent' }),
    );
    try {
      // A connection someone else opened (a readiness check): the first query of ours on it is slow,
      // as the first queries on a database that just restarted are (CI once saw 56 of 100 refused).
      const client = await db.pool.connect();
      client.release();
      await db.query('SELECT pg_sleep(0.3)', [], AbortSignal.timeout(5_000));
      expect(db.pool.totalCount).toBe(1);
      expect(db.stats().holdMs).toBe(0);
      await db.query('SELECT 1', [], AbortSignal.timeout(5_000));
      expect(db.stats().holdMs).toBeGreaterThan(0);
      expect(db.stats().holdMs).toBeLessThan(300);
    } finally {
      await db.close();
    }
  });

  it('never sends a query whose request gave up while it waited for a free client', async () => {
    const db = createDatabase(
      { url: testDatabaseUrl(), poolMax: 1, idleTimeoutMs: 1_000, connectTimeoutMs: 2_000, statementTimeoutMs: 2_000 },
      createLogger({ level: 'silent' }),
    );
    let checkouts = 0;
    db.pool.on('acquire', () => {
      checkouts += 1;
    });
    try {
      const busy = db.query('SELECT pg_sleep(0.2)', [], AbortSignal.timeout(5_000));
      const gaveUp = new AbortController();
      const abandoned = db.query('SELECT 1', [], gaveUp.signal);
      gaveUp.abort(new Error('the request gave up'));
      await expect(abandoned).rejects.toThrow('the request gave up');
      await busy;
      // First come, first served: had the abandoned query stayed in line, it would have run before this one.
      await db.query('SELECT 1', [], AbortSignal.timeout(5_000));
      expect(checkouts).toBe(2);
    } finally {
      await db.close();
    }
  });
});
