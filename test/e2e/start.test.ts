import { readFile, writeFile } from 'node:fs/promises';
import { createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, createProjectFromTarball, makeTempDir, runAsyncsrv } from './helpers/cli.js';
import { freePort, isAlive, waitForHttp, waitForLine } from './helpers/processes.js';
import { descendantsOf } from './helpers/process-tree.js';

let work: Awaited<ReturnType<typeof makeTempDir>>;
let dir: string;
let database: ResultPromise;
let databaseUrl: string;
let slowUpstream: Server;
let slowUrl: string;
const started: ResultPromise[] = [];

beforeAll(async () => {
  work = await makeTempDir('cas-start-');
  dir = await createProjectFromTarball(work.path);
  database = execa(
    join(dir, 'node_modules', '.bin', 'tsx'),
    ['scripts/embedded-db.ts', '--port', '0', '--data', 'memory', '--max-connections', '40'],
    { cwd: dir, reject: false, stdin: 'ignore' },
  );
  databaseUrl = (await waitForLine(database, /DATABASE_URL=(\S+)/))[1]!;
  slowUpstream = createServer((_request, response) => {
    setTimeout(() => response.end('{"slow":true}'), 800);
  });
  await new Promise<void>((resolve) => slowUpstream.listen(0, '127.0.0.1', resolve));
  slowUrl = `http://127.0.0.1:${(slowUpstream.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  for (const child of started) if (child.pid && isAlive(child.pid)) child.kill('SIGKILL');
  database?.kill('SIGTERM');
  await database;
  slowUpstream?.close();
  await work.remove();
});

/** The value of one sample line of Prometheus text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** GET on a connection of its own (no keep-alive pool), so the cluster may hand it to either worker. */
function getOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    }).on('error', reject);
  });
}

describe('asyncsrv build', () => {
  it('compiles to dist/, and lists type errors as file:line:column with exit 1', async () => {
    const ok = await runAsyncsrv(['build'], { cwd: dir, timeout: 120_000 });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect((await readFile(join(dir, 'dist', 'server.js'), 'utf8')).length).toBeGreaterThan(0);

    const route = join(dir, 'src', 'routes', 'json.ts');
    const original = await readFile(route, 'utf8');
    await writeFile(route, `${original}\nexport const broken: number = 'not a number';\n`);
    try {
      const failed = await runAsyncsrv(['build'], { cwd: dir, timeout: 120_000 });
      expect(failed.exitCode).toBe(1);
      const line = original.split('\n').length + 1;
      expect(failed.stderr).toMatch(
        new RegExp(
          `The project does not compile \\(1 error\\):\\nsrc/routes/json\\.ts:${line}:14  TS2322 Type 'string' is not assignable to type 'number'\\.`,
        ),
      );
      expect(failed.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await writeFile(route, original);
    }
  }, 240_000);
});

describe('asyncsrv start --workers 2', () => {
  it('serves from two workers, restarts one that dies, and drains in-flight requests on SIGTERM before exiting 0', async () => {
    const build = await runAsyncsrv(['build'], { cwd: dir, timeout: 120_000 });
    expect(build.exitCode, build.stderr).toBe(0);
    const port = await freePort();
    let output = '';
    const primary = execa(join(dir, 'node_modules', '.bin', 'asyncsrv'), ['start', '--workers', '2'], {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
      all: true,
      buffer: false,
      // LAME_DUCK_MS=0: this is about the drain (execa would SIGKILL a stop longer than 5 s); shutdown-keepalive.test.ts covers the lame duck.
      env: cliEnv({
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        UPSTREAM_URL: slowUrl,
        LOG_FORMAT: 'silent',
        DB_POOL_MAX: '10',
        LAME_DUCK_MS: '0',
      }),
    });
    started.push(primary);
    primary.all?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/readyz`, 200, 60_000);
    await expect.poll(() => descendantsOf(primary.pid!), { timeout: 30_000 }).toHaveLength(2);
    expect(await (await fetch(`${base}/json`)).json()).toEqual({ message: 'Hello, World!' });

    // One scrape covers both workers: the worker that gets it asks the primary, which sums them all.
    for (let index = 0; index < 20; index += 1) await getOnNewConnection(`${base}/json`); // the cluster spreads connections over the workers
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(sample(metrics, 'app_processes'), metrics.slice(0, 2_000)).toBe(2);
    expect(sample(metrics, 'http_request_duration_seconds_count{method="GET",route="/json",status_class="2xx"}')).toBe(21);

    const [victim] = descendantsOf(primary.pid!);
    process.kill(victim!, 'SIGKILL');
    await expect
      .poll(() => output, { timeout: 10_000 })
      .toMatch(new RegExp(`worker ${victim} died \\(signal SIGKILL\\); restarting in 100 ms`));
    await expect.poll(() => descendantsOf(primary.pid!).filter((pid) => pid !== victim), { timeout: 30_000 }).toHaveLength(2);
    await waitForHttp(`${base}/readyz`, 200, 30_000);

    // In flight: each waits 800 ms on the slow upstream when SIGTERM arrives.
    const inFlight = Array.from({ length: 12 }, () =>
      fetch(`${base}/external`).then(
        (response) => response.status,
        () => -1,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const workers = descendantsOf(primary.pid!);
    primary.kill('SIGTERM');
    expect(await Promise.all(inFlight)).toEqual(Array.from({ length: 12 }, () => 200));
    const exit = await primary;
    expect(exit.exitCode, output).toBe(0);
    for (const pid of workers) expect(isAlive(pid)).toBe(false);
    await expect(fetch(`${base}/json`)).rejects.toThrow();
  }, 240_000);

  it('refuses a bad --workers value (exit 2) and an unbuilt project (exit 1)', async () => {
    const bad = await runAsyncsrv(['start', '--workers', 'many'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('Expected `--workers` to be a count from 1 to 256 or `auto`, got `many`.');
    const { rm } = await import('node:fs/promises');
    await rm(join(dir, 'dist'), { recursive: true, force: true });
    const unbuilt = await runAsyncsrv(['start'], { cwd: dir });
    expect(unbuilt.exitCode).toBe(1);
    expect(unbuilt.stderr).toMatch(/dist\/server\.js does not exist: the project is not built\.\n.*asyncsrv build/);
  });
});
