import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles, makeTempDir, runAsyncsrv, runCreate } from './helpers/cli.js';
import { asyncsrvBin, createBin, repoRoot, templatesRoot } from './helpers/paths.js';

/** The files a project of these layers must have, computed from templates/ independently of the CLI. */
async function expectedFiles(layers: string[]): Promise<string[]> {
  const files = new Set<string>();
  for (const layer of layers) {
    for (const path of await listFiles(join(templatesRoot, layer))) {
      if (path === 'README.section.md') continue;
      files.add(
        path
          .split('/')
          .map((part) => part.replace(/^_/, '.'))
          .join('/'),
      );
    }
  }
  return [...files].sort();
}

let work: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  work = await makeTempDir('cas-scaffold-');
});
afterAll(async () => {
  await work.remove();
});

describe('create-async-server --yes --no-install', () => {
  it('writes the template of the defaults (base + embedded PGlite) with a rendered package.json', async () => {
    const result = await runCreate(['my-app', '--yes', '--no-install', '--no-git'], { cwd: work.path });
    expect(result.exitCode, result.stderr).toBe(0);
    const dir = join(work.path, 'my-app');
    expect(await listFiles(dir)).toEqual(await expectedFiles(['base', 'db-pglite']));
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown> & {
      devDependencies: Record<string, string>;
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(manifest.name).toBe('my-app');
    expect(manifest.type).toBe('module');
    expect(manifest.devDependencies['create-async-server']).toBe(`file:${repoRoot}`);
    expect(manifest.scripts).toMatchObject({ dev: 'asyncsrv dev', lint: 'asyncsrv lint', bench: 'asyncsrv bench' });
    expect(manifest.devDependencies).toHaveProperty('@electric-sql/pglite-socket');
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toMatch(/node_modules/);
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('my-app');
    expect(readme).not.toMatch(/\{\{\w+\}\}/);
    expect(result.stdout).toContain('cd my-app');
    expect(result.stdout).toContain('npm run dev');
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
  });

  it('adds the postgres and deploy layers, and uses the package manager chosen', async () => {
    const result = await runCreate(['pg-app', '--yes', '--db', 'postgres', '--deploy', '--pm', 'pnpm', '--no-install', '--no-git'], {
      cwd: work.path,
      env: { ...process.env, NO_COLOR: '1', CREATE_ASYNC_SERVER_SPEC: 'file:/opt/cli.tgz' },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const dir = join(work.path, 'pg-app');
    expect(await listFiles(dir)).toEqual(await expectedFiles(['base', 'db-postgres', 'deploy']));
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown> & {
      devDependencies: Record<string, string>;
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(manifest.devDependencies['create-async-server']).toBe('file:/opt/cli.tgz');
    expect(manifest.devDependencies).not.toHaveProperty('@electric-sql/pglite-socket');
    expect(result.stdout).toContain('pnpm install');
    expect(result.stdout).toContain('pnpm dev');
  });

  it('--minimal: the wiring without the demo routes, their tests and the benchmark table, plus one example route', async () => {
    const result = await runCreate(['mini-app', '--yes', '--minimal', '--deploy', '--no-install', '--no-git'], { cwd: work.path });
    expect(result.exitCode, result.stderr).toBe(0);
    const dir = join(work.path, 'mini-app');
    const removed = (await readFile(join(templatesRoot, 'minimal', 'template-removes.txt'), 'utf8'))
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter(Boolean);
    expect(removed).toEqual(expect.arrayContaining(['src/routes/json.ts', 'migrations/1795700000001_seed-world.sql']));
    const expected = (await expectedFiles(['base', 'db-pglite', 'deploy', 'minimal']))
      .filter((path) => path !== 'template-removes.txt' && !removed.includes(path))
      .concat(['src/routes/items.ts', 'test/items.test.ts'])
      .sort();
    expect(await listFiles(dir)).toEqual(expected);
    const app = await readFile(join(dir, 'src', 'app.ts'), 'utf8');
    expect(app).toContain(".route('/items', itemsRoutes(deps));");
    expect(app).not.toMatch(/jsonRoutes|dbRoutes|externalRoutes/);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toMatch(/\| `GET \/items\/:id` +\| the example route/);
    expect(result.stdout).toContain('npx asyncsrv add route orders');
  });

  it('asyncsrv new runs the same scaffolder', async () => {
    const result = await runAsyncsrv(['new', 'via-new', '--yes', '--no-install', '--no-git'], { cwd: work.path });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await listFiles(join(work.path, 'via-new'))).toEqual(await expectedFiles(['base', 'db-pglite']));
  });

  it('without a TTY and without --yes it does not prompt: it says which defaults it took', async () => {
    const result = await runCreate(['--no-install', '--no-git'], { cwd: work.path });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/No interactive terminal: using directory my-async-server, db pglite, package manager npm/);
    expect(existsSync(join(work.path, 'my-async-server', 'package.json'))).toBe(true);
  });

  it('initialises git with a first commit that leaves the tree clean', async () => {
    const result = await runCreate(['with-git', '--yes', '--no-install'], { cwd: work.path });
    expect(result.exitCode, result.stderr).toBe(0);
    const dir = join(work.path, 'with-git');
    const log = await execa('git', ['log', '--oneline'], { cwd: dir });
    expect(log.stdout).toMatch(/Initial commit from create-async-server/);
    expect((await execa('git', ['status', '--porcelain'], { cwd: dir })).stdout).toBe('');
  });
});

describe('bad input: one clear line, the documented exit code, nothing written', () => {
  const noStack = (text: string): void => expect(text).not.toMatch(/\n\s+at /);

  it.each([
    [['Bad_Name', '--yes'], 1, /Invalid project name `Bad_Name`: name can no longer contain capital letters/],
    [['x', '--db', 'mysql'], 2, /argument 'mysql' is invalid\. Allowed choices are pglite, postgres/],
    [['x', '--pm', 'npx'], 2, /Allowed choices are npm, pnpm, yarn, bun/],
    [['x', '--colour'], 2, /unknown option '--colour'/],
  ])('%j exits %i', async (args, code, message) => {
    const before = await readdir(work.path);
    const result = await runCreate([...args, '--no-install', '--no-git'], { cwd: work.path });
    expect(result.exitCode).toBe(code);
    expect(result.stderr).toMatch(message);
    noStack(result.stderr);
    expect(await readdir(work.path)).toEqual(before);
  });

  it('refuses a non-empty target without --force and leaves it untouched', async () => {
    const dir = join(work.path, 'busy');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    const result = await runCreate(['busy', '--yes', '--no-install', '--no-git'], { cwd: work.path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Target directory `busy` is not empty\.\n.*--force/);
    noStack(result.stderr);
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('--force writes the template into a non-empty target and keeps the other files', async () => {
    const dir = join(work.path, 'forced');
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    await writeFile(join(dir, 'package.json'), '{"name":"old"}\n');
    const result = await runCreate(['forced', '--yes', '--force', '--no-install', '--no-git'], { cwd: work.path });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).name).toBe('forced');
    expect(await listFiles(dir)).toEqual([...(await expectedFiles(['base', 'db-pglite'])), 'notes.txt'].sort());
    expect((await readdir(work.path)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a target that is a file', async () => {
    await writeFile(join(work.path, 'a-file'), 'x');
    const result = await runCreate(['a-file', '--yes', '--no-install', '--no-git'], { cwd: work.path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/`.*a-file` exists and is a file, not a directory/);
  });

  it('reports a parent the user cannot write to (run as an unprivileged user)', async () => {
    const parent = join(work.path, 'locked');
    await mkdir(parent);
    await chmod(parent, 0o555);
    await chmod(work.path, 0o755);
    const result = await execa(
      'setpriv',
      ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'node', createBin, 'app', '--yes', '--no-install', '--no-git'],
      {
        cwd: parent,
        reject: false,
        stdin: 'ignore',
        env: { ...process.env, NO_COLOR: '1', HOME: '/tmp' },
      },
    );
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/Cannot write to `.*locked`: permission denied\./);
    noStack(result.stderr);
    expect(await readdir(parent)).toEqual([]);
  });

  it('reports a read-only file system and a full disk, and leaves no staging folder', async () => {
    const readOnly = join(work.path, 'ro');
    const tiny = join(work.path, 'tiny');
    await mkdir(readOnly);
    await mkdir(tiny);
    await execa('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnly]);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', tiny]);
    try {
      const ro = await runCreate(['app', '--yes', '--no-install', '--no-git'], { cwd: readOnly });
      expect(ro.exitCode).toBe(1);
      expect(ro.stderr).toMatch(/the file system is read-only/);
      const full = await runCreate(['app', '--yes', '--no-install', '--no-git'], { cwd: tiny });
      expect(full.exitCode).toBe(1);
      expect(full.stderr).toMatch(/no space left on the device/);
      noStack(full.stderr);
      expect(await readdir(tiny)).toEqual([]);
    } finally {
      await execa('umount', [readOnly], { reject: false });
      await execa('umount', [tiny], { reject: false });
    }
  });
});

describe('install failures keep the project and say how to finish', () => {
  it('a package manager that is not installed: exit 1, the project stays, the command to run by hand', async () => {
    const result = await runCreate(['needs-bun', '--yes', '--pm', 'bun', '--no-git'], {
      cwd: work.path,
      env: { ...process.env, NO_COLOR: '1', PATH: `${dirname(process.execPath)}:/usr/bin:/bin` },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /Could not install dependencies: `bun` is not installed or not on PATH\.\nThe project was created\. Install bun, then run: cd needs-bun && bun install/,
    );
    expect(existsSync(join(work.path, 'needs-bun', 'package.json'))).toBe(true);
  });

  it('a failing install shows the package manager output and the command to retry', async () => {
    const result = await runCreate(['bad-spec', '--yes', '--no-git'], {
      cwd: work.path,
      env: { ...process.env, NO_COLOR: '1', CREATE_ASYNC_SERVER_SPEC: `file:${join(work.path, 'missing.tgz')}` },
      timeout: 120_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('missing.tgz');
    expect(result.stderr).toMatch(
      /Could not install dependencies: `npm install` exited with code \d+\.\nThe project was created\. Fix the error above, then run: cd bad-spec && npm install/,
    );
    noStackOutside(result.stderr);
    expect(existsSync(join(work.path, 'bad-spec', 'package.json'))).toBe(true);
  }, 120_000);
});

/** Our own lines never carry a stack (npm's output above them is npm's). */
function noStackOutside(text: string): void {
  expect(text.split('Could not install dependencies')[1]).not.toMatch(/\n\s+at /);
}

describe('help and version', () => {
  it('create-async-server --help explains every flag and exits 0', async () => {
    const result = await runCreate(['--help']);
    expect(result.exitCode).toBe(0);
    for (const flag of ['--yes', '--db <db>', '--pm <pm>', '--no-install', '--no-git', '--deploy', '--force', 'CREATE_ASYNC_SERVER_SPEC']) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('a reader that closes the pipe early (`--help | true`) gets no stack trace', async () => {
    const { execa } = await import('execa');
    // `true` exits before node has started, so every write of the help text meets a closed pipe.
    const result = await execa('bash', ['-c', `node ${JSON.stringify(asyncsrvBin)} bench --help | true; exit \${PIPESTATUS[0]}`], {
      reject: false,
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('asyncsrv --version prints the package version; an unknown command exits 2', async () => {
    const manifest = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect((await runAsyncsrv(['--version'])).stdout.trim()).toBe(manifest.version);
    const badValue = await runAsyncsrv(['new', 'x', '--db', 'xyz']);
    expect(badValue.exitCode).toBe(2); // subcommands report usage errors with exit 2 too
    expect(badValue.stderr).toMatch(/argument 'xyz' is invalid/);
    const unknown = await runAsyncsrv(['serve']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'serve'/);
  });
});
