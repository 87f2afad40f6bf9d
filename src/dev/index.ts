import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import chalk from 'chalk';
import { findProject, loadEnvFile, startEmbeddedDb, type EmbeddedDb } from '../project/index.js';
import { CancelledError, UserError } from '../util/errors.js';
import { createLogger } from '../util/logger.js';
import { abortWhenParentExits } from '../util/parent-watch.js';
import { describePortHolder, isPortFree, nextFreePort } from '../util/ports.js';
import { startProgress } from '../util/progress.js';
import { spawnApp, type AppProcess } from './app-process.js';
import { formatBanner, type DatabaseInUse } from './banner.js';
import { formatLintSummary } from './lint-summary.js';
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
  const { signal, stop } = abortWhenParentExits(interrupt, (ppid) => logger.warn(`the process that started asyncsrv dev (pid ${ppid}) has exited; stopping.`));
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
      if (signal.aborted || error instanceof CancelledError) { progress.fail('Stopped before the embedded database was ready.'); logger.info(chalk.dim('dev stopped.')); return; }
      progress.fail('The embedded database did not start.');
      throw error;
    }
    progress.succeed('Embedded database ready.');
    database = { kind: 'embedded', dataDir: '.data/pglite', url: embedded.url };
  } else {
    throw new UserError('DATABASE_URL is not set and this project has no embedded database.', 'Set DATABASE_URL in .env (see .env.example) to your PostgreSQL.');
  }

  const nodeArgs = options.inspect === undefined ? [] : [options.inspect === true ? '--inspect' : `--inspect=${options.inspect}`];
  const clearScreen = options.clear && Boolean(process.stdout.isTTY);
  let app: AppProcess | undefined;
  const stopping = new WeakSet<AppProcess>();
  let queue = Promise.resolve();
  // Servers generated with the hand-off boot beside the running one and wait for a cue to listen.
  let handoff = true;

  const childEnv = (): NodeJS.ProcessEnv => {
    const values: NodeJS.ProcessEnv = { ...env(), NODE_ENV: 'development', PORT: String(port), HOST: host, ASYNCSRV_DEV_HANDOFF: '1' };
    if (embedded && !values.DATABASE_URL) values.DATABASE_URL = embedded.url;
    return values;
  };
  // A warm spare process waits with the dependencies loaded; not with --inspect (one inspector port).
  const useSpares = options.inspect === undefined;
  let spare: AppProcess | undefined;
  const newProcess = (): AppProcess => spawnApp({ root: project.root, entry: project.serverEntry, env: childEnv(), nodeArgs });

  const startNextApp = (): AppProcess => {
    const child = spare ?? newProcess();
    spare = undefined;
    child.start(childEnv());
    void child.exited.then((exit) => {
      if (stopping.has(child) || signal.aborted) return;
      const how = exit.signal ? `was killed by ${exit.signal}` : exit.code === 0 ? 'exited with code 0' : `crashed (exit code ${exit.code})`;
      logger.error(`The app ${how}. Waiting for a change to restart…`);
    });
    return child;
  };

  const retire = async (child: AppProcess): Promise<void> => {
    stopping.add(child);
    await child.stop(STOP_GRACE_MS); // the old process releases the port before the new one binds it
  };

  const replaceApp = async (changed: string[]): Promise<void> => {
    const started = performance.now();
    const previous = app;
    if (previous && !handoff) await retire(previous);
    const next = startNextApp();
    app = next;
    const first = await Promise.race([
      next.ready.then(() => 'ready' as const),
      next.listening.then(() => 'listening' as const),
      next.exited.then(() => 'exited' as const),
    ]);
    if (first === 'listening') handoff = false; // an edited server.ts without the hand-off
    // Also when the new version crashed: what is served is always what was saved.
    if (previous && handoff) await retire(previous);
    if (first === 'exited' || signal.aborted) return;
    if (first === 'ready') next.cueListen();
    try {
      const listening = await next.listening;
      if (clearScreen) process.stdout.write('\u001b[2J\u001b[3J\u001b[H');
      if (changed.length === 0 || clearScreen) logger.info(formatBanner({ name: project.name, listening, database, quiet: options.quiet }));
      if (changed.length > 0) {
        logger.info(chalk.dim(`restarted in ${Math.round(performance.now() - started)} ms: ${changed.join(', ')}`));
        void lintChanged(changed, ++lintRound);
      }
    } catch {
      // it exited before listening: reported by startNextApp
    }
    if (useSpares && !signal.aborted) {
      const fresh = newProcess();
      spare = fresh;
      void fresh.exited.then(() => { if (spare === fresh) spare = undefined; });
    }
  };

  // The async lint runs on the changed files after each restart, off the restart path; a newer
  // restart makes an older lint's findings stale, so only the latest round prints.
  let lintRound = 0;
  const lintChanged = async (changed: string[], round: number): Promise<void> => {
    const files = changed.filter((file) => /\.(ts|mts|cts|js|mjs)$/.test(file) && existsSync(join(project.root, file)));
    if (files.length === 0) return;
    try {
      const { collectLintReport } = await import('../lint/index.js');
      const report = await collectLintReport(project.root, files, { typed: false, fix: false });
      const summary = formatLintSummary(report);
      if (summary && round === lintRound && !signal.aborted) logger.info(summary);
    } catch (error) {
      if (round === lintRound) logger.warn(`lint did not run: ${(error as Error).message}`);
    }
  };

  const restart = (changed: string[]): void => {
    queue = queue.then(() => (signal.aborted ? undefined : replaceApp(changed)));
  };

  const watcher = watchFiles(project.root, [join(project.root, 'src'), envPath], DEBOUNCE_MS, restart);
  try {
    restart([]);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await watcher.close();
    await queue;
    await Promise.all([app, spare].filter((child): child is AppProcess => child !== undefined).map(retire));
    await embedded?.stop();
    logger.info(chalk.dim('dev stopped.'));
  }
}

async function choosePort(wanted: number, host: string, strict: boolean, say: (line: string) => void): Promise<number> {
  if (wanted === 0 || await isPortFree(wanted, host)) return wanted;
  const holder = await describePortHolder(wanted);
  const busy = `Port ${wanted} is in use${holder ? ` by ${holder}` : ''}`;
  if (strict) throw new UserError(`${busy}.`, 'Stop that process, choose another with --port, or drop --strict-port to take the next free one.');
  const next = await nextFreePort(wanted + 1, host);
  if (next === undefined) throw new UserError(`${busy}, and so are the 50 ports after it.`, 'Choose a port with --port.');
  say(chalk.yellow(`${busy}; using ${next} instead.`));
  return next;
}

function portFrom(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`Expected PORT to be a port number (0-65535), got \`${raw}\`.`, 'Fix PORT in .env or the environment.');
  return port;
}

