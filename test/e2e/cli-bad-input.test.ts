import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, createProjectFromTarball, listFiles, makeTempDir, runAsyncsrv, runCreate, type CliResult } from './helpers/cli.js';
import { asyncsrvBin, createBin } from './helpers/paths.js';
import { descendantsOf } from './helpers/process-tree.js';
import { isAlive } from './helpers/processes.js';

/**
 * Every command under bad input and Ctrl-C: one clear line, the README's exit code, nothing
 * half-written, no process left. Cases covered elsewhere are not repeated here:
 * - scaffold.test.ts: bad name with capitals, --db/--pm outside their choices, unknown flag,
 *   non-empty target, target that is a file, unwritable parent (as `nobody`), read-only file
 *   system and full disk (tiny tmpfs), install failures;
 * - interactive.test.ts: Ctrl-C at the prompts (directory, database, deployment files);
 * - bench.test.ts: unknown scenario, bad duration/connections/rate/fault/url, --duration with
 *   --amount, unreadable baseline, a server that fails to start, an unreachable URL, outside a
 *   project, and Ctrl-C during a scenario (partial results, 130);
 * - dev.test.ts: outside a project, non-numeric --port, busy port with --strict-port, Ctrl-C of a
 *   running dev (exit 0, as the README documents for dev);
 * - lint.test.ts: a path that does not exist, --max-warnings/--format out of range;
 * - start.test.ts: --workers many, an unbuilt project.
 */

const noStack = (text: string): void => expect(text).not.toMatch(/\n {4}at /);

let work: Awaited<ReturnType<typeof makeTempDir>>;
let project: string;
let outside: string;

beforeAll(async () => {
  work = await makeTempDir('cas-bad-input-');
  project = await createProjectFromTarball(work.path);
  outside = join(work.path, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'notes.txt'), 'a file, not a folder\n');
}, 400_000);

afterAll(async () => {
  await work?.remove();
});

type Row = [bin: 'create' | 'asyncsrv', args: string[], where: 'outside' | 'project', code: number, message: RegExp];

