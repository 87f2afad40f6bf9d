import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, createProjectFromTarball, makeTempDir, runAsyncsrv } from './helpers/cli.js';
import { parseResponse } from './helpers/keep-alive-load.js';
import { descendantsOf } from './helpers/process-tree.js';
import { freePort, isAlive, waitForHttp, waitForLine } from './helpers/processes.js';
import { openRawConnection, type RawConnection } from './helpers/raw-http.js';
import { formatFigures, runShutdownUnderLoad, type ShutdownFigures } from './helpers/shutdown-run.js';

/**
 * Issue 11, parts 3 and 4: a stop signal under keep-alive load loses no request (lame duck,
 * `Connection: close`, idle sockets closed only after their chance of a next request), however the
 * signal arrives (primary only, whole process group, `npm start` alone), and nothing outlives the
 * process that started it (npm, asyncsrv dev, the embedded database).
 */
const CONNECTIONS = 50;
const LAME_DUCK_MS = 1_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
/** Signal to every process gone: lame duck + drain + the 500 ms parent poll + a margin for a loaded machine. */
const EXIT_BOUND_MS = LAME_DUCK_MS + SHUTDOWN_TIMEOUT_MS + 4_000;

let work: Awaited<ReturnType<typeof makeTempDir>>;
let dir: string;
let database: ResultPromise;
let databaseUrl: string;
let upstream: Server;
let upstreamUrl: string;
const started: ResultPromise[] = [];
const report: string[] = [];

beforeAll(async () => {
  work = await makeTempDir('cas-shutdown-');
  dir = await createProjectFromTarball(work.path);
  const build = await runAsyncsrv(['build'], { cwd: dir, timeout: 120_000 });
  expect(build.exitCode, build.stderr).toBe(0);
  database = execa(
    join(dir, 'node_modules', '.bin', 'tsx'),
    ['scripts/embedded-db.ts', '--port', '0', '--data', 'memory', '--max-connections', '40'],
    { cwd: dir, reject: false, stdin: 'ignore' },
  );
  databaseUrl = (await waitForLine(database, /DATABASE_URL=(\S+)/))[1]!;
  // An upstream that answers at once: the server's responses come back to back, the keep-alive race at its tightest.
  upstream = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end('{"ok":true}');
  });
  upstream.keepAliveTimeout = 70_000;
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', 1_024, resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
}, 400_000);

