import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Pool } from 'undici';
import type { Launcher, ServerProcess } from './servers.js';
import { median } from './stats.js';

/**
 * Instructions per request, counted by valgrind's callgrind: the same build and load give the same
 * median of three windows within about 2% on a busy machine (on connections already open, V8's
 * memory reducer off), where wrk's req/s and /proc's CPU time move by 10% or more from one run to
 * the next. It counts what the process executes in user space (JIT code,
 * Node, V8, libc), not the kernel's share of a request (system calls, TCP on loopback), nor time
 * lost to caches, so it ranks changes to our code; throughput stays the measure of the targets.
 */
export interface InstructionLoad {
  path: string;
  /**
   * Requests before counting: V8 optimises by invocation counts, so a fixed number warms alike.
   * The generated server settles later than the minimal app: after 20,000 its next two windows of
   * 10,000 still counted 11–15% more than the steady state (silent 87.3k and 88.7k, then six at
   * 75.7–75.9k; with the access log 107.1k and 89.4k, then 83.0–85.2k), where the minimal app's
   * first window already matched its later ones.
   */
  warmup: number;
  /** Requests in each counted window. */
  measured: number;
  /**
   * Windows counted one after another after the warm-up; the count is their median. One window
   * may hold a major garbage collection or the last optimisations (seen: 100k where the next two
   * counted 78k), which steady state spreads far thinner.
   */
  windows: number;
  /** Keep-alive connections of the client. */
  connections: number;
  /** Request headers (`x-forwarded-proto: https` for the HSTS path). */
  headers?: Record<string, string>;
}

export const INSTRUCTION_LOAD: InstructionLoad = { path: '/json', warmup: 50_000, measured: 10_000, windows: 3, connections: 10 };

/**
 * callgrind writing its dumps to `outDir` as `cg.<pid>.<n>`; node under it runs about 50 times slower.
 * V8's memory reducer starts collections by the clock, and callgrind's slowness makes it start a
 * varying number (counts of one build spread by 20% with it, 1% without): it is off for the count.
 */
export function callgrindLauncher(outDir: string): Launcher {
  return {
    prefix: [
      'valgrind',
      '--tool=callgrind',
      '--smc-check=all-non-file',
      '--dump-instr=no',
      `--callgrind-out-file=${join(outDir, 'cg.%p')}`,
    ],
    nodeArgs: ['--no-memory-reducer'],
    slowdown: 8,
  };
}

