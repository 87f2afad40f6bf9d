import { execa } from 'execa';
import pg from 'pg';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Makes sure the machine's PostgreSQL answers (starting it as ../shared/services.md says); fails loudly if it cannot. */
export async function ensurePostgres(): Promise<void> {
  if (await answers()) return;
  const clusters = await execa('ls', ['/etc/postgresql'], { reject: false });
  const version = clusters.stdout.split('\n')[0]?.trim();
  if (version) await execa('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { reject: false });
  for (let i = 0; i < 30; i++) {
    if (await answers()) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error('PostgreSQL does not answer on 127.0.0.1:5432 and could not be started (see ../shared/services.md).');
}

async function answers(): Promise<boolean> {
  const result = await execa('pg_isready', ['-h', '127.0.0.1', '-p', '5432', '-q'], { reject: false });
  return result.exitCode === 0;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database for one test run; `drop` removes it (and any connection left to it). */
export async function createFreshDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  await ensurePostgres();
  const name = `${prefix}_${process.pid}_${Date.now()}`.replace(/[^a-z0-9_]/g, '_');
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
