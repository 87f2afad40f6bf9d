import { cp, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, makeTempDir, PROJECT_VARIANTS, runAsyncsrv, runCreate, variantFlags } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

/**
 * Issue 5: `asyncsrv lint` on a fixture with one of each anti-pattern, and on every generated
 * project variant. Generated projects get a node_modules of symlinks into this checkout (its
 * dependencies, and itself as create-async-server), so types resolve without an install.
 */
const fixture = join(repoRoot, 'test/e2e/fixtures/lint-antipatterns');
const expectedFindings = [
  { line: 21, ruleId: 'async-server/require-timeout' },
  { line: 34, ruleId: 'async-server/no-sequential-await' },
  { line: 39, ruleId: 'async-server/no-client-per-request' },
  { line: 48, ruleId: 'async-server/no-blocking-in-handler' },
  { line: 52, ruleId: 'no-await-in-loop' },
  { line: 57, ruleId: '@typescript-eslint/no-floating-promises' },
  { line: 61, ruleId: '@typescript-eslint/no-misused-promises' },
];

interface JsonReport {
  fileCount: number;
  errorCount: number;
  warningCount: number;
  files: Array<{ path: string; messages: Array<{ ruleId: string | null; line: number; message: string }> }>;
}

const findings = (report: JsonReport) =>
  report.files.flatMap((file) => file.messages.map((message) => ({ path: file.path, line: message.line, ruleId: message.ruleId })));

let work: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  work = await makeTempDir('cas-lint-');
});
afterAll(async () => {
  await work.remove();
});