/** valgrind's version line, or undefined when it is not installed. */
export async function valgrindVersion(): Promise<string | undefined> {
  const result = await execa('valgrind', ['--version'], { reject: false, stdin: 'ignore' }).catch(() => undefined);
  return result?.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** The instruction count of a callgrind dump: its `totals:` line (or `summary:` in older formats). */
export function parseCallgrindTotal(text: string): number {
  const match = /^(?:totals|summary):\s+(\d+)/m.exec(text);
  if (!match?.[1]) throw new Error('The callgrind dump has no totals line.');
  return Number(match[1]);
}

/**
 * `requests` GETs of `path` through `pool`, one at a time on each of its connections; throws on
 * any status but 200 (a shed or failed request would count other code).
 */
export async function sendRequests(
  pool: Pool,
  path: string,
  requests: number,
  { connections, headers = {} }: Pick<InstructionLoad, 'connections' | 'headers'>,
  signal: AbortSignal,
): Promise<void> {
  let left = requests;
  const worker = async (): Promise<void> => {
    while (left > 0 && !signal.aborted) {
      left -= 1;
      const response = await pool.request({ path, method: 'GET', headers });
      await response.body.dump();
      if (response.statusCode !== 200) throw new Error(`GET ${path} answered ${response.statusCode} under callgrind`);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  signal.throwIfAborted();
}

/** Tells the callgrind running `server` to `zero` its counters or `dump` them, through vgdb. */
async function callgrindCommand(server: ServerProcess, command: 'zero' | 'dump'): Promise<void> {
  // vgdb finds the process by a name valgrind made from its USER and HOST variables: give it the same.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const name of ['USER', 'HOST'] as const) if (server.env[name] !== undefined) env[name] = server.env[name];
  const pid = server.pid;
  const result = await execa('vgdb', [`--pid=${pid}`, command], { env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000 });
  if (result.exitCode !== 0) throw new Error(`vgdb ${command} failed for pid ${pid}: ${result.stderr || result.stdout}`);
}

/**
 * Instructions per request of `server` (started with callgrindLauncher(outDir)) in each window:
 * the warm-up, then per window counters zeroed, the measured requests, a dump, its total over the
 * request count.
 */
export async function countInstructions(
  server: ServerProcess,
  outDir: string,
  load: InstructionLoad,
  signal: AbortSignal,
): Promise<number[]> {
  // One pool for every phase: new connections for the counted requests cost the server about 300
  // million instructions once (15k a request over 20k requests), which no request pays in steady state.
  const pool = new Pool(server.url, { connections: load.connections });
  const counts: number[] = [];
  try {
    await sendRequests(pool, load.path, load.warmup, load, signal);
    for (let window = 0; window < load.windows; window += 1) {
      await callgrindCommand(server, 'zero');
      await sendRequests(pool, load.path, load.measured, load, signal);
      await callgrindCommand(server, 'dump');
      counts.push(parseCallgrindTotal(readFileSync(latestDump(server, outDir), 'utf8')) / load.measured);
    }
  } finally {
    await pool.close();
  }
  return counts;
}

/** The newest of the dumps callgrind wrote for `server` (`cg.<pid>.<n>`). */
function latestDump(server: ServerProcess, outDir: string): string {
  const dump = readdirSync(outDir)
    .filter((name) => name.startsWith(`cg.${server.pid}.`))
    .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
    .at(-1);
  if (!dump) throw new Error(`callgrind wrote no dump for pid ${server.pid} in ${outDir}.`);
  return join(outDir, dump);
}

/** One server's count: a contender of the main rounds, or a rung of the middleware ladder. */
export interface InstructionCount {
  /** `minimal`, `generated-silent`, `generated-https`, `generated-log`, or `ladder-<layers>`. */
  id: string;
  /** The median of the windows. */
  perRequest: number;
  /** Each window's instructions per request, in the order counted. */
  windows: number[];
}

interface CountJob {
  start: (launcher: Launcher) => Promise<ServerProcess>;
  /** The counts made on this process, one after another (each with its warm-up), e.g. with other headers. */
  loads: Array<[id: string, load: InstructionLoad]>;
}

export interface CountSources {
  startMinimal: (launcher: Launcher) => Promise<ServerProcess>;
  startGenerated: (launcher: Launcher, accessLog: boolean, env: Record<string, string>) => Promise<ServerProcess>;
  startLadder: (launcher: Launcher, layers: number, env: Record<string, string>) => Promise<ServerProcess>;
  ladderRungs: number;
}

/** Never shed under callgrind's slow event loop: the check still runs, it just never refuses. */
const NO_SHEDDING = { MAX_EVENT_LOOP_DELAY_MS: '600000' };

/**
 * Counts /json's instructions per request for the minimal app, the generated server (silent, over
 * HTTPS per X-Forwarded-Proto, with the access log) and every ladder rung, two processes at a time.
 */
export async function runInstructionCounts(
  sources: CountSources,
  outDir: string,
  log: (line: string) => void,
  signal: AbortSignal,
  load: InstructionLoad = INSTRUCTION_LOAD,
): Promise<InstructionCount[]> {
  const jobs: CountJob[] = [
    { start: sources.startMinimal, loads: [['minimal', load]] },
    {
      start: (launcher) => sources.startGenerated(launcher, false, NO_SHEDDING),
      loads: [
        ['generated-silent', load],
        ['generated-https', { ...load, headers: { ...load.headers, 'x-forwarded-proto': 'https' } }],
      ],
    },
    {
      start: (launcher) => sources.startGenerated(launcher, true, NO_SHEDDING),
      loads: [['generated-log', load]],
    },
    ...Array.from({ length: sources.ladderRungs }, (_, layers): CountJob => {
      const id = `ladder-${layers}`;
      return { start: (launcher) => sources.startLadder(launcher, layers, NO_SHEDDING), loads: [[id, load]] };
    }),
  ];
  const counts: InstructionCount[] = [];
  const launcher = callgrindLauncher(outDir);
  const runJob = async (job: CountJob): Promise<void> => {
    const server = await job.start(launcher);
    try {
      for (const [id, jobLoad] of job.loads) {
        const windows = await countInstructions(server, outDir, jobLoad, signal).catch((error: unknown) => {
          throw new Error(`${id}: ${(error as Error).message}`);
        });
        const perRequest = median(windows);
        counts.push({ id, perRequest, windows });
        const each = windows.map((count) => `${(count / 1_000).toFixed(1)}k`).join(' / ');
        log(`    ${id}: ${Math.round(perRequest).toLocaleString('en-US')} instructions a request (median of ${each})`);
      }
    } finally {
      await server.stop();
    }
  };
  const queue = [...jobs];
  const worker = async (): Promise<void> => {
    for (let job = queue.shift(); job && !signal.aborted; job = queue.shift()) await runJob(job);
  };
  await Promise.all([worker(), worker()]); // two at a time: counts do not depend on the other core's load
  signal.throwIfAborted();
  return counts;
}