afterAll(async () => {
  for (const child of started) for (const pid of [child.pid!, ...descendantsOf(child.pid!)]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  database?.kill('SIGTERM');
  await database;
  upstream?.closeAllConnections();
  upstream?.close();
  await work?.remove();
  console.log(report.join('\n'));
}, 60_000);

function serverEnv(port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cliEnv({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    UPSTREAM_URL: upstreamUrl,
    DB_POOL_MAX: '5',
    // Event-loop-lag shedding off: on a busy test machine its 503s would be noise here; this file is about stopping.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    LOG_FORMAT: 'silent',
    LAME_DUCK_MS: String(LAME_DUCK_MS),
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    ...extra,
  });
}

function track(child: ResultPromise): ResultPromise {
  started.push(child);
  return child;
}

/** Waits for `url` to answer 200; fails at once, with the child's output, if the child exits first. */
async function serving(child: ResultPromise, url: string, timeoutMs: number): Promise<void> {
  let output = '';
  child.all?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = child.then((result) => {
    throw new Error(`exited (${result.exitCode ?? result.signal}) before ${url} answered:\n${output}${String(result.all ?? '')}`);
  });
  try {
    await Promise.race([waitForHttp(url, 200, timeoutMs), exited]);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${output}`);
  } finally {
    exited.catch(() => undefined);
  }
}

async function underLoad(name: string, root: ResultPromise, port: number, signal: () => void): Promise<ShutdownFigures> {
  await serving(root, `http://127.0.0.1:${port}/readyz`, 60_000);
  const figures = await runShutdownUnderLoad({
    base: `http://127.0.0.1:${port}`,
    root,
    signal,
    path: '/external',
    connections: CONNECTIONS,
    warmup: 500,
    boundMs: EXIT_BOUND_MS,
  });
  report.push(formatFigures(name, figures));
  return figures;
}

function expectNothingLost(figures: ShutdownFigures): void {
  expect(
    figures.resets.map((o) => `${o.error} (request ${o.indexOnConnection} on its connection)`),
    'requests reset on accepted connections',
  ).toEqual([]);
  expect(
    figures.serverErrors.map((o) => o.status),
    '5xx answers',
  ).toEqual([]);
  expect(figures.afterSignal, 'requests served through the lame duck').toBeGreaterThan(CONNECTIONS);
  expect(figures.left, 'processes left after the drain').toEqual([]);
  expect(figures.exitMs).toBeLessThan(EXIT_BOUND_MS);
}

describe('a stop signal under keep-alive load (50 clients that keep sending on /external)', () => {
  it('(a) SIGTERM to the `asyncsrv start --workers 2` primary only (Kubernetes, Docker): no reset, no 5xx, exit 0, no process left', async () => {
    const port = await freePort();
    const primary = track(
      execa(join(dir, 'node_modules', '.bin', 'asyncsrv'), ['start', '--workers', '2'], {
        cwd: dir,
        env: serverEnv(port),
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        all: true,
      }),
    );
    const figures = await underLoad('(a) SIGTERM to the primary', primary, port, () => process.kill(primary.pid!, 'SIGTERM'));
    expectNothingLost(figures);
    const exit = await primary;
    expect(exit.exitCode, String(exit.all)).toBe(0);
  }, 120_000);

  it('(b) SIGINT to the whole process group (Ctrl-C, systemd): each worker gets it twice and still drains once', async () => {
    const port = await freePort();
    const primary = track(
      execa(join(dir, 'node_modules', '.bin', 'asyncsrv'), ['start', '--workers', '2'], {
        cwd: dir,
        env: serverEnv(port),
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        all: true,
        detached: true,
      }),
    );
    const figures = await underLoad('(b) SIGINT to the process group', primary, port, () => process.kill(-primary.pid!, 'SIGINT'));
    expectNothingLost(figures);
    const exit = await primary;
    expect(exit.exitCode, String(exit.all)).toBe(0);
  }, 120_000);

  it('(c) SIGTERM to `npm start` alone (pm2, kill, CMD ["npm","start"]): npm exits, asyncsrv start notices and drains; no process left', async () => {
    const port = await freePort();
    const npm = track(
      execa('npm', ['start', '--', '--workers', '2'], {
        cwd: dir,
        env: serverEnv(port),
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        all: true,
      }),
    );
    const figures = await underLoad('(c) SIGTERM to npm start', npm, port, () => process.kill(npm.pid!, 'SIGTERM'));
    expectNothingLost(figures);
    expect(String((await npm).all)).toMatch(/has exited[\s\S]*draining 2 workers[\s\S]*stopped\./);
  }, 120_000);
});

/** Sends `GET path` on an open connection and resolves with its status and whether it said `Connection: close`. */
async function send(connection: RawConnection, path: string, timeoutMs = 3_000): Promise<{ status: number; close: boolean } | undefined> {
  const offset = Buffer.byteLength(connection.received(), 'latin1');
  connection.socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const parsed = parseResponse(Buffer.from(connection.received(), 'latin1').subarray(offset));
    if (parsed) return { status: parsed.status, close: parsed.close };
    if (connection.socket.destroyed) return undefined;
    await sleep(5);
  }
  return undefined;
}

async function fresh(base: string, path: string): Promise<{ status: number; close: boolean } | undefined> {
  const connection = await openRawConnection(base);
  try {
    return await send(connection, path);
  } finally {
    connection.socket.destroy();
  }
}

describe('the lame duck (node dist/server.js, LAME_DUCK_MS=2000)', () => {
  it('says 503 on /readyz at once, keeps serving new and kept-alive connections with Connection: close, then refuses; no socket is closed before its chance', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const lameDuckMs = 2_000;
    const server = track(
      execa('node', [join(dir, 'dist', 'server.js')], {
        cwd: dir,
        env: serverEnv(port, { NODE_ENV: 'production', LAME_DUCK_MS: String(lameDuckMs), LOG_FORMAT: 'json' }),
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        all: true,
      }),
    );
    await serving(server, `${base}/readyz`, 60_000);
    const keptAlive = await openRawConnection(base);
    expect(await send(keptAlive, '/json')).toEqual({ status: 200, close: false });

    const signalAt = performance.now();
    server.kill('SIGTERM');
    await sleep(100);
    expect(await fresh(base, '/readyz')).toEqual({ status: 503, close: true });
    expect(await fresh(base, '/json')).toEqual({ status: 200, close: true });
    // Idle since before the signal, well within the bound: its next request is served, then it closes.
    expect(await send(keptAlive, '/json')).toEqual({ status: 200, close: true });
    await keptAlive.closed(2_000);

    // Accepted just before the listener closes, its request written just after: served, not reset.
    await sleep(signalAt + lameDuckMs - 300 - performance.now());
    const lateOpened = await openRawConnection(base);
    let refusedAt = Number.POSITIVE_INFINITY;
    while (performance.now() - signalAt < lameDuckMs + 2_000) {
      const refused = await openRawConnection(base).then(
        (connection) => {
          connection.socket.destroy();
          return false;
        },
        () => true,
      );
      if (refused) {
        refusedAt = performance.now();
        break;
      }
      await sleep(20);
    }
    expect(await send(lateOpened, '/json')).toEqual({ status: 200, close: true });
    report.push(
      `lame duck: /readyz 503 and /json 200 (Connection: close) during it; listener closed ${Math.round(refusedAt - signalAt)} ms after the signal; ` +
        'a socket opened 300 ms before that and used after it: 200',
    );
    expect(refusedAt - signalAt).toBeGreaterThanOrEqual(lameDuckMs - 50);
    expect(refusedAt - signalAt).toBeLessThan(lameDuckMs + 1_000);

    const exit = await server;
    expect(exit.exitCode, String(exit.all)).toBe(0);
    const lines = String(exit.stdout)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'shutting down', reason: 'SIGTERM', lameDuckMs: 2000 }));
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'stopped' }); // buffered JSON lines are flushed before the exit
  }, 120_000);
});

