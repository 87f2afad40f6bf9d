import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { ignoreFilePatterns, toOxlintIgnorePattern } from '../../../src/lint/gitignore.js';

let dir: string;

const GITIGNORE = [
  '# generated',
  'out/',
  '/build',
  '*.log',
  'src/generated/',
  '!keep.log',
  '{a,b}.ts',
  'docs/(draft).ts',
  'tmp/**',
  '',
].join('\r\n');

const FILES = [
  'out/x.ts',
  'pkg/out/y.ts',
  'build/z.ts',
  'pkg/build/z.ts',
  'debug.log',
  'keep.log',
  'src/generated/g.ts',
  'src/app.ts',
  '{a,b}.ts',
  'a.ts',
  'b.ts',
  'docs/(draft).ts',
  'docs/draft.ts',
  'tmp/deep/t.ts',
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'asyncsrv-gitignore-'));
  writeFileSync(join(dir, '.gitignore'), GITIGNORE);
  for (const file of FILES) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), 'const unused = 1;\n');
  }
  execFileSync('git', ['init', '-q'], { cwd: dir });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The files git itself ignores (`git check-ignore` exits 1 when none is). */
function ignoredByGit(files: string[]): string[] {
  try {
    return execFileSync('git', ['check-ignore', ...files], { cwd: dir, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch (error) {
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

describe('ignoreFilePatterns', () => {
  it('makes ESLint ignore exactly what git ignores, `{a,b}` and `(x)` literally', async () => {
    // Every file is linted unless ignored (ESLint otherwise skips what no `files` pattern matches).
    const overrideConfig = [{ files: ['**/*.ts', '**/*.log'] }, { ignores: ignoreFilePatterns(dir) }];
    const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig });
    const ignoredByEslint: string[] = [];
    for (const file of FILES) {
      if (await eslint.isPathIgnored(join(dir, file))) ignoredByEslint.push(file);
    }
    const byGit = ignoredByGit(FILES);
    expect(ignoredByEslint.sort()).toEqual([...byGit].sort());
    expect(byGit).toContain('{a,b}.ts');
    expect(byGit).not.toContain('a.ts');
    expect(byGit).not.toContain('docs/draft.ts');
  });

  it('reads a legacy .eslintignore too, and no ignore file is no patterns', () => {
    const empty = mkdtempSync(join(tmpdir(), 'asyncsrv-gitignore-none-'));
    try {
      expect(ignoreFilePatterns(empty)).toEqual([]);
      writeFileSync(join(empty, '.eslintignore'), 'legacy/\n');
      expect(ignoreFilePatterns(empty)).toEqual(['**/legacy/']);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('toOxlintIgnorePattern', () => {
  it('writes literal braces and parentheses as classes, which oxlint parses', () => {
    expect(toOxlintIgnorePattern('**/\\{a,b}.ts')).toBe('**/[{]a,b[}].ts');
    expect(toOxlintIgnorePattern('docs/\\(draft).ts')).toBe('docs/[(]draft).ts');
    expect(toOxlintIgnorePattern('**/dist/')).toBe('**/dist/');
  });

  it('makes oxlint skip what git ignores, without crashing on literal braces', () => {
    const oxlintRoot = dirname(createRequire(import.meta.url).resolve('oxlint/package.json'));
    const oxlint = join(oxlintRoot, 'bin', 'oxlint');
    const ignores = ignoreFilePatterns(dir).flatMap((pattern) => ['--ignore-pattern', toOxlintIgnorePattern(pattern)]);
    // Every file it lints reports its unused variable: the reported files are the linted ones.
    const result = spawnSync(process.execPath, [oxlint, '--format', 'json', '-A', 'all', '-W', 'no-unused-vars', ...ignores, '.'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(result.stdout.trimStart().startsWith('{'), result.stderr).toBe(true);
    const { diagnostics } = JSON.parse(result.stdout) as { diagnostics: Array<{ filename: string }> };
    const linted = new Set(diagnostics.map((diagnostic) => diagnostic.filename.replace(/^\.\//, '')));
    const byGit = ignoredByGit(FILES);
    // oxlint also reads .gitignore by itself, expanding `{a,b}` (it skips a.ts and b.ts): our patterns can only add ignores.
    for (const file of byGit) expect(linted).not.toContain(file);
    expect(linted).toContain('src/app.ts');
    expect(linted).toContain('docs/draft.ts');
  });
});