describe('bad flags, values, names and paths: one clear line, the documented exit code, nothing written', () => {
  it.each<Row>([
    [
      'create',
      ['my app', '--yes', '--no-install', '--no-git'],
      'outside',
      1,
      /^Invalid project name `my app`: name can only contain URL-friendly characters\.\n.*e\.g\. `my-async-server`/,
    ],
    ['create', ['node_modules', '--yes', '--no-install', '--no-git'], 'outside', 1, /^Invalid project name `node_modules`/],
    [
      'asyncsrv',
      ['new', '.hidden', '--yes', '--no-install', '--no-git'],
      'outside',
      1,
      /^Invalid project name `\.hidden`: name cannot start with a period\./,
    ],
    [
      'create',
      ['notes.txt/app', '--yes', '--no-install', '--no-git'],
      'outside',
      1,
      /^Cannot write to `.*notes\.txt\/app`: part of the path is a file, not a directory\./,
    ],
    ['create', ['a', 'b', '--yes', '--no-install', '--no-git'], 'outside', 2, /too many arguments\. Expected 1 argument but got 2\./],
    ['create', ['x', '--pm'], 'outside', 2, /option '--pm <pm>' argument missing/],
    ['asyncsrv', ['new', 'x', '--frobnicate'], 'outside', 2, /unknown option '--frobnicate'/],
    ['asyncsrv', ['dev', '--port', '70000'], 'project', 2, /^Expected `--port` to be a port number \(0-65535\), got `70000`\./],
    ['asyncsrv', ['dev', '--bogus'], 'project', 2, /unknown option '--bogus'/],
    ['asyncsrv', ['lint', '--max-warnings', '-1'], 'project', 2, /^Expected `--max-warnings` to be a non-negative integer, got `-1`\./],
    ['asyncsrv', ['lint', '--format'], 'project', 2, /option '--format <format>' argument missing/],
    ['asyncsrv', ['bench', '--pipelining', '0'], 'project', 2, /^Expected `--pipelining` to be a positive integer, got `0`\./],
    ['asyncsrv', ['bench', '--workers', '0'], 'project', 2, /^Expected `--workers` to be a positive integer, got `0`\./],
    ['asyncsrv', ['bench', '--warmup', 'soon'], 'project', 2, /^Expected `--warmup` to be a duration like 100ms, 3s or 1m, got `soon`\./],
    ['asyncsrv', ['bench', '--upstream-latency', '-5ms'], 'project', 2, /^Expected `--upstream-latency` to be a duration/],
    ['asyncsrv', ['bench', '--url', 'not-a-url'], 'project', 2, /^Expected `--url` to be an http:\/\/ URL, got `not-a-url`\./],
    ['asyncsrv', ['bench', '--fail-on', 'p99>>'], 'project', 2, /^Expected `--fail-on` conditions like p99>200ms/],
    [
      'asyncsrv',
      ['build'],
      'outside',
      1,
      /^Not inside a create-async-server project: no package\.json in `.*outside` or above\.\nCreate one with/,
    ],
    ['asyncsrv', ['build', '--bogus'], 'project', 2, /unknown option '--bogus'/],
    ['asyncsrv', ['start'], 'outside', 1, /^Not inside a create-async-server project/],
    ['asyncsrv', ['start', '--workers', '0'], 'project', 2, /^Expected `--workers` to be a count from 1 to 256 or `auto`, got `0`\./],
    ['asyncsrv', ['start', '--workers', '257'], 'project', 2, /got `257`\./],
  ])('%s %j (%s) exits %i', async (bin, args, where, code, message) => {
    const cwd = where === 'project' ? project : outside;
    const before = await listFiles(cwd);
    const result = await (bin === 'create' ? runCreate : runAsyncsrv)(args, { cwd, timeout: 60_000 });
    expect(result.exitCode, result.stderr).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n').length, result.stderr).toBeLessThanOrEqual(2);
    noStack(result.stderr);
    expect(await listFiles(cwd)).toEqual(before);
    expect((await readdir(cwd)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('--force into a read-only target (as an unprivileged user): exit 1, permission denied, the target untouched, no staging folder', async () => {
    const parent = join(work.path, 'ro-parent');
    const target = join(parent, 'ro-target');
    await mkdir(target, { recursive: true });
    await writeFile(join(target, 'notes.txt'), 'mine\n');
    await chmod(target, 0o555);
    await chmod(parent, 0o777);
    await chmod(work.path, 0o755);
    const result = await execa(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        'node',
        createBin,
        'ro-target',
        '--yes',
        '--force',
        '--no-install',
        '--no-git',
      ],
      {
        cwd: parent,
        reject: false,
        stdin: 'ignore',
        extendEnv: false,
        env: cliEnv({ HOME: '/tmp' }),
      },
    );
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^Cannot write to `.*ro-target`: permission denied\.\nChoose a directory you can write to\./);
    noStack(result.stderr);
    expect(await readdir(target)).toEqual(['notes.txt']);
    expect(await readdir(parent)).toEqual(['ro-target']);
  });
});

describe('bench report files that cannot be written: exit 1, one line, no stack (the report is printed first)', () => {
  let server: import('node:http').Server;
  let url: string;
  beforeAll(async () => {
    const { createServer } = await import('node:http');
    server = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  });
  afterAll(() => {
    server?.close();
  });
  const benchTo = (file: string): Promise<CliResult> =>
    runAsyncsrv(['bench', '--url', url, '--amount', '50', '--warmup', '0ms', '-c', '2', '--json', file], { cwd: outside, timeout: 60_000 });

  it('--json into a folder that does not exist', async () => {
    const result = await benchTo(join(outside, 'no-such-folder', 'report.json'));
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^Cannot write `.*no-such-folder\/report\.json`: its folder does not exist\.$/m);
    expect(result.stdout).toMatch(/^url\s+[\d,]+\s/m);
    noStack(result.stderr);
  });

  it('--json onto a full disk (a 64 KiB tmpfs)', async (context) => {
    const tiny = join(work.path, 'tiny');
    await mkdir(tiny);
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', tiny], { reject: false });
    if (mounted.exitCode !== 0) {
      console.warn(
        `SKIPPED full-disk row: mount -t tmpfs is not permitted here (${mounted.stderr.trim()}); the scaffolder's full disk is covered by scaffold.test.ts.`,
      );
      context.skip();
    }
    try {
      await writeFile(join(tiny, 'filler'), Buffer.alloc(64 * 1024)).catch(() => undefined); // fills it: the write stops at ENOSPC
      const result = await benchTo(join(tiny, 'report.json'));
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/^Cannot write `.*tiny\/report\.json`: no space left on the device\.$/m);
      noStack(result.stderr);
    } finally {
      await execa('umount', [tiny], { reject: false });
    }
  });
});

/** Runs a binary in its own process group (as a terminal runs a foreground job) and collects every descendant it starts. */
function runWatched(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const child: ResultPromise = execa('node', args, {
    ...options,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    all: true,
    buffer: false,
    detached: true,
  });
  let output = '';
  child.all?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const seen = new Set<number>();
  const sampler = setInterval(() => {
    for (const pid of descendantsOf(child.pid!)) seen.add(pid);
  }, 25);
  return {
    child,
    output: () => output,
    /** Ctrl-C: SIGINT to the whole process group, as a terminal sends it. */
    interrupt: () => {
      for (const pid of descendantsOf(child.pid!)) seen.add(pid);
      process.kill(-child.pid!, 'SIGINT');
    },
    finish: async (): Promise<{ exitCode: number | undefined; output: string; descendants: number[] }> => {
      const result = await child;
      clearInterval(sampler);
      return { exitCode: result.exitCode, output, descendants: [...seen] };
    },
  };
}

