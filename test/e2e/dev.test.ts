import { readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, createProjectFromTarball, makeTempDir, runAsyncsrv } from './helpers/cli.js';
import { createFreshDatabase } from './helpers/postgres.js';
import { freePort, isAlive } from './helpers/processes.js';

/** Pids of every process whose working directory is `dir` (the dev server, the app, the embedded DB). */
async function processesIn(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    if (cwd === dir) pids.push(Number(entry));
  }
  return pids;
}

/** Bounded poll: resolves when `check` returns a value, fails after `timeoutMs` with `what`. */
async function pollUntil<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function body(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url);
    return await response.text();
  } catch {
    return undefined;
  }
}

interface Dev {
  child: ResultPromise;
  output: () => string;
}

/** The banner is complete once its upstream line follows the URL line of this port. */
function waitForBanner(dev: Dev, port: number): Promise<true> {
  const banner = new RegExp(`dev  http://127\\.0\\.0\\.1:${port}\\n  database .+\\n  upstream .+\\n`);
  return pollUntil(`the banner for port ${port}`, () => (banner.test(dev.output()) ? true : undefined), 60_000);
}

let work: Awaited<ReturnType<typeof makeTempDir>>;
let dir: string;
const started: ResultPromise[] = [];

function startDev(args: string[]): Dev {
  let output = '';
  const child = execa(join(dir, 'node_modules', '.bin', 'asyncsrv'), ['dev', '--no-clear', ...args], {
    cwd: dir,
    env: cliEnv({ CI: 'true' }),
    reject: false,
    stdin: 'ignore',
    all: true,
    buffer: false,
  });
  child.all?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  started.push(child);
  return { child, output: () => output };
}

beforeAll(async () => {
  work = await makeTempDir('cas-dev-');
  dir = await createProjectFromTarball(work.path);
}, 300_000);

afterAll(async () => {
  for (const child of started) if (child.pid && isAlive(child.pid)) child.kill('SIGKILL');
  for (const pid of await processesIn(dir)) process.kill(pid, 'SIGKILL');
  await work.remove();
});

