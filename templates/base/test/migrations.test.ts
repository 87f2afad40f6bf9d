import { readdir } from 'node:fs/promises';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { migrate, MIGRATIONS_DIR } from '../src/db/migrate.js';
import { WORLD_ROWS } from '../src/routes/db.js';
import { testDatabaseUrl } from './support/test-database.js';

interface Recorded {
  id: number;
  name: string;
  run_on: Date;
}

async function query<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe('migrations (migrations/, node-pg-migrate)', () => {
  it('are applied once however many processes migrate at the same time', async () => {
    // Other test files migrate the same database as this one starts: all of them race here too.
    const results = await Promise.all([1, 2, 3, 4].map(() => migrate(testDatabaseUrl())));
    const appliedHere = results.flat();
    expect(new Set(appliedHere).size).toBe(appliedHere.length);

    const files = (await readdir(MIGRATIONS_DIR)).map((file) => file.replace(/\.sql$/, '')).sort();
    const recorded = await query<Recorded>('SELECT id, name, run_on FROM pgmigrations ORDER BY id');
    expect(recorded.map((row) => row.name)).toEqual(files);
    expect(await query('SELECT count(*)::int AS rows FROM world')).toEqual([{ rows: WORLD_ROWS }]);
  });

  it('do nothing on the next start: the seed is not applied again', async () => {
    await migrate(testDatabaseUrl());
    const before = await query<Recorded>('SELECT id, name, run_on FROM pgmigrations ORDER BY id');
    expect(await migrate(testDatabaseUrl())).toEqual([]);
    expect(await query<Recorded>('SELECT id, name, run_on FROM pgmigrations ORDER BY id')).toEqual(before);
  });
});

describe('MIGRATE_ON_START', () => {
  const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', UPSTREAM_URL: 'http://127.0.0.1:4000' };

  it('is on unless set to off, in production too', () => {
    for (const env of [base, { ...base, NODE_ENV: 'production' }, { ...base, MIGRATE_ON_START: 'on' }]) {
      const result = loadConfig(env);
      expect(result.ok && result.config.migrateOnStart).toBe(true);
    }
    const off = loadConfig({ ...base, MIGRATE_ON_START: 'off' });
    expect(off.ok && off.config.migrateOnStart).toBe(false);
  });

  it('refuses anything but on or off, in one line', () => {
    expect(loadConfig({ ...base, MIGRATE_ON_START: 'yes' })).toEqual({
      ok: false,
      problems: ['Expected `MIGRATE_ON_START` to be on or off, got `yes`.'],
    });
  });
});
