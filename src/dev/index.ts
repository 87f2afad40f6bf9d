import { existsSync } from 'node:fs';
import { join } from 'node:path';
import chalk from 'chalk';
import { findProject, loadEnvFile, startEmbeddedDb, type EmbeddedDb } from '../project/index.js';
import { CancelledError, UserError } from '../util/errors.js';
import { createLogger } from '../util/logger.js';
import { abortWhenParentExits } from '../util/parent-watch.js';
import { describePortHolder, isPortFree, nextFreePort } from '../util/ports.js';
import { startProgress } from '../util/progress.js';
import { spawnApp } from './app-process.js';
import { formatBanner, type DatabaseInUse } from './banner.js';
import { formatLintSummary } from './lint-summary.js';
import { runDevSession } from './session.js';
import { watchFiles } from './watch-files.js';

export interface DevOptions {
  cwd: string;
  port: number | undefined;
  strictPort: boolean;
  /** `true` for plain `--inspect`, a `host:port` string for `--inspect=host:port`. */
  inspect: string | true | undefined;
  clear: boolean;
  quiet: boolean;
}

/** How long a stopping app may take to close before it is killed: dev restarts must be quick. */
const STOP_GRACE_MS = 3000;
const DEBOUNCE_MS = 60;

/**
 * `asyncsrv dev`: run the project's server with TypeScript, restart it gracefully on changes to
 * src/ or .env, keep the embedded database running across restarts, until the signal aborts or
 * the process that started dev exits.
 */
export async function runDev(options: DevOptions, interrupt: AbortSignal): Promise<void> {
  const logger = createLogger();
  // `npm run dev` stopped alone exits without stopping us: stop the app and the database rather than orphan them.
  const { signal, stop } = abortWhenParentExits(interrupt, (ppid) =>
    logger.warn(`the process that started asyncsrv dev (pid ${ppid}) has exited; stopping.`),
  );
  try {
    await runDevUntil(options, signal, logger);
  } finally {
    stop();
  }
}

async function runDevUntil(options: DevOptions, signal: AbortSignal, logger: ReturnType<typeof createLogger>): Promise<void> {
  const project = findProject(options.cwd);
  const envPath = join(project.root, '.env');
  const env = (): NodeJS.ProcessEnv => ({ ...loadEnvFile(envPath, logger.warn), ...process.env });
  const initialEnv = env();
  const host = initialEnv.HOST ?? '127.0.0.1';
  const port = await choosePort(options.port ?? portFrom(initialEnv.PORT), host, options.strictPort, logger.info);

  let database: DatabaseInUse;
  let embedded: EmbeddedDb | undefined;
  if (initialEnv.DATABASE_URL) {
    database = { kind: 'external', url: initialEnv.DATABASE_URL };
  } else if (project.embeddedDbScript) {
    const progress = startProgress('Starting the embedded database…');
    try {
      embedded = await startEmbeddedDb(project.root, project.embeddedDbScript, { ...initialEnv, NODE_ENV: 'development' }, signal);
    } catch (error) {
      // Ctrl-C is how dev ends, at any stage: exit 0, as after a normal run.
      if (signal.aborted || error instanceof CancelledError) {
        progress.fail('Stopped before the embedded database was ready.');
        logger.info(chalk.dim('dev stopped.'));
        return;
      }
      progress.fail('The embedded database did not start.');
      throw error;
    }
    progress.succeed('Embedded database ready.');
    database = { kind: 'embedded', dataDir: '.data/pglite', url: embedded.url };
  } else {
    throw new UserError(
      'DATABASE_URL is not set and this project has no embedded database.',
      'Set DATABASE_URL in .env (see .env.example) to your PostgreSQL.',
    );
  }

  const nodeArgs = options.inspect === undefined ? [] : [options.inspect === true ? '--inspect' : `--inspect=${options.inspect}`];
  const appEnv = (): NodeJS.ProcessEnv => {
    // ASYNCSRV_DEV_HANDOFF: servers generated with the hand-off boot beside the running one and wait for a cue to listen.
    const values: NodeJS.ProcessEnv = { ...env(), NODE_ENV: 'development', PORT: String(port), HOST: host, ASYNCSRV_DEV_HANDOFF: '1' };
    if (embedded && !values.DATABASE_URL) values.DATABASE_URL = embedded.url;
    return values;
  };
  try {
    await runDevSession(
      {
        spawnApp: () => spawnApp({ root: project.root, entry: project.serverEntry, env: appEnv(), nodeArgs }),
        appEnv,
        // migrations/ too: the restarted app applies a new migration (MIGRATE_ON_START, on by default).
        watch: (onChange) =>
          watchFiles(project.root, [join(project.root, 'src'), join(project.root, 'migrations'), envPath], DEBOUNCE_MS, onChange),
        lint: (changed) => lintSummary(project.root, changed),
        banner: (listening) => formatBanner({ name: project.name, listening, database, quiet: options.quiet }),
        logger,
        clearScreen: options.clear && process.stdout.isTTY ? () => process.stdout.write('\u001b[2J\u001b[3J\u001b[H') : undefined,
        useSpares: options.inspect === undefined,
        stopGraceMs: STOP_GRACE_MS,
      },
      signal,
    );
  } finally {
    await embedded?.stop();
    logger.info(chalk.dim('dev stopped.'));
  }
}

/** The async lint of the changed source files, as the few lines dev prints ('' when nothing to say). */
async function lintSummary(root: string, changed: string[]): Promise<string> {
  const files = changed.filter((file) => /\.(ts|mts|cts|js|mjs)$/.test(file) && existsSync(join(root, file)));
  if (files.length === 0) return '';
  const { collectLintReport } = await import('../lint/index.js');
  return formatLintSummary(await collectLintReport(root, files, { typed: false, fix: false }));
}

async function choosePort(wanted: number, host: string, strict: boolean, say: (line: string) => void): Promise<number> {
  if (wanted === 0 || (await isPortFree(wanted, host))) return wanted;
  const holder = await describePortHolder(wanted);
  const busy = `Port ${wanted} is in use${holder ? ` by ${holder}` : ''}`;
  if (strict)
    throw new UserError(`${busy}.`, 'Stop that process, choose another with --port, or drop --strict-port to take the next free one.');
  const next = await nextFreePort(wanted + 1, host);
  if (next === undefined) throw new UserError(`${busy}, and so are the 50 ports after it.`, 'Choose a port with --port.');
  say(chalk.yellow(`${busy}; using ${next} instead.`));
  return next;
}

function portFrom(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UserError(`Expected PORT to be a port number (0-65535), got \`${raw}\`.`, 'Fix PORT in .env or the environment.');
  return port;
}
