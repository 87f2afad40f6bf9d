/**
 * `npm run bench:lint`: wall time of `asyncsrv lint` on a generated project, untyped (cold and
 * with ESLint's cache) and typed (oxlint's type-aware mode beside an uncached ESLint run of our
 * rules; and ESLint's project service, the fallback), beside `tsc --noEmit` and plain `eslint` with the
 * same rules, interleaved in the same run. Targets: untyped under 1 s; typed at most 1.15x tsc --noEmit.
 * Prints figures; asserts nothing (machines here are shared and noisy).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const scratch = mkdtempSync(join(tmpdir(), 'cas-bench-lint-'));
const project = join(scratch, 'app');
const env = { ...process.env, NO_COLOR: '1', CI: 'true' };
const cacheDir = join(project, 'node_modules', '.cache', 'asyncsrv-lint');

interface Case {
  label: string;
  argv: string[];
  before?: () => void;
  allowExit1?: boolean;
  env?: Record<string, string>;
}

function setUp(): void {
  const created = spawnSync(process.execPath, [join(root, 'bin/create-async-server.js'), 'app', '--yes', '--no-install', '--no-git'], {
    cwd: scratch,
    env,
    encoding: 'utf8',
  });
  if (created.status !== 0) throw new Error(`scaffold failed: ${created.stderr}`);
  // The project's dependencies come from this checkout (symlinks), so nothing is installed.
  const modules = join(project, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry !== '.cache' && entry !== '.package-lock.json') symlinkSync(join(root, 'node_modules', entry), join(modules, entry));
  }
  symlinkSync(root, join(modules, 'create-async-server'));
  writeFileSync(
    join(project, 'eslint.untyped.config.js'),
    [
      "import asyncServer from 'create-async-server/eslint-plugin';",
      '// The template disables a typed rule on one line: plain ESLint needs the name defined (asyncsrv lint drops that error).',
      'const noop = { create: () => ({}) };',
      "const typedNames = { plugins: { '@typescript-eslint': { rules: { 'no-misused-promises': noop, 'no-floating-promises': noop } } } };",
      "export default [{ ignores: ['dist/', '.data/', 'coverage/'] }, ...asyncServer.configs.recommended, typedNames];",
      '',
    ].join('\n'),
  );
}

const asyncsrv = join(root, 'bin/asyncsrv.js');
const eslint = (): string => join(project, 'node_modules/eslint/bin/eslint.js');
const cases: Case[] = [
  { label: 'node -e 0', argv: ['-e', '0'] },
  {
    label: 'asyncsrv lint --no-typed (no cache)',
    argv: [asyncsrv, 'lint', '--no-typed'],
    before: () => rmSync(cacheDir, { recursive: true, force: true }),
  },
  { label: 'asyncsrv lint --no-typed (cached)', argv: [asyncsrv, 'lint', '--no-typed'] },
  { label: 'eslint, same rules, untyped', argv: [eslint(), '-c', 'eslint.untyped.config.js', '.'] },
  { label: 'asyncsrv lint (typed)', argv: [asyncsrv, 'lint'] },
  { label: 'asyncsrv lint (typed, ESLint engine)', argv: [asyncsrv, 'lint'], env: { ASYNCSRV_LINT_TYPED_ENGINE: 'eslint' } },
  { label: 'eslint, same rules, typed', argv: [eslint(), '.'] },
  { label: 'tsc --noEmit', argv: [join(project, 'node_modules/typescript/bin/tsc'), '--noEmit'] },
];

function timeOnce(c: Case): number {
  c.before?.();
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, c.argv, { cwd: project, env: { ...env, ...c.env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${c.label} exited ${result.status}: ${result.stdout}${result.stderr}`);
  return ms;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

try {
  setUp();
  for (const c of cases) timeOnce(c); // warm the file cache once (and check every command passes)
  const samples = new Map<string, number[]>(cases.map((c) => [c.label, []]));
  for (let i = 0; i < runs; i++) for (const c of cases) samples.get(c.label)!.push(timeOnce(c)); // interleaved: noise hits all alike
  const files =
    readdirSync(join(project, 'src'), { recursive: true }).length + readdirSync(join(project, 'test'), { recursive: true }).length;
  console.log(
    `Lint wall time on a generated project (~${files} entries in src/ and test/), median of ${runs} runs (node ${process.version}, ${new Date().toISOString()})`,
  );
  console.log(`${'command'.padEnd(40)}${'median'.padStart(12)}${'min'.padStart(12)}`);
  for (const c of cases) {
    const values = samples.get(c.label)!;
    console.log(
      `${c.label.padEnd(40)}${`${median(values).toFixed(0)} ms`.padStart(12)}${`${Math.min(...values).toFixed(0)} ms`.padStart(12)}`,
    );
  }
  const untypedCold = median(samples.get('asyncsrv lint --no-typed (no cache)')!);
  const untypedCached = median(samples.get('asyncsrv lint --no-typed (cached)')!);
  const typed = median(samples.get('asyncsrv lint (typed)')!);
  const typedEslint = median(samples.get('asyncsrv lint (typed, ESLint engine)')!);
  const tsc = median(samples.get('tsc --noEmit')!);
  console.log(
    `target: untyped under 1000 ms -> no cache ${untypedCold < 1000 ? 'met' : 'MISSED'} (${untypedCold.toFixed(0)} ms), cached ${untypedCached < 1000 ? 'met' : 'MISSED'} (${untypedCached.toFixed(0)} ms)`,
  );
  const ratio = (ms: number): string => `${(ms / tsc).toFixed(2)}x`;
  console.log(`typed / tsc --noEmit: ${ratio(typed)} (oxlint), ${ratio(typedEslint)} (ESLint engine)`);
  console.log(`target: typed at most 1.15x tsc --noEmit -> ${typed <= tsc * 1.15 ? 'met' : 'MISSED'} (${ratio(typed)})`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
