import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BenchReport } from '../../src/bench/index.js';
import { findNginx, makeTestableNginxConf } from '../unit/templates/deploy-helpers.js';
import { cliEnv, makeTempDir, runAsyncsrv, runCreate } from './helpers/cli.js';
import { freePort, isAlive, waitForHttp, waitForLine } from './helpers/processes.js';

/**
 * The --deploy overlay's nginx.conf for real: Debian's nginx on 127.0.0.1 in front of
 * `asyncsrv start --workers 2`, as the talk deployed aiohttp behind nginx with keep-alive.
 */
let work: Awaited<ReturnType<typeof makeTempDir>>;
let dir: string;
let appPort: number;
let nginxPort: number;
const children: ResultPromise[] = [];

/** Local ports of the established nginx→app connections right now. */
function upstreamConnections(): number[] {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${appPort} )`], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => /127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:\d+/.exec(line)?.[1])
    .filter((port): port is string => port !== undefined)
    .map(Number);
}

beforeAll(async () => {
  const nginx = findNginx();
  work = await makeTempDir('cas-nginx-');
  const created = await runCreate(['app', '--yes', '--deploy', '--no-git'], {
    cwd: work.path,
    env: cliEnv({ CREATE_ASYNC_SERVER_SPEC: `file:${inject('cliTarball')}` }),
    timeout: 300_000,
  });
  expect(created.exitCode, created.stderr).toBe(0);
  dir = join(work.path, 'app');
  expect((await runAsyncsrv(['build'], { cwd: dir, timeout: 120_000 })).exitCode).toBe(0);

  const db = execa(
    join(dir, 'node_modules', '.bin', 'tsx'),
    ['scripts/embedded-db.ts', '--port', '0', '--data', 'memory', '--max-connections', '40'],
    { cwd: dir, reject: false, stdin: 'ignore' },
  );
  children.push(db);
  const databaseUrl = (await waitForLine(db, /DATABASE_URL=(\S+)/))[1]!;
  appPort = await freePort();
  // The app keeps idle sockets longer (4 s) than nginx does (2 s): the shipped 65 s / 60 s, scaled down.
  const app = execa(join(dir, 'node_modules', '.bin', 'asyncsrv'), ['start', '--workers', '2'], {
    cwd: dir,
    reject: false,
    stdin: 'ignore',
    extendEnv: false,
    env: cliEnv({
      PORT: String(appPort),
      DATABASE_URL: databaseUrl,
      UPSTREAM_URL: 'http://127.0.0.1:9', // required in production; this test never calls /external
      LOG_FORMAT: 'silent',
      DB_POOL_MAX: '10',
      KEEP_ALIVE_TIMEOUT_MS: '4000',
      HEADERS_TIMEOUT_MS: '5000',
    }),
  });
  children.push(app);
  await waitForHttp(`http://127.0.0.1:${appPort}/readyz`, 200, 60_000);

  nginxPort = await freePort();
  const prefix = join(work.path, 'nginx');
  await mkdir(prefix, { recursive: true });
  const buildInfo = execFileSync(nginx, ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const conf = makeTestableNginxConf(await readFile(join(dir, 'nginx.conf'), 'utf8'), { tempDir: prefix, port: nginxPort, buildInfo })
    .replace('server 127.0.0.1:3000;', `server 127.0.0.1:${appPort};`)
    .replace(/keepalive_timeout\s+60s;/, 'keepalive_timeout 2s;')
    .replace(/error_log\s+\/dev\/stderr\s+warn;/, `error_log ${join(prefix, 'error.log')} warn;`)
    .replace(/access_log\s+\/dev\/stdout\s+main;/, 'access_log off;');
  const confFile = join(prefix, 'nginx.conf');
  await writeFile(confFile, conf);
  const server = execa(
    nginx,
    ['-p', `${prefix}/`, '-c', confFile, '-e', join(prefix, 'error.log'), '-g', `daemon off; pid ${join(prefix, 'nginx.pid')};`],
    { reject: false, stdin: 'ignore' },
  );
  children.push(server);
  await waitForHttp(`http://127.0.0.1:${nginxPort}/healthz`, 200, 30_000);
}, 400_000);

afterAll(async () => {
  for (const child of children.reverse()) {
    if (child.pid && isAlive(child.pid)) child.kill('SIGTERM');
    await child;
  }
  await work.remove();
});

describe('nginx from the --deploy overlay in front of asyncsrv start --workers 2', () => {
  it('passes thousands of requests over a small pool of kept-alive upstream connections, and no 502 after an idle gap', async () => {
    const seen = new Set<number>();
    const sampler = setInterval(() => {
      for (const port of upstreamConnections()) seen.add(port);
    }, 50);
    const report = join(work.path, 'through-nginx.json');
    const load = await runAsyncsrv(
      ['bench', '--url', `http://127.0.0.1:${nginxPort}/json`, '--amount', '4000', '-c', '30', '--warmup', '0ms', '--json', report],
      { cwd: work.path, timeout: 120_000 },
    );
    clearInterval(sampler);
    expect(load.exitCode, load.stderr).toBe(0);
    const result = (JSON.parse(await readFile(report, 'utf8')) as BenchReport).scenarios[0]!.result;
    expect(result.statusCounts).toEqual({ 200: 4000 });
    // Keep-alive between proxy and backend: with fewer clients (30) than each nginx worker's
    // keepalive pool (32), no upstream connection is ever dropped, so the connections that carried
    // 4000 requests stay within the pools (worker_processes auto: one nginx worker per CPU).
    expect(seen.size).toBeGreaterThan(0);
    expect(seen.size).toBeLessThanOrEqual(32 * availableParallelism());

    // Longer than nginx's upstream idle timeout (2 s): nginx closes its idle sockets first, so no
    // request is sent on a socket the app is closing (the Node keep-alive race that gives 502s).
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const after = await runAsyncsrv(
      ['bench', '--url', `http://127.0.0.1:${nginxPort}/json`, '--amount', '500', '-c', '20', '--warmup', '0ms', '--json', report],
      { cwd: work.path, timeout: 60_000 },
    );
    expect(after.exitCode, after.stderr).toBe(0);
    expect((JSON.parse(await readFile(report, 'utf8')) as BenchReport).scenarios[0]!.result.statusCounts).toEqual({ 200: 500 });
  }, 180_000);
});
