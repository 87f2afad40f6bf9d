import { execa, type ResultPromise } from 'execa';
import { CancelledError, UserError } from '../util/errors.js';
import { stopChild } from '../util/processes.js';

export interface EmbeddedDb {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

const READY_LINE = /^DATABASE_URL=(\S+)$/m;

/**
 * Starts the project's embedded PostgreSQL (scripts/embedded-db.ts, PGlite behind a socket
 * server) as a sibling process on a free port (data under `.data/`, or `memory`), and waits for its URL line.
 * It outlives app restarts; `stop` ends it.
 */
export async function startEmbeddedDb(
  root: string,
  script: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  dataDir = '.data/pglite',
): Promise<EmbeddedDb> {
  const child: ResultPromise = execa(process.execPath, ['--import', 'tsx', script, '--port', '0', '--data', dataDir], {
    cwd: root,
    env,
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    buffer: false,
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const onAbort = (): void => {
      child.kill('SIGTERM');
      reject(new CancelledError('Cancelled while the embedded database was starting.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = READY_LINE.exec(stdout);
      if (match?.[1]) {
        signal.removeEventListener('abort', onAbort);
        resolve(match[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    void child.then((result) => {
      signal.removeEventListener('abort', onAbort);
      // A terminal's Ctrl-C reaches the database too (same process group): it may exit before we see the abort.
      if (signal.aborted || result.signal === 'SIGINT') reject(new CancelledError('Cancelled while the embedded database was starting.'));
      reject(
        new UserError(
          `The embedded database did not start (exit code ${result.exitCode ?? result.signal}): ${lastLine(stderr) || 'no output'}`,
          'Another `asyncsrv dev` or `npm run db` may be using .data/pglite; stop it, or set DATABASE_URL to use another PostgreSQL.',
        ),
      );
    });
  });
  child.stderr?.resume();
  child.stdout?.resume();
  return {
    url,
    pid: child.pid,
    stop: () => stopChild(child, 5000),
  };
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .at(-1)
      ?.replace(/^embedded-db:\s*/, '') ?? ''
  );
}
