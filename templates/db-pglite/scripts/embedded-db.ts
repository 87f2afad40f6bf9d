/**
 * Embedded PostgreSQL for development and tests: PGlite behind @electric-sql/pglite-socket, run
 * as its own process beside the app (as the talk ran its DB in a sibling container), so the app
 * keeps one code path (pg.Pool + DATABASE_URL) and app restarts do not reload the database.
 *
 *   tsx scripts/embedded-db.ts [--port N] [--data DIR|memory] [--max-connections N] [-- command args...]
 *
 *   --port             default $EMBEDDED_DB_PORT, else 55432; 0 picks a free port
 *   --data             default .data/pglite; `memory` keeps nothing on disk
 *   --max-connections  default $DB_POOL_MAX, else 10 (the app's pool size); more are refused
 *
 * Once it accepts connections it prints exactly one line to stdout, `DATABASE_URL=postgres://…`
 * (tooling parses it; everything else goes to stderr), and stays up until SIGTERM/SIGINT (exit 0).
 * With `-- command`, it runs the command with DATABASE_URL set and exits with its code.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
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
  if (!Number.isInteger(value) || value < min || value > 65535) fail(`Expected \`${flag}\` to be an integer from ${min} to 65535, got \`${raw}\`.`, 2);
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
    fail(`${(error as Error).message}\nusage: tsx scripts/embedded-db.ts [--port N] [--data DIR|memory] [--max-connections N] [-- command args...]`, 2);
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
    probe.once('error', () => fail(`port ${port} on ${HOST} is in use (is \`npm run db\` already running?). Use --port 0 for a free port.`));
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const inMemory = options.dataDir === 'memory';
  const unlock = inMemory ? () => undefined : lockDataDir(options.dataDir);
  let stopRequested = false;
  let stop = async (exitCode: number): Promise<void> => {
    unlock();
    process.exit(exitCode);
  };
  const onSignal = (): void => {
    if (stopRequested) process.exit(1);
    stopRequested = true;
    if (child && child.exitCode === null) child.kill('SIGTERM'); // the child's exit stops us
    else if (!starting) void stop(0);
  };
  let child: ReturnType<typeof spawn> | undefined;
  let starting = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  await assertPortFree(options.port);
  if (!inMemory) mkdirSync(options.dataDir, { recursive: true });
  const db = new PGlite(inMemory ? 'memory://' : options.dataDir);
  await db.waitReady;
  const server = new PGLiteSocketServer({ db, host: HOST, port: options.port, maxConnections: options.maxConnections });
  await server.start();
  stop = async (exitCode) => {
    await server.stop();
    await db.close();
    unlock();
    process.exit(exitCode);
  };
  starting = false;
  if (stopRequested) return stop(0);

  const port = Number(server.getServerConn().split(':').pop());
  const databaseUrl = `postgres://postgres:postgres@${HOST}:${port}/postgres`;
  process.stdout.write(`DATABASE_URL=${databaseUrl}\n`);
  process.stderr.write(
    `embedded-db: PostgreSQL (PGlite) on ${HOST}:${port}, data ${inMemory ? 'in memory' : options.dataDir}, ` +
      `max ${options.maxConnections} connections${options.command.length ? '' : '. Ctrl-C stops it.'}\n`,
  );

  const [command, ...args] = options.command;
  if (!command) return;
  child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, DATABASE_URL: databaseUrl }, shell: process.platform === 'win32' });
  child.once('error', (error) => {
    process.stderr.write(`embedded-db: cannot run ${command}: ${error.message}\n`);
    void stop(1);
  });
  child.once('exit', (code) => void stop(code ?? (stopRequested ? 0 : 1)));
}

await main();
