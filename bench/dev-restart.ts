/**
 * `npm run bench:dev`: median time from a file write to the first response carrying the new
 * content, over 10 edits, for `asyncsrv dev` beside `tsx watch src/server.ts` in the same run.
 * Targets: within 1.2x of plain `tsx watch`, and under 0.5 s. Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { freePort, waitForLine } from '../test/e2e/helpers/processes.js';

const root = join(import.meta.dirname, '..');
const edits = Number(process.env.BENCH_EDITS ?? 10);
const work = mkdtempSync(join(tmpdir(), 'cas-bench-dev-'));
const project = join(work, 'app');
const env = { ...process.env, NO_COLOR: '1', CI: 'true', CREATE_ASYNC_SERVER_SPEC: `file:${root}` };

async function firstBody(url: string, expected: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const text = await (await fetch(url, { signal: AbortSignal.timeout(1_000) })).text();
      if (text.includes(expected)) return;
    } catch {
      // restarting: refused until the new process listens
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${url} never served ${expected}`);
}

async function measure(label: string, start: (port: number) => ResultPromise): Promise<number[]> {
  const port = await freePort();
  const child = start(port);
  const url = `http://127.0.0.1:${port}/json`;
  await firstBody(url, 'Hello', 60_000);
  const route = join(project, 'src', 'routes', 'json.ts');
  const original = readFileSync(route, 'utf8');
  const samples: number[] = [];
  try {
    for (let i = 0; i < edits; i++) {
      const marker = `${label.replace(/\W/g, '')}-edit-${i}`;
      const started = performance.now();
      writeFileSync(route, original.replace('Hello, World!', marker));
      await firstBody(url, marker);
      samples.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the watcher settle between edits
    }
  } finally {
    writeFileSync(route, original);
    child.kill('SIGINT');
    await child;
  }
  return samples;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

try {
  console.log('Scaffolding and installing a project…');
  spawnSync(process.execPath, [join(root, 'bin/create-async-server.js'), 'app', '--yes', '--no-git'], { cwd: work, env, stdio: 'ignore' });
  const db = execa(join(project, 'node_modules/.bin/tsx'), ['scripts/embedded-db.ts', '--port', '0', '--data', 'memory'], {
    cwd: project,
    env,
    reject: false,
  });
  const databaseUrl = (await waitForLine(db, /DATABASE_URL=(\S+)/))[1]!;
  const childEnv = { ...env, DATABASE_URL: databaseUrl, LOG_FORMAT: 'silent' };
  try {
    const dev = await measure('asyncsrv dev', (port) =>
      execa(join(project, 'node_modules/.bin/asyncsrv'), ['dev', '--port', String(port), '--no-clear'], {
        cwd: project,
        env: childEnv,
        reject: false,
      }),
    );
    const tsx = await measure('tsx watch', (port) =>
      execa(join(project, 'node_modules/.bin/tsx'), ['watch', 'src/server.ts'], {
        cwd: project,
        env: { ...childEnv, PORT: String(port), NODE_ENV: 'development' },
        reject: false,
      }),
    );
    const devMedian = median(dev);
    const tsxMedian = median(tsx);
    console.log(`Edit to first new response, median of ${edits} edits (node ${process.version}, ${new Date().toISOString()})`);
    console.log(
      `  asyncsrv dev          ${devMedian.toFixed(0)} ms   (min ${Math.min(...dev).toFixed(0)}, max ${Math.max(...dev).toFixed(0)})`,
    );
    console.log(
      `  tsx watch (direct)    ${tsxMedian.toFixed(0)} ms   (min ${Math.min(...tsx).toFixed(0)}, max ${Math.max(...tsx).toFixed(0)})`,
    );
    console.log(
      `  ratio dev / tsx watch ${(devMedian / tsxMedian).toFixed(2)}x   target <= 1.2x -> ${devMedian / tsxMedian <= 1.2 ? 'met' : 'MISSED'}`,
    );
    console.log(`  target under 500 ms   -> ${devMedian < 500 ? 'met' : 'MISSED'}`);
  } finally {
    db.kill('SIGTERM');
    await db;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
