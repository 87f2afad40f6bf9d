import { execa, type ResultPromise } from 'execa';
import { distFile } from '../util/package-info.js';
import { stopChild } from '../util/processes.js';

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
  /** Boots the server: imports the entry with this environment (a spare waits for this). */
  start(env: NodeJS.ProcessEnv): void;
  /** Resolves when the server has booted and waits for the cue to listen (dev hand-off). */
  ready: Promise<void>;
  /** Resolves with the server's own description once it listens. */
  listening: Promise<ListeningMessage>;
  /** Tells a ready server to bind its port now. */
  cueListen(): void;
  exited: Promise<AppExit>;
  /** SIGTERM, wait up to `graceMs` for a clean exit, then SIGKILL; resolves once it is gone. */
  stop(graceMs: number): Promise<AppExit>;
}

export interface SpawnAppOptions {
  root: string;
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. `--inspect=127.0.0.1:9229`. */
  nodeArgs: string[];
}

/**
 * Spawns a warm app process: node with the project's tsx loader and dependencies loaded, and an
 * IPC channel; `start(env)` then imports the server entry in it.
 */
export function spawnApp({ root, entry, env, nodeArgs }: SpawnAppOptions): AppProcess {
  const args = [...nodeArgs, '--experimental-import-meta-resolve', '--import', 'tsx', distFile('dev', 'standby.js')];
  const child: ResultPromise = execa(process.execPath, args, {
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
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: unknown) => {
      if ((message as { type?: unknown } | null)?.type === 'asyncsrv:ready') resolve();
    });
    void exited.then(() => reject(new Error('exited before it was ready')));
  });
  // A crash is reported through `exited`; these must not surface as unhandled rejections.
  listening.catch(() => undefined);
  ready.catch(() => undefined);

  const stop = async (graceMs: number): Promise<AppExit> => {
    await stopChild(child, graceMs);
    return exited;
  };

  const cueListen = (): void => {
    if (child.connected) child.send({ type: 'asyncsrv:listen' });
  };
  const start = (startEnv: NodeJS.ProcessEnv): void => {
    if (child.connected) child.send({ type: 'asyncsrv:start', entry, env: startEnv });
  };

  return { pid: child.pid, start, ready, listening, cueListen, exited, stop };
}

function isListening(message: unknown): message is ListeningMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'asyncsrv:listening';
}
