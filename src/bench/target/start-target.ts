import { execa, type ResultPromise } from 'execa';
import type { Project } from '../../project/index.js';
import { CancelledError, UserError } from '../../util/errors.js';
import { nextFreePort } from '../../util/ports.js';
import { stopChild } from '../../util/processes.js';

export interface Target {
  url: string;
  pid: number | undefined;
  /** SIGTERM (the server drains), SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartTargetOptions {
  env: NodeJS.ProcessEnv;
  databaseUrl: string;
  upstreamUrl: string;
  /** How long the server may take to answer /readyz. */
  readyTimeoutMs?: number;
}

export async function startTarget(project: Project, options: StartTargetOptions, signal: AbortSignal): Promise<Target> {
  const port = await nextFreePort(20_000 + Math.floor(Math.random() * 20_000));
  if (port === undefined) throw new UserError('Found no free port on 127.0.0.1 for the server.');
  const url = `http://127.0.0.1:${port}`;
  const child: ResultPromise = execa(process.execPath, ['dist/server.js'], {
    cwd: project.root,
    // No lame duck by default (production's is 5 s): no load balancer watches this server's /readyz.
    env: {
      LAME_DUCK_MS: '0',
      ...options.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: options.databaseUrl,
      UPSTREAM_URL: options.upstreamUrl,
    },
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    reject: false,
    buffer: false,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stop = (graceMs = 10_000): Promise<void> => stopChild(child, graceMs);
  try {
    await waitUntilReady(`${url}/readyz`, child, options.readyTimeoutMs ?? 30_000, signal);
  } catch (error) {
    await stop(1000);
    if (error instanceof UserError) throw error;
    // Ctrl-C in a terminal also reaches the server (same process group): its exit is the cancel, not a failure.
    if (signal.aborted || child.signalCode === 'SIGINT') throw new CancelledError('Cancelled while the server was starting.');
    throw new UserError(
      `The server did not start: ${(error as Error).message}${stderr ? `\n${stderr.trim().split('\n').slice(-8).join('\n')}` : ''}`,
    );
  }
  return { url, pid: child.pid, stop };
}

async function waitUntilReady(readyUrl: string, child: ResultPromise, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (signal.aborted) throw new CancelledError('Cancelled while the server was starting.');
    if (exited) throw new Error(`it exited with code ${child.exitCode ?? child.signalCode}`);
    // eslint-disable-next-line no-await-in-loop -- polling readiness, one probe at a time
    const status = await fetch(readyUrl, { signal: AbortSignal.timeout(1_000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      () => 0,
    );
    if (status === 200) return;
    // eslint-disable-next-line no-await-in-loop -- the pause between two probes
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/readyz did not answer 200 within ${timeoutMs} ms`);
}
