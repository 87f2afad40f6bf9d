/**
 * Embedded PostgreSQL for development and tests: PGlite behind @electric-sql/pglite-socket, run
 * as its own process beside the app (as the talk ran its DB in a sibling container), so the app
 * keeps one code path (pg.Pool + DATABASE_URL) and app restarts do not reload the database.
 *
 *   node --import tsx scripts/embedded-db.ts [--port N] [--data DIR|memory] [--max-connections N] [-- command args...]
 *
 *   --port             default $EMBEDDED_DB_PORT, else 55432; 0 picks a free port
 *   --data             default .data/pglite; `memory` keeps nothing on disk
 *   --max-connections  default $DB_POOL_MAX, else 10 (the app's pool size); more are refused
 *
 * Once it accepts connections it prints exactly one line to stdout, `DATABASE_URL=postgres://…`
 * (tooling parses it; everything else goes to stderr), and stays up until SIGTERM/SIGINT (exit 0)
 * or until the process that started it exits. With `-- command`, it runs the command with
 * DATABASE_URL set, passes a stop on to it, and exits with its code once the command's clients
 * have disconnected. A doubled signal is one stop; a second Ctrl-C a second later exits at once.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const HOST = '127.0.0.1';
const DEFAULT_PORT = 55432;
const DEFAULT_DATA_DIR = '.data/pglite';

interface EmbeddedDbOptions {
  port: number;
  dataDir: string | 'memory';
  maxConnections: number;
  command: string[];
}

function fail(message: string, exitCode = 1): never {
  process.stderr.write(`embedded-db: ${message}\n`);
  process.exit(exitCode);
}

function parseInteger(flag: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > 65535)
    fail(`Expected \`${flag}\` to be an integer from ${min} to 65535, got \`${raw}\`.`, 2);
  return value;
}

/** Our flags come first; the command starts at `--` or at the first word that is not a flag. */
function splitCommand(argv: string[]): { own: string[]; command: string[] } {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') return { own: argv.slice(0, index), command: argv.slice(index + 1) };
    if (!arg.startsWith('-')) return { own: argv.slice(0, index), command: argv.slice(index) };
    if (!arg.includes('=')) index += 1; // skip the flag's value
  }
  return { own: argv, command: [] };
}

