import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, createProjectFromTarball, listFiles, makeTempDir } from './helpers/cli.js';

/**
 * Issue 15, item 6: `asyncsrv add route <name>` in a real generated project (installed from the
 * packed checkout), run with the project's own binary; then the project's typecheck, lint and tests.
 * The refusals leave every file as it was.
 */
let work: Awaited<ReturnType<typeof makeTempDir>>;
let dir: string;

const run = (file: string, args: string[], cwd = dir) =>
  execa(file, args, { cwd, env: cliEnv(), extendEnv: false, reject: false, stdin: 'ignore', all: true, timeout: 300_000 });
const asyncsrv = (args: string[], cwd = dir) => run(join(dir, 'node_modules', '.bin', 'asyncsrv'), args, cwd);

/** Every file of the project with its content: what a refusal must leave as it was. */
async function snapshot(): Promise<Map<string, string>> {
  const files = (await listFiles(dir)).filter((file) => !file.startsWith('.data/'));
  return new Map(await Promise.all(files.map(async (file) => [file, await readFile(join(dir, file), 'utf8')] as const)));
}

beforeAll(async () => {
  work = await makeTempDir('cas-add-route-');
  dir = await createProjectFromTarball(work.path);
});

afterAll(async () => {
  await work?.remove();
});

describe('asyncsrv add route', () => {
  it('writes the route and its test, and mounts it in src/app.ts', async () => {
    const result = await asyncsrv(['add', 'route', 'orders']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('created src/routes/orders.ts');
    expect(result.stdout).toContain('created test/orders.test.ts');
    const app = await readFile(join(dir, 'src', 'app.ts'), 'utf8');
    expect(app).toContain("import { ordersRoutes } from './routes/orders.js';");
    expect(app).toMatch(/\.route\('\/echo', echoRoutes\(\)\)\n\s+\.route\('\/orders', ordersRoutes\(deps\)\);/);
    const route = await readFile(join(dir, 'src', 'routes', 'orders.ts'), 'utf8');
    expect(route).toContain("validate('param', ordersParams)");
    expect(route).toContain('Promise.all([');
  });

  it('`g route` is the same command: the project then typechecks, lints clean (typed tier too) and passes its tests', async () => {
    const added = await asyncsrv(['g', 'route', 'order-items']);
    expect(added.exitCode, added.all).toBe(0);

    const typecheck = await run('npx', ['tsc', '--noEmit']);
    expect(typecheck.exitCode, typecheck.all).toBe(0);
    const lint = await asyncsrv(['lint', '--typed']);
    expect(lint.exitCode, lint.all).toBe(0);
    expect(lint.stdout).toMatch(/No problems in \d+ files/);
    // The new routes' tests, and the suites of the app they joined (the whole suite runs in generated-project.test.ts).
    const tests = await run('npx', [
      'vitest',
      'run',
      'test/orders.test.ts',
      'test/order-items.test.ts',
      'test/routes.test.ts',
      'test/rpc-client.test.ts',
    ]);
    expect(tests.exitCode, tests.all).toBe(0);
    expect(tests.all).toMatch(/test\/orders\.test\.ts \(3 tests\)/);
    expect(tests.all).toMatch(/test\/order-items\.test\.ts \(3 tests\)/);
    expect(tests.all).not.toMatch(/skipped/);
  }, 300_000);

  it.each([
    [['add', 'route', 'orders'], /^`src\/routes\/orders\.ts` exists already\.$/m],
    [['add', 'route', 'json'], /^`src\/routes\/json\.ts` exists already\.$/m],
    [['add', 'route', 'upstream'], /^src\/app\.ts already mounts \/upstream\.$/m],
    [['g', 'route', 'OrderItems'], /^Expected the route name to be kebab-case .*got `OrderItems`\.$/m],
    [['add', 'route', '../evil'], /^Expected the route name to be kebab-case .*got `\.\.\/evil`\.$/m],
  ])('refuses `asyncsrv %j` with one clear line, exit 1, nothing written', async (args, message) => {
    const before = await snapshot();
    const result = await asyncsrv(args);
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(2); // the message and its hint
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an app.ts without the route chain it edits, and writes nothing', async () => {
    const appFile = join(dir, 'src', 'app.ts');
    const original = await readFile(appFile, 'utf8');
    await writeFile(appFile, original.replace('const routes = app\n', 'const routes = app.basePath("/api")\n'));
    try {
      const before = await snapshot();
      const result = await asyncsrv(['add', 'route', 'invoices']);
      expect(result.exitCode, result.all).toBe(1);
      expect(result.stderr).toMatch(/^Cannot add the route safely: src\/app\.ts has no single `const routes = app` line/m);
      expect(await snapshot()).toEqual(before);
    } finally {
      await writeFile(appFile, original);
    }
  });

  it('refuses outside a project', async () => {
    const result = await asyncsrv(['add', 'route', 'orders'], work.path);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Not inside a create-async-server project/m);
  });
});
