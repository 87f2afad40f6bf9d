import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, createProjectFromTarball, makeTempDir } from './helpers/cli.js';
import { createFreshDatabase } from './helpers/postgres.js';
import { freePort, isAlive, waitForHttp, waitForLine } from './helpers/processes.js';

/**
 * Issue 15, "Migrations with a real tool": a generated project (embedded variant, which runs on
 * PostgreSQL too) built and started as in production, on an empty embedded database and on an
 * empty PostgreSQL database: two servers started at once migrate once, a second boot seeds
 * nothing, and `npm run migrate` (up, down, create) works on both.
 */
let work: Awaited<ReturnType<typeof makeTempDir>>;
let dir: string;
const children: ResultPromise[] = [];
const MIGRATIONS = ['1795700000000_create-world', '1795700000001_seed-world'];

beforeAll(async () => {
  work = await makeTempDir('cas-migrations-');
  dir = await createProjectFromTarball(work.path, ['--db', 'pglite']);
  const build = await execa('npm', ['run', 'build'], { cwd: dir, env: cliEnv(), reject: false, all: true });
  expect(build.exitCode, build.all).toBe(0);
}, 360_000);

afterAll(async () => {
  for (const child of children) if (child.pid && isAlive(child.pid)) child.kill('SIGKILL');
  await work?.remove();
});

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** `node dist/server.js` as in production, JSON logs; resolves once /readyz answers 200. */
async function startServer(databaseUrl: string): Promise<{ child: ResultPromise; stop: () => Promise<string> }> {
  const port = await freePort();
  const child = execa('node', ['dist/server.js'], {
    cwd: dir,
    reject: false,
    stdin: 'ignore',
    all: true,
    env: cliEnv({
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      UPSTREAM_URL: 'http://127.0.0.1:9', // required in production; this test never calls /external
      LAME_DUCK_MS: '0',
    }),
  });
  children.push(child);
  // A server that exits at start-up says why at once, instead of after the 60 s wait for /readyz.
  let starting = true;
  const exitedEarly = child.then((result) => {
    if (starting) throw new Error(`the server exited (${result.exitCode ?? result.signal}) before /readyz said 200:\n${result.all}`);
  });
  try {
    await Promise.race([waitForHttp(`http://127.0.0.1:${port}/readyz`, 200, 60_000), exitedEarly]);
  } finally {
    starting = false;
  }
  return {
    child,
    stop: async () => {
      child.kill('SIGTERM');
      const exited = await child;
      expect(exited.exitCode, exited.all).toBe(0);
      return String(exited.all);
    },
  };
}

const appliedLines = (log: string): string[] => log.split('\n').filter((line) => line.includes('"msg":"applied migrations"'));

function npmRunMigrate(args: string[], databaseUrl: string) {
  return execa('npm', ['run', 'migrate', ...args], { cwd: dir, env: cliEnv({ DATABASE_URL: databaseUrl }), reject: false, all: true });
}

async function scenario(databaseUrl: string): Promise<void> {
  // Two replicas at once on an empty database: one applies both migrations, the other waits and finds nothing to do.
  const [first, second] = await Promise.all([startServer(databaseUrl), startServer(databaseUrl)]);
  const recorded = await query<{ name: string; run_on: Date }>(databaseUrl, 'SELECT name, run_on FROM pgmigrations ORDER BY id');
  expect(recorded.map((row) => row.name)).toEqual(MIGRATIONS);
  expect(await query(databaseUrl, 'SELECT count(*)::int AS n FROM world')).toEqual([{ n: 10_000 }]);
  // 0 is outside the seed's range (1-10,000): a reseed could not keep it, nor a recreated table.
  await query(databaseUrl, 'UPDATE world SET randomnumber = 0 WHERE id = 1');
  const logs = [await first.stop(), await second.stop()];
  expect(logs.flatMap(appliedLines), logs.join('\n')).toHaveLength(1);
  expect(appliedLines(logs.join('\n'))[0]).toContain(MIGRATIONS[1]);

  // A second boot: nothing applied, nothing seeded.
  const again = await startServer(databaseUrl);
  expect(appliedLines(await again.stop())).toEqual([]);
  expect(await query(databaseUrl, 'SELECT randomnumber FROM world WHERE id = 1')).toEqual([{ randomnumber: 0 }]);
  expect(await query<{ name: string; run_on: Date }>(databaseUrl, 'SELECT name, run_on FROM pgmigrations ORDER BY id')).toEqual(recorded);

  // npm run migrate: down one (the seed), down again (the table), up both.
  const down = await npmRunMigrate(['down'], databaseUrl);
  expect(down.exitCode, down.all).toBe(0);
  expect(await query(databaseUrl, 'SELECT count(*)::int AS n FROM world')).toEqual([{ n: 0 }]);
  expect((await npmRunMigrate(['down'], databaseUrl)).exitCode).toBe(0);
  expect(await query(databaseUrl, "SELECT to_regclass('public.world') IS NULL AS gone")).toEqual([{ gone: true }]);
  const up = await npmRunMigrate(['up'], databaseUrl);
  expect(up.exitCode, up.all).toBe(0);
  expect(await query(databaseUrl, 'SELECT count(*)::int AS n FROM world')).toEqual([{ n: 10_000 }]);
  expect((await query<{ name: string }>(databaseUrl, 'SELECT name FROM pgmigrations ORDER BY id')).map((row) => row.name)).toEqual(
    MIGRATIONS,
  );
}

describe('migrations of a generated project', () => {
  it('on the embedded database: two servers at once migrate once, a second boot seeds nothing, npm run migrate up/down', async () => {
    const embedded = execa(join(dir, 'node_modules', '.bin', 'tsx'), ['scripts/embedded-db.ts', '--port', '0', '--data', 'memory'], {
      cwd: dir,
      env: cliEnv(),
      reject: false,
      stdin: 'ignore',
    });
    children.push(embedded);
    const url = (await waitForLine(embedded, /DATABASE_URL=(\S+)/))[1] ?? '';
    try {
      await scenario(url);
    } finally {
      embedded.kill('SIGTERM');
      await embedded;
    }
  }, 240_000);

  it('on PostgreSQL: the same', async () => {
    const database = await createFreshDatabase('cas_migrations');
    try {
      await scenario(database.url);
    } finally {
      await database.drop();
    }
  }, 240_000);

  it('npm run migrate create writes an SQL migration, and npm run db -- npm run migrate up applies it', async () => {
    const created = await execa('npm', ['run', 'migrate', 'create', 'add', 'users'], { cwd: dir, env: cliEnv(), reject: false, all: true });
    expect(created.exitCode, created.all).toBe(0);
    const file = (await readdir(join(dir, 'migrations'))).find((name) => name.endsWith('_add-users.sql'));
    expect(file, created.all).toBeDefined();
    const run = (args: string[]) =>
      execa('npm', ['run', 'db', '--', '--port', '0', '--data', '.data/e2e', '--', 'npm', 'run', 'migrate', ...args], {
        cwd: dir,
        env: cliEnv(),
        reject: false,
        all: true,
        timeout: 120_000,
      });
    const up = await run(['up']);
    expect(up.exitCode, up.all).toBe(0);
    for (const name of [...MIGRATIONS, file?.replace(/\.sql$/, '')]) expect(up.all).toContain(`MIGRATION ${name} (UP)`);
    const again = await run(['up']);
    expect(again.exitCode, again.all).toBe(0);
    expect(again.all).toContain('No migrations to run!');
    await rm(join(dir, 'migrations', file ?? ''));
  }, 240_000);
});