function parseOptions(argv: string[]): EmbeddedDbOptions {
  const { own, command } = splitCommand(argv);
  let values;
  try {
    ({ values } = parseArgs({
      args: own,
      options: { port: { type: 'string' }, data: { type: 'string' }, 'max-connections': { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    fail(
      `${(error as Error).message}\nusage: node --import tsx scripts/embedded-db.ts [--port N] [--data DIR|memory] [--max-connections N] [-- command args...]`,
      2,
    );
  }
  return {
    port: parseInteger('--port', values.port ?? process.env['EMBEDDED_DB_PORT'] ?? String(DEFAULT_PORT), 0),
    dataDir: values.data ?? DEFAULT_DATA_DIR,
    maxConnections: parseInteger('--max-connections', values['max-connections'] ?? process.env['DB_POOL_MAX'] ?? '10', 1),
    command,
  };
}

/** Two PGlite processes on one data directory would corrupt it: a pid file guards it. */
function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  mkdirSync(dirname(lockFile), { recursive: true });
  try {
    const pid = Number(readFileSync(lockFile, 'utf8'));
    process.kill(pid, 0); // throws when that process is gone: a stale lock
    fail(`${dataDir} is in use by process ${pid} (another \`npm run db\`?). Stop it, or use --data memory.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

function assertPortFree(port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () =>
      fail(`port ${port} on ${HOST} is in use (is \`npm run db\` already running?). Use --port 0 for a free port.`),
    );
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
}

/**
 * Calls `onGone` once this process's parent has exited (we were re-parented, so `process.ppid`
 * changed): `npm run db` or `asyncsrv dev` killed alone must not leave the database running.
 * Under init, systemd or a container runtime (ppid 1 or 0 at start) nothing is watched.
 */
function watchParent(onGone: () => void): void {
  const startPpid = process.ppid;
  if (startPpid <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid === startPpid) return;
    clearInterval(timer);
    onGone();
  }, 500);
  timer.unref();
}

/** Resolves once no client is connected, or after `boundMs`: an app that is still draining keeps its database. */
async function clientsGone(server: PGLiteSocketServer, boundMs: number): Promise<void> {
  const deadline = performance.now() + boundMs;
  while (server.getStats().activeConnections > 0 && performance.now() < deadline) await sleep(100);
}

/** The app's own drain bound (its lame duck plus SHUTDOWN_TIMEOUT_MS, production defaults) and a margin. */
function appDrainBoundMs(): number {
  const read = (name: string, fallback: number): number => {
    const value = Number(process.env[name]);
    return process.env[name] && Number.isInteger(value) && value >= 0 ? value : fallback;
  };
  return read('LAME_DUCK_MS', 5_000) + read('SHUTDOWN_TIMEOUT_MS', 10_000) + 2_000;
}

/** A second stop signal this soon is the same stop (process group plus a forwarding parent); a later Ctrl-C is a person's. */
const REPEAT_WINDOW_MS = 1_000;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const inMemory = options.dataDir === 'memory';
  const unlock = inMemory ? () => undefined : lockDataDir(options.dataDir);
  let stopRequestedAt: number | undefined;
  // Set when our clients may still be draining (the command exited, the parent is gone): stop once they left.
  let waitForClients = false;
  let stop = async (exitCode: number): Promise<void> => {
    unlock();
    process.exit(exitCode);
  };
  const requestStop = (): void => {
    stopRequestedAt = performance.now();
    if (child && child.exitCode === null)
      child.kill('SIGTERM'); // the child's exit stops us
    else if (!starting) void stop(0);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopRequestedAt === undefined) return requestStop();
    if (signal === 'SIGINT' && performance.now() - stopRequestedAt >= REPEAT_WINDOW_MS) process.exit(130);
  };
  let child: ReturnType<typeof spawn> | undefined;
  let starting = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  watchParent(() => {
    // Our output may have been a pipe to the parent that is gone: a write error must not crash the stop.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    process.stderr.write('embedded-db: the process that started it has exited; stopping.\n');
    waitForClients = true;
    if (stopRequestedAt === undefined) requestStop();
  });

  await assertPortFree(options.port);
  if (!inMemory) mkdirSync(options.dataDir, { recursive: true });
  const db = new PGlite(inMemory ? 'memory://' : options.dataDir);
  await db.waitReady;
  const server = new PGLiteSocketServer({ db, host: HOST, port: options.port, maxConnections: options.maxConnections });
  await server.start();
  stop = async (exitCode) => {
    if (waitForClients) await clientsGone(server, appDrainBoundMs());
    await server.stop();
    await db.close();
    unlock();
    process.exit(exitCode);
  };
  starting = false;
  if (stopRequestedAt !== undefined) return stop(0);

  const port = Number(server.getServerConn().split(':').pop());
  const databaseUrl = `postgres://postgres:postgres@${HOST}:${port}/postgres`;
  process.stdout.write(`DATABASE_URL=${databaseUrl}\n`);
  process.stderr.write(
    `embedded-db: PostgreSQL (PGlite) on ${HOST}:${port}, data ${inMemory ? 'in memory' : options.dataDir}, ` +
      `max ${options.maxConnections} connections${options.command.length ? '' : '. Ctrl-C stops it.'}\n`,
  );

  const [command, ...args] = options.command;
  if (!command) return;
  child = spawn(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: databaseUrl },
    shell: process.platform === 'win32',
  });
  child.once('error', (error) => {
    process.stderr.write(`embedded-db: cannot run ${command}: ${error.message}\n`);
    void stop(1);
  });
  // A command such as `npm start` may exit before the server it started has drained (npm does not
  // wait for its script on SIGTERM): keep answering while that server's pool is still connected.
  child.once('exit', (code) => {
    waitForClients = true;
    void stop(code ?? (stopRequestedAt === undefined ? 1 : 0));
  });
}

await main();
