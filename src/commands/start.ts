import { Command } from 'commander';
import type { StartOptions } from '../start/index.js';
import { UsageError } from '../util/errors.js';
import { withInterruptSignal } from '../util/signals.js';

export interface RawStartFlags {
  workers: string;
}

/** `asyncsrv start [--workers N|auto]`: production, optionally as a cluster. */
export function makeStartCommand(): Command {
  return new Command('start')
    .description('Run dist/server.js in production mode: one process, or a cluster of workers sharing the port.')
    .option('-w, --workers <n|auto>', 'worker processes (auto: one per CPU)', '1')
    .addHelpText(
      'after',
      `
A worker that dies is restarted with back-off (100 ms doubling to 10 s) and logged. SIGTERM or
Ctrl-C drains every worker (/readyz 503, serving on for LAME_DUCK_MS, then in-flight requests
finish, bounded by SHUTDOWN_TIMEOUT_MS), then exits 0; so does the exit of the process that
started it (npm stopped alone). Needs DATABASE_URL in the environment, like node dist/server.js.`,
    )
    .action(async (raw: RawStartFlags) => {
      const options = parseStartOptions(raw, process.cwd());
      const { runStart } = await import('../start/index.js');
      await withInterruptSignal((signal) => runStart(options, signal));
    });
}

export function parseStartOptions(raw: RawStartFlags, cwd: string): StartOptions {
  return { cwd, workers: parseWorkers(raw.workers) };
}

/** A count from 1 to 256, or `auto` (one per CPU). */
function parseWorkers(raw: string): number | 'auto' {
  if (raw === 'auto') return 'auto';
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 256)
    throw new UsageError(`Expected \`--workers\` to be a count from 1 to 256 or \`auto\`, got \`${raw}\`.`);
  return Number(raw);
}
