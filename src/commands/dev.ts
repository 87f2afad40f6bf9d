import { Command } from 'commander';
import { UsageError } from '../util/errors.js';
import { withInterruptSignal } from '../util/signals.js';

export interface DevFlags {
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
    .addHelpText('after', `
Watches src/ and .env (not node_modules, dist, .data); rapid saves make one restart. The old
process stops (SIGTERM, then SIGKILL after 3 s) before the new one starts. Ctrl-C stops the app
and the embedded database.`)
    .action(async (flags: DevFlags) => {
      const port = flags.port === undefined ? undefined : parsePort(flags.port);
      const { runDev } = await import('../dev/index.js');
      await withInterruptSignal((signal) => runDev({
        cwd: process.cwd(),
        port,
        strictPort: flags.strictPort ?? false,
        inspect: flags.inspect,
        clear: flags.clear,
        quiet: flags.quiet ?? false,
      }, signal));
    });
}

export function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new UsageError(`Expected \`--port\` to be a port number (0-65535), got \`${raw}\`.`);
  return port;
}