describe('asyncsrv lint on a fixture with one of each anti-pattern', () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(work.path, 'fixture');
    await cp(fixture, dir, { recursive: true });
    // Places the run must skip, each holding an anti-pattern.
    const bad = "await fetch('https://example.com');\n";
    for (const skipped of ['dist/bad.js', 'node_modules/pkg/index.js', '.data/bad.js', 'generated/bad.ts', 'public/vendor/chart.min.js']) {
      await mkdir(join(dir, skipped, '..'), { recursive: true });
      await writeFile(join(dir, skipped), bad);
    }
    await writeFile(join(dir, '.gitignore'), '# build output\ngenerated/\n');
  });

  it('reports exactly those, with exit 1 (json)', async () => {
    const result = await runAsyncsrv(['lint', '--format', 'json'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(findings(report)).toEqual(expectedFindings.map((finding) => ({ path: 'src/server.ts', ...finding })));
    expect(report.fileCount).toBe(3); // scripts/seed.ts is outside tsconfig.json: linted without types, no parse error
    expect(result.stderr).toContain('Found 7 problems.');
    // The docs the hint points at exist where the package is installed.
    const docs = /docs: (\S+)<rule>\.md/.exec(result.stderr)?.[1];
    expect(docs, result.stderr).toBeDefined();
    expect(existsSync(resolve(dir, `${docs}require-timeout.md`))).toBe(true);
  });

  it('prints each finding with why and how in the default format', async () => {
    const result = await runAsyncsrv(['lint'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('src/server.ts');
    expect(result.stdout).toMatch(/34:18 +warning +These 2 awaits do not depend on each other.*async-server\/no-sequential-await/);
    expect(result.stdout).toContain('✖ 7 problems (0 errors, 7 warnings) in 3 files');
  });

  it('the typed tier finds the same with ESLint instead of oxlint (the fallback without the optional dependency)', async () => {
    const result = await runAsyncsrv(['lint', '--format', 'json'], { cwd: dir, env: cliEnv({ ASYNCSRV_LINT_TYPED_ENGINE: 'eslint' }) });
    expect(result.exitCode, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(findings(report)).toEqual(expectedFindings.map((finding) => ({ path: 'src/server.ts', ...finding })));
    // typescript-eslint's own wording: this run did go through ESLint's project service.
    const floating = report.files
      .flatMap((file) => file.messages)
      .find((message) => message.ruleId === '@typescript-eslint/no-floating-promises');
    expect(floating?.message).toContain('end with a call to .catch');
  });

  it('--no-typed leaves out the type-aware rules', async () => {
    const result = await runAsyncsrv(['lint', '--no-typed', '--format', 'json'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(findings(JSON.parse(result.stdout) as JsonReport).map((finding) => finding.ruleId)).toEqual(
      expectedFindings.slice(0, 5).map((finding) => finding.ruleId),
    );
  });

  it('--max-warnings allows that many warnings', async () => {
    expect((await runAsyncsrv(['lint', '--max-warnings', '7', '--format', 'json'], { cwd: dir })).exitCode).toBe(0);
    expect((await runAsyncsrv(['lint', '--max-warnings', '6', '--format', 'json'], { cwd: dir })).exitCode).toBe(1);
  });

  it('writes SARIF 2.1.0', async () => {
    const result = await runAsyncsrv(['lint', '--no-typed', '--format', 'sarif', 'src'], { cwd: dir });
    const sarif = JSON.parse(result.stdout) as {
      version: string;
      runs: Array<{ results: Array<{ ruleId: string }>; tool: { driver: { rules: Array<{ id: string; helpUri?: string }> } } }>;
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]?.results).toHaveLength(5);
    const helpUri = sarif.runs[0]?.tool.driver.rules.find((rule) => rule.id === 'async-server/require-timeout')?.helpUri;
    expect(helpUri).toMatch(/^file:.*docs\/rules\/require-timeout\.md$/);
    expect(existsSync(fileURLToPath(helpUri ?? ''))).toBe(true);
  });

  it('lints only the paths given; the clean file passes', async () => {
    const result = await runAsyncsrv(['lint', 'src/clean.ts'], { cwd: dir });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('No problems in 1 file.');
  });

  it('a path that does not exist: one clear line, exit 2', async () => {
    const result = await runAsyncsrv(['lint', 'nope'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('Path `nope` does not exist.');
    expect(result.stdout).toBe('');
  });

  it('bad flags exit 2', async () => {
    expect((await runAsyncsrv(['lint', '--max-warnings', 'many'], { cwd: dir })).exitCode).toBe(2);
    expect((await runAsyncsrv(['lint', '--format', 'xml'], { cwd: dir })).exitCode).toBe(2);
  });
});

describe.each(PROJECT_VARIANTS)('asyncsrv lint on a generated project: db $db, deploy $deploy, minimal $minimal', (variant) => {
  const { db, deploy, minimal } = variant;
  let dir: string;
  beforeAll(async () => {
    const name = `app-${db}-${deploy ? 'deploy' : 'plain'}${minimal ? '-minimal' : ''}`;
    const result = await runCreate([name, '--yes', ...variantFlags(variant), '--no-install', '--no-git'], {
      cwd: work.path,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    dir = join(work.path, name);
    await linkDependencies(dir);
  });

  it('reports nothing, typed (the default with a tsconfig.json), exit 0', async () => {
    const result = await runAsyncsrv(['lint', '--format', 'json'], { cwd: dir });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.files).toEqual([]);
    expect(report.fileCount).toBeGreaterThan(20);
  });

  it('reports nothing untyped, and `npx eslint .` with the generated eslint.config.js agrees', async () => {
    const untyped = await runAsyncsrv(['lint', '--no-typed'], { cwd: dir });
    expect(untyped.exitCode, untyped.stdout + untyped.stderr).toBe(0);
    if (db !== 'pglite' || deploy || minimal) return; // the plain eslint run is slow: once is enough
    const eslint = await execa('node', [join(dir, 'node_modules/eslint/bin/eslint.js'), '--max-warnings', '0', '.'], {
      cwd: dir,
      env: cliEnv(),
      reject: false,
    });
    expect(eslint.exitCode, eslint.stdout + eslint.stderr).toBe(0);
    const plugin = await execa(
      'node',
      [
        '--input-type=module',
        '-e',
        "const { default: p } = await import('create-async-server/eslint-plugin'); console.log(p.meta.name, Object.keys(p.rules).length)",
      ],
      { cwd: dir, reject: false },
    );
    expect(plugin.stdout, plugin.stderr).toBe('create-async-server/eslint-plugin 5');
  });
});

/** node_modules/<each dependency of this checkout> and node_modules/create-async-server → this checkout. */
async function linkDependencies(dir: string): Promise<void> {
  const modules = join(dir, 'node_modules');
  await mkdir(modules, { recursive: true });
  for (const entry of await readdir(join(repoRoot, 'node_modules'))) {
    if (entry === '.cache' || entry === '.package-lock.json') continue;
    await symlink(join(repoRoot, 'node_modules', entry), join(modules, entry));
  }
  await symlink(repoRoot, join(modules, 'create-async-server'));
}
