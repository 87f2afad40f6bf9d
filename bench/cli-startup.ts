/**
 * `npm run bench:cli`: median cold start of the CLI beside `node -e 0`, measured in the same run.
 * Targets: `asyncsrv --help` within node + 60 ms; scaffold without install under 0.5 s.
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

interface Case { label: string; argv: () => string[]; cwd?: string }
let project = 0;
const cases: Case[] = [
  { label: 'node -e 0', argv: () => ['-e', '0'] },
  { label: 'asyncsrv --help', argv: () => [join(root, 'bin/asyncsrv.js'), '--help'] },
  { label: 'create-async-server --help', argv: () => [join(root, 'bin/create-async-server.js'), '--help'] },
  { label: 'create-async-server x --yes --no-install --no-git', argv: () => [join(root, 'bin/create-async-server.js'), `app-${project++}`, '--yes', '--no-install', '--no-git'], cwd: scratch },
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
  console.log(`${'command'.padEnd(52)}${'median'.padStart(10)}${'vs node -e 0'.padStart(15)}`);
  for (const c of cases) {
    const m = median(samples.get(c.label)!);
    const delta = c.label === 'node -e 0' ? '' : `+${(m - baseline).toFixed(1)} ms`;
    console.log(`${c.label.padEnd(52)}${`${m.toFixed(1)} ms`.padStart(10)}${delta.padStart(15)}`);
  }
  const help = median(samples.get('asyncsrv --help')!) - baseline;
  const scaffold = median(samples.get('create-async-server x --yes --no-install --no-git')!);
  console.log(`target: asyncsrv --help within node + 60 ms -> ${help <= 60 ? 'met' : 'MISSED'} (+${help.toFixed(1)} ms)`);
  console.log(`target: scaffold without install under 500 ms -> ${scaffold < 500 ? 'met' : 'MISSED'} (${scaffold.toFixed(1)} ms)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