/** Env of a user's terminal: progress lines are on (CI silences them), no colours. */
function terminalEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cliEnv(extra);
  delete env.CI;
  return env;
}

async function expectInterrupted(
  run: ReturnType<typeof runWatched>,
  code: number,
  line: RegExp,
): Promise<CliResult & { descendants: number[] }> {
  const result = await run.finish();
  expect(result.exitCode, result.output).toBe(code);
  expect(result.output).toMatch(line);
  noStack(result.output);
  await expect.poll(() => result.descendants.filter(isAlive), { timeout: 10_000 }).toEqual([]);
  return { exitCode: result.exitCode ?? -1, stdout: result.output, stderr: result.output, descendants: result.descendants };
}

describe('Ctrl-C at each stage: one line, the documented exit code, nothing half-written, no process left', () => {
  it('while the scaffolder renders files: 130, no target, no staging folder', async () => {
    const parent = join(work.path, 'ctrl-c-render');
    await mkdir(parent);
    const run = runWatched(
      ['--import', join(import.meta.dirname, 'helpers', 'slow-file-writes.mjs'), createBin, 'app', '--yes', '--no-install', '--no-git'],
      { cwd: parent, env: terminalEnv({ SLOW_WRITE_MS: '200' }) },
    );
    await expect.poll(() => run.output(), { timeout: 30_000, interval: 20 }).toContain('[slow-file-writes] rendering started');
    await expect.poll(() => readdir(parent), { timeout: 5_000, interval: 20 }).toEqual([expect.stringMatching(/^\.app\.[0-9a-f]+\.tmp$/)]);
    run.interrupt();
    await expectInterrupted(run, 130, /^Cancelled: no project was written\.$/m);
    expect(await readdir(parent)).toEqual([]);
  });

  it('while the scaffolder installs: 130, the written project stays with the command to finish, the package manager is gone', async () => {
    const parent = join(work.path, 'ctrl-c-install');
    const fakeBin = join(work.path, 'fake-npm');
    await mkdir(parent);
    await mkdir(fakeBin);
    // An install that never ends by itself: the stage is then as long as the test needs.
    await writeFile(join(fakeBin, 'npm'), '#!/bin/sh\nexec sleep 120\n', { mode: 0o755 });
    const run = runWatched([createBin, 'app', '--yes', '--no-git'], {
      cwd: parent,
      env: terminalEnv({ PATH: `${fakeBin}:${dirname(process.execPath)}:/usr/bin:/bin` }),
    });
    await expect.poll(() => run.output(), { timeout: 30_000, interval: 20 }).toContain('Installing dependencies with npm…');
    await expect.poll(() => descendantsOf(run.child.pid!).length, { timeout: 10_000, interval: 20 }).toBeGreaterThan(0);
    run.interrupt();
    const result = await expectInterrupted(run, 130, /^Install cancelled\. The project is in app; to finish: cd app && npm install$/m);
    expect(result.descendants.length).toBeGreaterThan(0);
    expect(await readdir(parent)).toEqual(['app']);
    expect(existsSync(join(parent, 'app', 'package.json'))).toBe(true);
    expect(existsSync(join(parent, 'app', 'node_modules'))).toBe(false);
  });

  it("while dev starts the embedded database: exit 0 (dev's documented Ctrl-C), the database and app gone", async () => {
    const run = runWatched([asyncsrvBin, 'dev', '--port', '0'], { cwd: project, env: terminalEnv() });
    await expect.poll(() => run.output(), { timeout: 30_000, interval: 10 }).toContain('Starting the embedded database…');
    run.interrupt();
    await expectInterrupted(run, 0, /^Stopped before the embedded database was ready\.\ndev stopped\.$/m);
  }, 60_000);

  it.each([
    ['Building the project…', /^Cancelled while building the project\.$/m],
    ['Starting the server…', /^Cancelled while the server was starting\.$/m],
  ])(
    'while bench is at "%s": 130, no report, nothing left running',
    async (stage, line) => {
      const run = runWatched([asyncsrvBin, 'bench', 'json', '--duration', '5s', '--warmup', '0ms', '-c', '2'], {
        cwd: project,
        env: terminalEnv(),
      });
      await expect.poll(() => run.output(), { timeout: 120_000, interval: 10 }).toContain(stage);
      run.interrupt();
      const result = await expectInterrupted(run, 130, line);
      expect(result.stdout).not.toMatch(/^json\s+[\d,]+\s/m);
    },
    180_000,
  );
});
