import { cpSync, readFileSync, symlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { execa } from 'execa';
import { buildProject, findProject, startTarget, type Target } from './repo-modules.js';
import type { Variant } from './variants.js';

/** A server under load: its URL and, when it is a process of its own, its pid for /proc sampling. */
export interface RunningServer {
  url: string;
  pid?: number | undefined;
  stop(): Promise<void>;
}

/** Scaffolds and installs a real project from this checkout, as `npx create-async-server` would. */
export async function scaffoldProject(repoRoot: string, workDir: string, signal: AbortSignal): Promise<string> {
  await execa(process.execPath, [join(repoRoot, 'bin/create-async-server.js'), 'app', '--yes', '--no-git'], {
    cwd: workDir,
    env: { NO_COLOR: '1', CI: 'true', CREATE_ASYNC_SERVER_SPEC: `file:${repoRoot}` },
    cancelSignal: signal,
    stdin: 'ignore',
  });
  const root = join(workDir, 'app');
  await buildProject(findProject(root), signal);
  return root;
}

const notCopied = new Set(['node_modules', 'dist', '.data']);

/** A copy of the project with one naive patch, sharing its node_modules, built to dist/. */
export async function makeVariant(projectRoot: string, workDir: string, variant: Variant, signal: AbortSignal): Promise<string> {
  signal.throwIfAborted();
  const root = join(workDir, variant.name);
  cpSync(projectRoot, root, { recursive: true, filter: (source) => !notCopied.has(relative(projectRoot, source).split(sep)[0] ?? '') });
  symlinkSync(join(projectRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  variant.patch(root);
  await buildProject(findProject(root), signal);
  return root;
}

/** The project's default client pool size, read from its config (it has changed before). */
export function readDefaultUpstreamConnections(root: string): number | undefined {
  const config = readFileSync(join(root, 'src', 'config.ts'), 'utf8');
  const match = /int\('UPSTREAM_CONNECTIONS',\s*([\d_]+)/.exec(config);
  return match?.[1] ? Number(match[1].replace(/_/g, '')) : undefined;
}

export interface GeneratedServerOptions {
  databaseUrl: string;
  upstreamUrl: string;
  env?: Record<string, string>;
}

/** `node dist/server.js` in production mode, through the same start-up `asyncsrv bench` uses. */
export async function startGeneratedServer(root: string, options: GeneratedServerOptions, signal: AbortSignal): Promise<RunningServer> {
  const env = { PATH: process.env.PATH, LOG_FORMAT: 'silent', ...options.env };
  const target: Target = await startTarget(
    findProject(root),
    { env, databaseUrl: options.databaseUrl, upstreamUrl: options.upstreamUrl },
    signal,
  );
  return { url: target.url, pid: target.pid, stop: () => target.stop(5000) };
}

/** The minimal hand-written Hono app of fixtures/, run from inside the project for its hono. */
export async function startMinimalHono(projectRoot: string, signal: AbortSignal): Promise<RunningServer> {
  const file = join(projectRoot, 'minimal-hono.mjs');
  cpSync(join(import.meta.dirname, 'fixtures', 'minimal-hono.mjs'), file);
  const child = execa(process.execPath, [file], { cwd: projectRoot, cancelSignal: signal, reject: false, stdin: 'ignore', buffer: false });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT=(\d+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    void child.then((result) => reject(new Error(`The minimal Hono app exited (${result.exitCode ?? result.signal}).`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}
