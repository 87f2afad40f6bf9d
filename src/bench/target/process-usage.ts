import { readFile } from 'node:fs/promises';

export interface ProcessUsage {
  rssBytes: number;
  /** User + system CPU time since the process started. */
  cpuSeconds: number;
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`); 100 on Linux everywhere we run. */
const CLOCK_TICKS = 100;

/** Parses /proc/<pid>/stat (CPU) and /proc/<pid>/status (RSS); the command name may hold spaces. */
export function parseProcessUsage(stat: string, status: string): ProcessUsage {
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) are at 11 and 12 once pid, name and state are dropped.
  const ticks = Number(afterName[11]) + Number(afterName[12]);
  const rss = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return { rssBytes: rss ? Number(rss[1]) * 1024 : 0, cpuSeconds: ticks / CLOCK_TICKS };
}

export async function readProcessUsage(pid: number): Promise<ProcessUsage | undefined> {
  try {
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    return parseProcessUsage(stat, status);
  } catch {
    return undefined; // gone, or not Linux
  }
}

export interface UsageSample extends ProcessUsage {
  atMs: number;
}

export interface UsageSampler {
  /** Stops sampling; the samples taken, oldest first. */
  stop(): UsageSample[];
}

/** Samples a process's RSS and CPU every `intervalMs` (the server's side of a bench run). */
export function sampleProcessUsage(pid: number, intervalMs = 250): UsageSampler {
  const samples: UsageSample[] = [];
  const started = performance.now();
  const take = async (): Promise<void> => {
    const usage = await readProcessUsage(pid);
    if (usage) samples.push({ ...usage, atMs: performance.now() - started });
  };
  void take();
  const timer = setInterval(() => void take(), intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

/** Peak and last RSS, and the CPU used between the first and last sample as a share of one core. */
export function summariseUsage(
  samples: readonly UsageSample[],
): { rssPeakBytes: number; rssLastBytes: number; cpuSeconds: number; cpuCores: number } | undefined {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) return undefined;
  const cpuSeconds = last.cpuSeconds - first.cpuSeconds;
  const wallSeconds = (last.atMs - first.atMs) / 1000;
  return {
    rssPeakBytes: Math.max(...samples.map((sample) => sample.rssBytes)),
    rssLastBytes: last.rssBytes,
    cpuSeconds,
    cpuCores: wallSeconds > 0 ? cpuSeconds / wallSeconds : 0,
  };
}
