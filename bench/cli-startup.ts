/**
 * `npm run bench:cli`: median cold start of the CLI beside `node -e 0`, measured in the same run.
 * Targets (issue 17), as ratios to `node -e 0` so that a slower or busier machine moves both:
 * `asyncsrv --help` at most 1.3x, a scaffold without install at most 2.5x.
 * Prints figures; asserts nothing (machines here are shared and noisy).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const runs = Number(process.env.BENCH_RUNS ?? 21);
const scratch = mkdtempSync(join(tmpdir(), 'cas-bench-cli-'));
const env = { ...process.env, NO_COLOR: '1', CI: 'true' };

interface Case {
  label: string;
  argv: () => string[];
  cwd?: string;
}
let project = 0;
const cases: Case[] = [
  { label: 'node -e 0', argv: () => ['-e', '0'] },
  { label: 'asyncsrv --help', argv: () => [join(root, 'bin/asyncsrv.js'), '--help'] },
  { label: 'create-async-server --help', argv: () => [join(root, 'bin/create-async-server.js'), '--help'] },
  {
    label: 'create-async-server x --yes --no-install --no-git',
    argv: () => [join(root, 'bin/create-async-server.js'), `app-${project++}`, '--yes', '--no-install', '--no-git'],
    cwd: scratch,
  },
];

function timeOnce(c: Case): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, c.argv(), { cwd: c.cwd ?? root, env, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${c.label} exited ${result.status}`);
  return ms;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

try {
  for (const c of cases) timeOnce(c); // warm the file cache once
  const samples = new Map<string, number[]>(cases.map((c) => [c.label, []]));
  for (let i = 0; i < runs; i++) for (const c of cases) samples.get(c.label)!.push(timeOnce(c)); // interleaved: noise hits all alike
  const baseline = median(samples.get('node -e 0')!);
  console.log(`CLI cold start, median of ${runs} runs (node ${process.version}, ${new Date().toISOString()})`);
  console.log(`${'command'.padEnd(52)}${'median'.padStart(10)}${'vs node -e 0'.padStart(15)}${'ratio'.padStart(8)}`);
  for (const c of cases) {
    const m = median(samples.get(c.label)!);
    const delta = c.label === 'node -e 0' ? '' : `+${(m - baseline).toFixed(1)} ms`;
    console.log(
      `${c.label.padEnd(52)}${`${m.toFixed(1)} ms`.padStart(10)}${delta.padStart(15)}${`${(m / baseline).toFixed(2)}x`.padStart(8)}`,
    );
  }
  const ratio = (label: string): number => median(samples.get(label)!) / baseline;
  const verdict = (value: number, target: number): string => `${value <= target ? 'met' : 'MISSED'} (${value.toFixed(2)}x)`;
  console.log(`target: asyncsrv --help at most 1.3x node -e 0 -> ${verdict(ratio('asyncsrv --help'), 1.3)}`);
  console.log(
    `target: scaffold without install at most 2.5x node -e 0 -> ${verdict(ratio('create-async-server x --yes --no-install --no-git'), 2.5)}`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
