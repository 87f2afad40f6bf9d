import type pg from 'pg';

/** Rows of the starter table, after the TechEmpower benchmark's "World" table. */
export const WORLD_ROWS = 10_000;

// Idempotent statements, run at every start-up. When the schema grows, move to a migration tool.
const statements = [
  `CREATE TABLE IF NOT EXISTS world (
     id integer PRIMARY KEY,
     randomnumber integer NOT NULL
   )`,
  `INSERT INTO world (id, randomnumber)
     SELECT n, 1 + floor(random() * ${WORLD_ROWS})::integer FROM generate_series(1, ${WORLD_ROWS}) AS n
     ON CONFLICT (id) DO NOTHING`,
];

/**
 * Creates and seeds the starter table. An advisory lock serialises concurrent starts (several
 * replicas, or parallel test files) so they never race on CREATE TABLE.
 */
export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [7_340_001]);
    // eslint-disable-next-line no-await-in-loop -- in order, in one transaction: each statement needs the one before
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
