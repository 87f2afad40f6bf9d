import { Command } from 'commander';
import type { DevOptions } from '../dev/index.js';
import { portNumber } from '../util/flags.js';
import { withInterruptSignal } from '../util/signals.js';

export interface RawDevFlags {
  port?: string;
  strictPort?: boolean;
  inspect?: string | true;
  clear: boolean;
  quiet?: boolean;
}

/** `asyncsrv dev`: watch, restart, embedded database, banner. */
export function makeDevCommand(): Command {
  return new Command('dev')
    .description('Run the project with watch and graceful restart; starts the embedded database unless DATABASE_URL is set.')
    .option('-p, --port <port>', 'port to listen on (default: PORT from the environment or .env, else 3000)')
    .option('--strict-port', 'fail when the port is busy instead of taking the next free one')
    .option('--inspect [host:port]', 'start the app with the Node inspector')
    .option('--no-clear', 'do not clear the screen on restart')
    .option('-q, --quiet', 'print less: no route table')
    .addHelpText(
      'after',
      `
Watches src/, migrations/ and .env (not node_modules, dist, .data); rapid saves make one restart. The old
process stops (SIGTERM, then SIGKILL after 3 s) before the new one starts. Ctrl-C stops the app
and the embedded database.`,
    )
    .action(async (raw: RawDevFlags) => {
      const options = parseDevOptions(raw, process.cwd());
      const { runDev } = await import('../dev/index.js');
      await withInterruptSignal((signal) => runDev(options, signal));
    });
}

export function parseDevOptions(raw: RawDevFlags, cwd: string): DevOptions {
  return {
    cwd,
    port: raw.port === undefined ? undefined : portNumber(raw.port, '--port'),
    strictPort: raw.strictPort ?? false,
    inspect: raw.inspect,
    clear: raw.clear,
    quiet: raw.quiet ?? false,
  };
}
