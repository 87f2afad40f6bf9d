import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cliEnv, makeTempDir, PROJECT_VARIANTS, runCreate, variantFlags } from './helpers/cli.js';
import { startFaultUpstream, type FaultUpstream } from './helpers/fault-upstream.js';
import { createFreshDatabase } from './helpers/postgres.js';
import { freePort, isAlive, waitForHttp, waitForLine } from './helpers/processes.js';

/**
 * Issue "The generated project": for each database × deploy overlay, generate with the real CLI,
 * install (create-async-server from the packed tarball), typecheck, run the project's own tests,
 * build, start the built server, hit every route over HTTP, SIGTERM → exit 0, nothing left running.
 */
describe.each(PROJECT_VARIANTS)('generated project: db $db, deploy $deploy, minimal $minimal', (variant) => {
  const { db, deploy, minimal } = variant;
  let work: Awaited<ReturnType<typeof makeTempDir>>;
  let dir: string;
  let database: { url: string; drop: () => Promise<void> } | undefined;
  const children: ResultPromise[] = [];
  let upstream: FaultUpstream | undefined;
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
    cliEnv({ ...(database ? { DATABASE_URL: database.url } : {}), ...extra });
  const run = (file: string, args: string[], extra: Record<string, string> = {}) =>
    execa(file, args, { cwd: dir, env: env(extra), reject: false, stdin: 'ignore', all: true, timeout: 300_000 });

  beforeAll(async () => {
    work = await makeTempDir(`cas-gen-${db}-`);
    if (db === 'postgres') database = await createFreshDatabase(`cas_${deploy ? 'deploy' : 'plain'}${minimal ? '_minimal' : ''}`);
  });

  afterAll(async () => {
    for (const child of children) if (child.pid && isAlive(child.pid)) child.kill('SIGKILL');
    await upstream?.close();
    await database?.drop();
    await work.remove();
  });

  it('scaffolds and installs with the real CLI, from the packed tarball', async () => {
    const args = ['app', '--yes', ...variantFlags(variant), '--no-git'];
    const result = await runCreate(args, {
      cwd: work.path,
      env: cliEnv({ CREATE_ASYNC_SERVER_SPEC: `file:${inject('cliTarball')}` }),
      timeout: 300_000,
    });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    dir = join(work.path, 'app');
    expect(existsSync(join(dir, 'node_modules', '.bin', 'asyncsrv'))).toBe(true);
    expect(existsSync(join(dir, 'Dockerfile'))).toBe(deploy);
    const lock = await readFile(join(dir, 'package-lock.json'), 'utf8');
    expect(lock).toContain('create-async-server');
  }, 300_000);

  it('typechecks', async () => {
    const result = await run('npx', ['tsc', '--noEmit']);
    expect(result.exitCode, result.all).toBe(0);
  }, 120_000);

  it('passes its own test suite', async () => {
    const result = await run('npm', ['test']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/Tests\s+\d+ passed/);
    expect(result.all).not.toMatch(/skipped/);
  }, 300_000);

  it('builds, starts, serves every route, and exits 0 on SIGTERM', async () => {
    const build = await run('npm', ['run', 'build']);
    expect(build.exitCode, build.all).toBe(0);
    expect(existsSync(join(dir, 'dist', 'server.js'))).toBe(true);

    let databaseUrl = database?.url;
    let embedded: ResultPromise | undefined;
    if (db === 'pglite') {
      embedded = execa(join(dir, 'node_modules', '.bin', 'tsx'), ['scripts/embedded-db.ts', '--port', '0', '--data', 'memory'], {
        cwd: dir,
        env: env(),
        reject: false,
        stdin: 'ignore',
      });
      children.push(embedded);
      databaseUrl = (await waitForLine(embedded, /DATABASE_URL=(\S+)/))[1];
    }
    const port = await freePort();
    const production = {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl ?? '',
      LAME_DUCK_MS: '0',
    };
    // In production the demo echo upstream is not served: a forgotten UPSTREAM_URL is one line and exit 1.
    const refused = await execa('node', ['dist/server.js'], {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
      all: true,
      env: cliEnv(production),
    });
    expect(refused.exitCode, refused.all).toBe(1);
    expect(refused.all.trim()).toMatch(/^`UPSTREAM_URL` is not set: in production \(NODE_ENV=production\) point it at .+$/);

    upstream = await startFaultUpstream();
    const server = execa('node', ['dist/server.js'], {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
      all: true,
      // LAME_DUCK_MS=0: no load balancer here to wait for (execa would SIGKILL a stop longer than 5 s); shutdown-keepalive.test.ts covers it.
      env: cliEnv({ ...production, UPSTREAM_URL: upstream.url }),
    });
    children.push(server);
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/readyz`);

    const get = async (path: string) => {
      const response = await fetch(`${base}${path}`);
      return { status: response.status, body: (await response.json()) as unknown, headers: response.headers };
    };
    if (minimal) {
      // The example route (a query and an upstream call), and none of the demo routes.
      expect(await get('/items/42')).toMatchObject({ status: 200, body: { id: 42, checkedAt: expect.any(String) } });
      expect((await get('/items/nope')).status).toBe(400);
      for (const demo of ['/json', '/db', '/external']) expect((await get(demo)).status, demo).toBe(404);
    } else {
      expect(await get('/json')).toMatchObject({ status: 200, body: { message: 'Hello, World!' } });
      const one = await get('/db');
      expect(one.status).toBe(200);
      expect(one.body).toEqual({ id: expect.any(Number), randomNumber: expect.any(Number) });
      const rows = await get('/queries?queries=7');
      expect(rows.status).toBe(200);
      expect(rows.body).toHaveLength(7);
      expect((await get('/queries?queries=100000')).body).toHaveLength(500);
      expect((await get('/external')).status).toBe(200);
      expect((await get('/concurrent')).status).toBe(200);
    }
    expect(upstream.counts().answered).toBeGreaterThan(0); // the upstream it was given, not itself
    expect((await get('/upstream/data/x')).status).toBe(404);
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
    const missing = await get('/no-such-route');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/json/);

    server.kill('SIGTERM');
    const exited = await server;
    expect(exited.exitCode, exited.all).toBe(0);
    if (embedded) {
      embedded.kill('SIGTERM');
      expect((await embedded).exitCode).toBe(0);
    }
    for (const child of children) expect(isAlive(child.pid!)).toBe(false);
  }, 180_000);
});
