import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { freePort, isAlive } from './processes.js';

/** A throwaway PostgreSQL cluster of one test file: its own data dir, port and socket dir; never the machine's 5432. */
export interface PrivatePostgres {
  port: number;
  /** Connection URL to the `postgres` database; `applicationName` tags the connections in pg_stat_activity. */
  url(applicationName?: string): string;
  /** The postmaster's pid while it runs (from postmaster.pid), else undefined. */
  pid(): number | undefined;
  start(): Promise<void>;
  /** Fast shutdown (clients are disconnected); resolves once the postmaster is gone. */
  stop(): Promise<void>;
  /** Backends connected with this application_name right now. */
  countConnections(applicationName: string): Promise<number>;
  /** Stops the cluster if it runs and deletes its directory. */
  remove(): Promise<void>;
}

function findPostgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const bin = versions.map((version) => join(root, version, 'bin')).find((dir) => existsSync(join(dir, 'pg_ctl')));
  if (!bin) throw new Error(`No PostgreSQL server binaries under ${root}/<version>/bin: install postgresql to run this test.`);
  return bin;
}

/** initdb's a cluster in a temp dir and starts it on a free 127.0.0.1 port (as the `postgres` user when we are root). */
export async function startPrivatePostgres(prefix = 'cas-pg-'): Promise<PrivatePostgres> {
  const bin = findPostgresBin();
  const root = await mkdtemp(join(tmpdir(), prefix));
  const data = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await execa('id', ['-u', 'postgres']);
    const { stdout: gid } = await execa('id', ['-g', 'postgres']);
    await chown(root, Number(stdout), Number(gid));
  }
  // The server refuses to run as root: run its tools as the `postgres` user.
  const run = (tool: string, args: string[]) => {
    const command = join(bin, tool);
    return asRoot
      ? execa('setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args], {
          cwd: root,
          stdin: 'ignore',
          timeout: 60_000,
        })
      : execa(command, args, { cwd: root, stdin: 'ignore', timeout: 60_000 });
  };
  await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--no-locale']);
  const port = await freePort();
  const serverOptions = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;

  const pid = (): number | undefined => {
    const file = join(data, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const value = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return value > 0 && isAlive(value) ? value : undefined;
  };
  const url = (applicationName?: string): string =>
    `postgres://postgres@127.0.0.1:${port}/postgres${applicationName ? `?application_name=${encodeURIComponent(applicationName)}` : ''}`;
  const start = async (): Promise<void> => {
    await run('pg_ctl', ['-D', data, '-l', join(root, 'server.log'), '-o', serverOptions, '-w', '-t', '30', 'start']);
  };
  const stop = async (): Promise<void> => {
    const running = pid();
    if (running === undefined) return;
    await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
    if (isAlive(running)) throw new Error(`PostgreSQL postmaster ${running} still runs after pg_ctl stop.`);
  };
  const countConnections = async (applicationName: string): Promise<number> => {
    const client = new pg.Client({ connectionString: url('fault-suite-probe'), connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      const result = await client.query<{ count: string }>('SELECT count(*) FROM pg_stat_activity WHERE application_name = $1', [
        applicationName,
      ]);
      return Number(result.rows[0]?.count);
    } finally {
      await client.end();
    }
  };
  const remove = async (): Promise<void> => {
    await stop();
    await rm(root, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return { port, url, pid, start, stop, countConnections, remove };
}