/** Resolves once none of `pids` is alive; the time it took, or undefined past `boundMs`. */
async function goneWithin(pids: number[], boundMs: number): Promise<number | undefined> {
  const started = performance.now();
  while (performance.now() - started < boundMs) {
    if (pids.every((pid) => !isAlive(pid))) return performance.now() - started;
    await sleep(50);
  }
  return undefined;
}

describe('no orphans when the process that started them dies', () => {
  it('asyncsrv dev killed with SIGKILL: the app (IPC disconnect), its warm spare and the embedded database (parent poll) stop by themselves', async () => {
    const port = await freePort();
    const dev = track(
      execa(join(dir, 'node_modules', '.bin', 'asyncsrv'), ['dev', '--no-clear', '--port', String(port)], {
        cwd: dir,
        env: cliEnv({ CI: 'true' }),
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        all: true,
      }),
    );
    await serving(dev, `http://127.0.0.1:${port}/readyz`, 90_000);
    await expect.poll(() => descendantsOf(dev.pid!).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3); // app, spare, database
    const children = descendantsOf(dev.pid!);
    process.kill(dev.pid!, 'SIGKILL');
    const goneMs = await goneWithin(children, 10_000);
    report.push(
      `asyncsrv dev SIGKILLed: its ${children.length} descendants ${goneMs === undefined ? 'NOT all gone' : `gone after ${Math.round(goneMs)} ms`}`,
    );
    expect(children.filter(isAlive), 'processes left').toEqual([]);
    // Stopped, not crashed: the database removed the lock of its data directory.
    expect(existsSync(join(dir, '.data', 'pglite.lock'))).toBe(false);
  }, 150_000);

  it('npm run dev with SIGTERM to npm alone: dev notices, stops the app and the database', async () => {
    const port = await freePort();
    const npm = track(
      execa('npm', ['run', 'dev', '--', '--no-clear', '--port', String(port)], {
        cwd: dir,
        env: cliEnv({ CI: 'true' }),
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        all: true,
      }),
    );
    await serving(npm, `http://127.0.0.1:${port}/readyz`, 90_000);
    const tree = [npm.pid!, ...descendantsOf(npm.pid!)];
    process.kill(npm.pid!, 'SIGTERM');
    const goneMs = await goneWithin(tree, 15_000);
    report.push(
      `npm run dev, SIGTERM to npm: ${tree.length} processes ${goneMs === undefined ? 'NOT all gone' : `gone after ${Math.round(goneMs)} ms`}`,
    );
    expect(tree.filter(isAlive), 'processes left').toEqual([]);
  }, 150_000);

  it('the embedded database running a command, its parent SIGKILLed: it stops the command, waits for its clients to leave, exits', async () => {
    const port = await freePort();
    const env = serverEnv(port, { NODE_ENV: 'production', LAME_DUCK_MS: '0' });
    // The wrapper stands for whatever started it (a shell script, a supervisor that died).
    const wrapper = track(
      execa(
        'node',
        [
          '-e',
          `require('node:child_process').spawn(process.execPath, ['--import', 'tsx', 'scripts/embedded-db.ts', '--port', '0', '--data', 'memory', '--', 'node', 'dist/server.js'], { stdio: 'inherit' }); setInterval(() => {}, 1000);`,
        ],
        { cwd: dir, env, extendEnv: false, reject: false, stdin: 'ignore', all: true },
      ),
    );
    await serving(wrapper, `http://127.0.0.1:${port}/readyz`, 90_000);
    const children = descendantsOf(wrapper.pid!);
    expect(children.length).toBeGreaterThanOrEqual(2); // the database and the server
    process.kill(wrapper.pid!, 'SIGKILL');
    const goneMs = await goneWithin(children, 10_000);
    report.push(
      `embedded-db -- node dist/server.js, wrapper SIGKILLed: ${children.length} processes ${goneMs === undefined ? 'NOT all gone' : `gone after ${Math.round(goneMs)} ms`}`,
    );
    expect(children.filter(isAlive), 'processes left').toEqual([]);
  }, 150_000);
});
