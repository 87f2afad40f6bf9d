import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { cliEnv } from './cli.js';
import { freePort, isAlive, waitForHttp } from './processes.js';

export interface BuiltServer {
  base: string;
  pid: number;
  /** stdout and stderr so far (for failure messages). */
  output(): string;
  /** SIGTERM (SIGKILL 10 s later), then waits for the exit and checks the pid is gone. */
  stop(): Promise<void>;
}

/**
 * Runs a built project's `node dist/server.js` in production on a free 127.0.0.1 port with `env`
 * on top, and resolves once `/healthz` answers 200.
 */
export async function startBuiltServer(dir: string, env: Record<string, string>): Promise<BuiltServer> {
  const port = await freePort();
  const child: ResultPromise = execa('node', [join(dir, 'dist', 'server.js')], {
    cwd: dir,
    reject: false,
    stdin: 'ignore',
    all: true,
    buffer: false,
    extendEnv: false,
    forceKillAfterDelay: 10_000,
    // No lame duck unless a test asks for one: nothing balances load in front of these servers, and stop() stays quick.
    env: cliEnv({ NODE_ENV: 'production', LOG_FORMAT: 'silent', HOST: '127.0.0.1', PORT: String(port), LAME_DUCK_MS: '0', ...env }),
  });
  let output = '';
  child.all?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const pid = child.pid!;
  const stop = async (): Promise<void> => {
    if (isAlive(pid)) child.kill('SIGTERM');
    await child;
    if (isAlive(pid)) throw new Error(`server ${pid} still runs after stop`);
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/healthz`, 200, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${output}`);
  }
  return { base, pid, output: () => output, stop };
}
