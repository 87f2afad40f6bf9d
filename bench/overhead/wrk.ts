import { spawnSync } from 'node:child_process';
import { execa } from 'execa';
import type { WrkResult } from './types.js';

const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** wrk's durations ("812.00us", "2.10ms", "1.02s", "1.00m") in milliseconds. */
export function parseWrkTime(text: string): number | undefined {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return match[2] === 'us' ? Number(match[1]) / 1000 : Number(match[1]) * TIME_UNITS[match[2]]!;
}

/** Reads wrk's report (run with --latency): requests, req/s, socket errors, non-2xx, p50 and p99. */
export function parseWrkOutput(output: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+\w+),/.exec(output);
  const perSecond = /Requests\/sec:\s+([\d.]+)/.exec(output);
  if (!total?.[1] || !total[2] || !perSecond?.[1]) throw new Error(`Unexpected wrk output:\n${output.trim()}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const percentile = (p: string): number | undefined => {
    const match = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(output);
    return match?.[1] ? parseWrkTime(match[1]) : undefined;
  };
  return {
    requests: Number(total[1]),
    durationSeconds: (parseWrkTime(total[2]) ?? Number.NaN) / 1000,
    requestsPerSecond: Number(perSecond[1]),
    socketErrors: {
      connect: Number(errors?.[1] ?? 0),
      read: Number(errors?.[2] ?? 0),
      write: Number(errors?.[3] ?? 0),
      timeout: Number(errors?.[4] ?? 0),
    },
    non2xx: Number(non2xx?.[1] ?? 0),
    p50Ms: percentile('50'),
    p99Ms: percentile('99'),
  };
}

/** Socket errors (timeouts included) plus non-2xx answers. */
export function errorsOf(result: WrkResult): number {
  const { connect, read, write, timeout } = result.socketErrors;
  return connect + read + write + timeout + result.non2xx;
}

export interface WrkRun {
  url: string;
  threads: number;
  connections: number;
  durationSeconds: number;
}

/** The wrk command line of a run: whole seconds (wrk takes no fractions), its 2 s request timeout spelt out. */
export function wrkArgs({ url, threads, connections, durationSeconds }: WrkRun): string[] {
  const seconds = Math.max(1, Math.round(durationSeconds));
  return [
    '-t',
    String(Math.min(threads, connections)),
    '-c',
    String(connections),
    '-d',
    `${seconds}s`,
    '--timeout',
    '2s',
    '--latency',
    url,
  ];
}

/** One wrk run, bounded in time (its duration plus 15 s, then it is killed). */
export async function runWrk(run: WrkRun, signal: AbortSignal): Promise<WrkResult> {
  const result = await execa('wrk', wrkArgs(run), {
    cancelSignal: signal,
    timeout: (Math.max(1, Math.round(run.durationSeconds)) + 15) * 1000,
    stdin: 'ignore',
    reject: false,
  });
  if (result.exitCode !== 0) throw new Error(`wrk failed (${result.exitCode ?? result.signal}): ${result.stderr || result.stdout}`);
  return parseWrkOutput(result.stdout);
}

/** wrk's version line; installs Debian's wrk first when it is missing (as bench:engine does). */
export function ensureWrk(log: (line: string) => void): string {
  if (spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status !== 0) {
    log('  wrk is missing: apt-get update && apt-get install -y wrk');
    const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
    for (const args of [
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', 'wrk'],
    ]) {
      const [command, ...rest] = [...sudo, ...args] as [string, ...string[]];
      const result = spawnSync(command, rest, { stdio: 'inherit' });
      if (result.status !== 0) throw new Error(`\`${[command, ...rest].join(' ')}\` failed; install wrk and run again.`);
    }
  }
  const version = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return (
    `${version.stdout}${version.stderr}`
      .split('\n')[0]
      ?.replace(/ Copyright.*$/, '')
      .trim() ?? 'wrk'
  );
}
