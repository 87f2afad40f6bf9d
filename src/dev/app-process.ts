import { execa, type ResultPromise } from 'execa';

/** What the generated server sends over IPC once it listens (see its src/server.ts). */
export interface ListeningMessage {
  type: 'asyncsrv:listening';
  url: string;
  upstream: string;
  routes: Array<{ method: string; path: string }>;
}

export interface AppExit {
  code: number | undefined;
  signal: string | undefined;
}

export interface AppProcess {
  pid: number | undefined;
  /** Resolves with the server's own description once it listens. */
  listening: Promise<ListeningMessage>;
  exited: Promise<AppExit>;
  /** SIGTERM, wait up to `graceMs` for a clean exit, then SIGKILL; resolves once it is gone. */
  stop(graceMs: number): Promise<AppExit>;
}

export interface StartAppOptions {
  root: string;
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. `--inspect=127.0.0.1:9229`. */
  nodeArgs: string[];
}

/** Runs the app's TypeScript entry in a child node with the project's tsx loader and an IPC channel. */
export function startApp({ root, entry, env, nodeArgs }: StartAppOptions): AppProcess {
  const child: ResultPromise = execa(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: root,
    env,
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'inherit',
    stderr: 'inherit',
    ipc: true,
    serialization: 'json',
    reject: false,
  });
  const exited: Promise<AppExit> = child.then((result) => ({ code: result.exitCode, signal: result.signal }));
  const listening = new Promise<ListeningMessage>((resolve, reject) => {
    child.on('message', (message: unknown) => {
      if (isListening(message)) resolve(message);
    });
    void exited.then(() => reject(new Error('exited before listening')));
  });
  listening.catch(() => undefined); // a crash is reported through `exited`

  async function stop(graceMs: number): Promise<AppExit> {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return exited;
  }

  return { pid: child.pid, listening, exited, stop };
}

function isListening(message: unknown): message is ListeningMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'asyncsrv:listening';
}