describe('asyncsrv dev in a generated project', () => {
  it('serves, reloads an edit, survives a syntax error, recovers, and leaves no process on Ctrl-C', async () => {
    const port = await freePort();
    const dev = startDev(['--port', String(port)]);
    const base = `http://127.0.0.1:${port}`;
    await pollUntil('the banner', () => (/routes\n[\s\S]*GET\s+\/json/.test(dev.output()) ? true : undefined), 60_000);
    expect(dev.output()).toContain(`http://127.0.0.1:${port}`);
    expect(dev.output()).toMatch(/database\s+embedded PGlite server, data in \.data\/pglite \(postgres@127\.0\.0\.1:\d+\/postgres\)/);
    expect(dev.output()).not.toMatch(/postgres:postgres@/);
    expect(await body(`${base}/json`)).toBe('{"message":"Hello, World!"}');
    expect(await body(`${base}/db`)).toMatch(/"randomNumber"/);

    const route = join(dir, 'src', 'routes', 'json.ts');
    const original = await readFile(route, 'utf8');
    await writeFile(route, original.replace('Hello, World!', 'Hello, edit!'));
    await pollUntil('the edited body', async () => ((await body(`${base}/json`))?.includes('Hello, edit!') ? true : undefined));
    expect(dev.output()).toMatch(/restarted in \d+ ms: src\/routes\/json\.ts/);

    const lines = original.split('\n');
    const brokenLine = lines.findIndex((line) => line.includes('Hello, World!')) + 1;
    await writeFile(route, original.replace("'Hello, World!'", "'Hello, World!' +* )"));
    await pollUntil('the compile error with file:line', () =>
      new RegExp(`json\\.ts:${brokenLine}:\\d+`).test(dev.output()) ? true : undefined,
    );
    await pollUntil('the crash notice', () =>
      /The app crashed \(exit code \d+\)\. Waiting for a change to restart/.test(dev.output()) ? true : undefined,
    );
    expect(isAlive(dev.child.pid!)).toBe(true);

    await writeFile(route, original);
    await pollUntil('recovery', async () => ((await body(`${base}/json`)) === '{"message":"Hello, World!"}' ? true : undefined));

    const pids = await processesIn(dir);
    expect(pids.length).toBeGreaterThanOrEqual(3); // dev, the app, the embedded database
    dev.child.kill('SIGINT');
    const exit = await dev.child;
    expect(exit.exitCode, dev.output()).toBe(0);
    await pollUntil('every process of the project to end', async () => ((await processesIn(dir)).length === 0 ? true : undefined), 10_000);
    for (const pid of pids) expect(isAlive(pid), `pid ${pid} is still running`).toBe(false);
  }, 180_000);

  it('lints the changed files after a restart and shows the findings compactly', async () => {
    const port = await freePort();
    const dev = startDev(['--port', String(port)]);
    await waitForBanner(dev, port);
    const route = join(dir, 'src', 'routes', 'json.ts');
    const original = await readFile(route, 'utf8');
    const lines = original.split('\n').length;
    await writeFile(
      route,
      `${original}
export async function twoCalls(): Promise<number> {
  const a = await fetch('http://127.0.0.1:9/a', { signal: AbortSignal.timeout(1000) });
  const b = await fetch('http://127.0.0.1:9/b', { signal: AbortSignal.timeout(1000) });
  return a.status + b.status;
}
`,
    );
    try {
      await pollUntil('the lint summary', () => (/lint: 1 finding in the changed files/.test(dev.output()) ? true : undefined), 60_000);
      // reported on the second await, the one that waits needlessly
      expect(dev.output()).toMatch(new RegExp(`src/routes/json\\.ts:${lines + 3}:\\d+ {2}async-server/no-sequential-await`));
    } finally {
      await writeFile(route, original);
    }
    dev.child.kill('SIGINT');
    expect((await dev.child).exitCode).toBe(0);
  }, 120_000);

  it('moves to the next free port when its port is taken, and says by whom', async () => {
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const strict = await runAsyncsrv(['dev', '--port', String(port), '--strict-port'], { cwd: dir });
      expect(strict.exitCode).toBe(1);
      expect(strict.stderr).toMatch(new RegExp(`Port ${port} is in use by pid ${process.pid} \\(node.*\\)\\.`));

      const dev = startDev(['--port', String(port), '--quiet']);
      const moved = await pollUntil(
        'the port notice',
        () => new RegExp(`Port ${port} is in use by pid ${process.pid} \\(node.*\\); using (\\d+) instead`).exec(dev.output()) ?? undefined,
        30_000,
      );
      const next = Number(moved[1]);
      await waitForBanner(dev, next);
      expect(await body(`http://127.0.0.1:${next}/json`)).toBe('{"message":"Hello, World!"}');
      expect(dev.output()).not.toMatch(/routes\n/); // --quiet
      dev.child.kill('SIGTERM');
      expect((await dev.child).exitCode, dev.output()).toBe(0);
    } finally {
      blocker.close();
    }
  }, 120_000);

  it('reports a malformed .env line by number and still starts', async () => {
    await writeFile(join(dir, '.env'), '# local settings\nLOG_FORMAT=pretty\nthis is not a variable\n');
    try {
      const port = await freePort();
      const dev = startDev(['--port', String(port)]);
      await waitForBanner(dev, port);
      expect(dev.output()).toMatch(/\.env line 3: expected KEY=value, got `this is not a variable`/);
      dev.child.kill('SIGINT');
      expect((await dev.child).exitCode).toBe(0);
    } finally {
      await writeFile(join(dir, '.env'), '');
    }
  }, 120_000);

  it('says when the app exits by itself, with its exit code, and passes --inspect through', async () => {
    const entry = join(dir, 'src', 'server.ts');
    const original = await readFile(entry, 'utf8');
    const port = await freePort();
    const inspectPort = await freePort();
    const dev = startDev(['--port', String(port), `--inspect=127.0.0.1:${inspectPort}`]);
    try {
      await waitForBanner(dev, port);
      const inspector = await pollUntil('the inspector', async () => {
        const response = await fetch(`http://127.0.0.1:${inspectPort}/json/version`).catch(() => undefined);
        return response?.ok ? ((await response.json()) as { Browser: string }) : undefined;
      });
      expect(inspector.Browser).toMatch(/^node\.js\/v/i);
      await writeFile(entry, "console.log('leaving on purpose');\nprocess.exit(0);\n");
      await pollUntil('the exit notice', () =>
        /The app exited with code 0\. Waiting for a change to restart/.test(dev.output()) ? true : undefined,
      );
      await writeFile(entry, 'process.exit(3);\n');
      await pollUntil('the crash notice', () => (/The app crashed \(exit code 3\)/.test(dev.output()) ? true : undefined));
    } finally {
      await writeFile(entry, original);
    }
    await pollUntil('recovery', async () =>
      (await body(`http://127.0.0.1:${port}/json`)) === '{"message":"Hello, World!"}' ? true : undefined,
    );
    dev.child.kill('SIGINT');
    expect((await dev.child).exitCode).toBe(0);
  }, 120_000);

  it('uses DATABASE_URL from .env instead of the embedded database', async () => {
    const database = await createFreshDatabase('cas_dev');
    await writeFile(join(dir, '.env'), `DATABASE_URL=${database.url}\n`);
    try {
      const port = await freePort();
      const dev = startDev(['--port', String(port)]);
      await waitForBanner(dev, port);
      expect(dev.output()).toContain(`database  PostgreSQL postgres@127.0.0.1:5432/${new URL(database.url).pathname.slice(1)}`);
      expect(dev.output()).not.toContain('embedded');
      expect(await body(`http://127.0.0.1:${port}/db`)).toMatch(/"randomNumber"/);
      dev.child.kill('SIGINT');
      expect((await dev.child).exitCode).toBe(0);
    } finally {
      await writeFile(join(dir, '.env'), '');
      await database.drop();
    }
  }, 120_000);

  it('outside a project: one clear line, exit 1', async () => {
    const result = await runAsyncsrv(['dev'], { cwd: work.path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /Not inside a create-async-server project: no package\.json in `.*` or above\.\n.*npx create-async-server my-app/,
    );
  });

  it('a bad --port is a usage error (exit 2)', async () => {
    const result = await runAsyncsrv(['dev', '--port', 'eighty'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Expected `--port` to be a port number (0-65535), got `eighty`.');
  });
});
