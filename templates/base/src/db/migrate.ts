import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The project's migrations/ folder (from src/db or dist/db alike), as `npm run migrate` uses it. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
/** Where node-pg-migrate records what it applied: its default, so `npm run migrate` reads the same table. */
export const MIGRATIONS_TABLE = 'pgmigrations';

export interface MigrateOptions {
  /** Default: the project's migrations/ folder. */
  dir?: string;
  /** node-pg-migrate's warnings and the SQL of a failed statement. */
  onWarning?: (message: string) => void;
}

/**
 * Applies the pending migrations of migrations/ with node-pg-migrate and returns their names
 * (none when the database is up to date). Processes that start together (replicas, cluster
 * workers, parallel test files) wait for each other: one applies, the others then find nothing to do.
 * @example
 * const applied = await migrate(process.env.DATABASE_URL!);
 */
export async function migrate(database: pg.Pool | string, options: MigrateOptions = {}): Promise<string[]> {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const connectionString = typeof database === 'string' ? database : database.options.connectionString;
  // A client of its own: the pool's statement and query timeouts would cut a long migration, or the wait for the lock.
  // eslint-disable-next-line async-server/require-timeout -- a migration, or the wait for another replica's, may take minutes
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    // The usual start-up, nothing pending, costs one query and never loads the migration tool.
    if (await upToDate(client, dir)) return [];
    return await migrateLocked(client, dir, options.onWarning ?? (() => undefined));
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function migrateLocked(client: pg.Client, dir: string, warn: (message: string) => void): Promise<string[]> {
  const { runner, PG_MIGRATE_LOCK_ID } = await import('node-pg-migrate');
  // node-pg-migrate's own lock id, so `npm run migrate` and starting servers wait for each other.
  await client.query('SELECT pg_advisory_lock($1)', [PG_MIGRATE_LOCK_ID]);
  try {
    // One transaction from reading what is applied to recording the new ones. On PostgreSQL the lock
    // alone serialises; on the embedded server every connection shares one session (and so one
    // lock), and it is the open transaction that holds the other connections back. The runner's
    // own BEGIN inside it is a no-op (PostgreSQL warns), and its COMMIT commits the whole.
    await client.query('BEGIN');
    const applied = await runner({
      dbClient: client,
      dir,
      migrationsTable: MIGRATIONS_TABLE,
      schema: 'public',
      direction: 'up',
      checkOrder: true,
      singleTransaction: true,
      noLock: true, // held above
      logger: { debug: () => undefined, info: () => undefined, warn, error: warn },
    });
    await client.query('COMMIT'); // when the runner had nothing to do
    return applied.map((migration) => migration.name);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PG_MIGRATE_LOCK_ID]).catch(() => undefined);
  }
}

/** True when every file of `dir` is recorded as applied (a migration's name is its file name without the extension). */
async function upToDate(client: pg.Client, dir: string): Promise<boolean> {
  const files = (await readdir(dir)).filter((file) => !file.startsWith('.')).map((file) => file.replace(/\.[^.]+$/, ''));
  let applied: Set<string>;
  try {
    // MIGRATIONS_TABLE, written out (SQL is never built from strings).
    const { rows } = await client.query<{ name: string }>('SELECT name FROM public.pgmigrations');
    applied = new Set(rows.map((row) => row.name));
  } catch (error) {
    if ((error as { code?: unknown }).code === '42P01') return false; // no migrations table yet
    throw error;
  }
  return files.every((name) => applied.has(name));
}
