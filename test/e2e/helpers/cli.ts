import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { execa } from 'execa';
import { expect, inject } from 'vitest';
import { asyncsrvBin, createBin } from './paths.js';

/** Environment for a CLI run: no colours, no inherited package-manager agent. Pass it with `extendEnv: false`, or execa adds the deleted variables back. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.npm_config_user_agent;
  delete env.FORCE_COLOR;
  return env;
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeout?: number;
}

/** Runs one of our binaries as a user would, without a TTY; never throws on a non-zero exit. */
async function runBin(bin: string, args: string[], options: CliOptions): Promise<CliResult> {
  const result = await execa('node', [bin, ...args], {
    reject: false,
    stdin: 'ignore',
    env: options.env ?? cliEnv(),
    extendEnv: false,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.timeout ? { timeout: options.timeout } : {}),
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export const runCreate = (args: string[], options: CliOptions = {}): Promise<CliResult> => runBin(createBin, args, options);
export const runAsyncsrv = (args: string[], options: CliOptions = {}): Promise<CliResult> => runBin(asyncsrvBin, args, options);

/**
 * `create-async-server app --yes --no-git [...extra]` in `cwd` from the packed checkout (as a
 * published install would be), installed; fails the test on a non-zero exit. Resolves with the project's path.
 */
export async function createProjectFromTarball(cwd: string, extra: string[] = []): Promise<string> {
  const created = await runCreate(['app', '--yes', '--no-git', ...extra], {
    cwd,
    env: cliEnv({ CREATE_ASYNC_SERVER_SPEC: `file:${inject('cliTarball')}` }),
    timeout: 300_000,
  });
  expect(created.exitCode, created.stderr).toBe(0);
  return join(cwd, 'app');
}

export async function makeTempDir(prefix = 'cas-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Every file below `dir`, relative, with `/` separators, sorted; `node_modules` and `.git` skipped. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !/^(node_modules|\.git)\//.test(path))
    .sort();
}

/** Every kind of project the scaffolder makes: database × deployment files. */
export const PROJECT_VARIANTS = [
  { db: 'pglite', deploy: false, minimal: false },
  { db: 'pglite', deploy: true, minimal: false },
  { db: 'postgres', deploy: false, minimal: false },
  { db: 'postgres', deploy: true, minimal: false },
  // --minimal: one example route instead of the demo routes, on each database.
  { db: 'pglite', deploy: false, minimal: true },
  { db: 'postgres', deploy: true, minimal: true },
] as const;

/** The scaffolder's flags for a variant. */
export function variantFlags({ db, deploy, minimal }: (typeof PROJECT_VARIANTS)[number]): string[] {
  return ['--db', db, ...(deploy ? ['--deploy'] : []), ...(minimal ? ['--minimal'] : [])];
}
