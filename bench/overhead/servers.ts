import { cpSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

/** A server process under load: its URL, pid (for /proc) and the bytes it wrote to stdout. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** The environment it was started with (all of it: it inherits nothing). */
  env: Readonly<Record<string, string>>;
  /** Bytes read from its stdout pipe so far (the access log, when it writes one). */
  stdoutBytes(): number;
  /** Access-log lines so far by their `"status"` field (empty for a server that logs none). */
  loggedStatuses(): Record<string, number>;
  /** Undefined while it runs; once it has exited, how (code or signal) and the end of its stderr. */
  exitReport(): string | undefined;
  stop(): Promise<void>;
}

/**
 * How a server's node starts: directly, or under a tool (`valgrind --tool=callgrind …`) given as a
 * command prefix, which then needs `slowdown` times as long to start and stop; `nodeArgs` go to node.
 */
export interface Launcher {
  prefix: readonly string[];
  /** Flags for node itself, before the script. */
  nodeArgs: readonly string[];
  slowdown: number;
}

export const DIRECT: Launcher = { prefix: [], nodeArgs: [], slowdown: 1 };

interface Spawned {
  child: ResultPromise;
  env: Record<string, string>;
  stdoutBytes: () => number;
  loggedStatuses: () => Record<string, number>;
  exitReport: () => string | undefined;
  stderrTail: () => string;
  /** Resolves with the first match of `pattern` on stdout; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` in `cwd` with only `env`, its stdout a pipe this process drains as fast as
 * it comes (what a log shipper does), so a server that logs pays for a real pipe, not /dev/null.
 */
function spawnNode(
  cwd: string,
  args: string[],
  env: Record<string, string>,
  signal: AbortSignal,
  { prefix, nodeArgs, slowdown }: Launcher = DIRECT,
): Spawned {
  const [command, ...toolArgs] = [...prefix, process.execPath];
  const fullEnv = { PATH: process.env.PATH ?? '', ...env };
  const child = execa(command!, [...toolArgs, ...nodeArgs, ...args], {
    cwd,
    env: fullEnv,
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    reject: false,
    buffer: false,
    cancelSignal: signal,
  });
  let bytes = 0;
  let head = '';
  let stderr = '';
  let partialLine = '';
  const statuses: Record<string, number> = {};
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    const text = partialLine + chunk.toString();
    const lastNewline = text.lastIndexOf('\n');
    partialLine = text.slice(lastNewline + 1).slice(-1000);
    countStatuses(text.slice(0, lastNewline + 1), statuses);
    if (head.length < 4000) head += text;
    for (const wake of waiters) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stderrTail = (): string => stderr.trim().split('\n').slice(-8).join('\n');
  let exit: string | undefined;
  let stopping = false;
  void child.then((result) => {
    exit = `${stopping ? 'stopped' : 'exited unexpectedly'} (${result.exitCode ?? result.signal})${stderrTail() ? `:\n${stderrTail()}` : ', nothing on stderr'}`;
  });
  const waitFor = (pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no ${pattern} on stdout within ${timeoutMs} ms`)), timeoutMs);
      const check = (): void => {
        const match = pattern.exec(head);
        if (match) done(undefined, match);
      };
      const done = (error?: Error, match?: RegExpExecArray): void => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error) reject(error);
        else resolve(match!);
      };
      waiters.add(check);
      void child.then((result) =>
        done(new Error(`it exited (${result.exitCode ?? result.signal})${stderrTail() ? `:\n${stderrTail()}` : ''}`)),
      );
      check();
    });
  const stop = async (): Promise<void> => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000 * slowdown);
      await child;
      clearTimeout(timer);
    }
  };
  return {
    child,
    env: fullEnv,
    stdoutBytes: () => bytes,
    loggedStatuses: () => ({ ...statuses }),
    exitReport: () => exit,
    stderrTail,
    waitFor,
    stop,
  };
}

/** Adds the `"status":NNN` of each JSON access-log line in `lines` to `counts`. */
export function countStatuses(lines: string, counts: Record<string, number>): void {
  for (const match of lines.matchAll(/"status":(\d{3})\b/g)) counts[match[1]!] = (counts[match[1]!] ?? 0) + 1;
}

/** What `after` counted beyond `before`, keys with nothing new left out. */
export function statusDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [status, count] of Object.entries(after)) {
    const added = count - (before[status] ?? 0);
    if (added > 0) out[status] = added;
  }
  return out;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('Found no free port on 127.0.0.1.');
  return address.port;
}

function toServer(spawned: Spawned, url: string): ServerProcess {
  if (spawned.child.pid === undefined) throw new Error('The server process has no pid.');
  return {
    url,
    pid: spawned.child.pid,
    env: spawned.env,
    stdoutBytes: spawned.stdoutBytes,
    loggedStatuses: spawned.loggedStatuses,
    exitReport: spawned.exitReport,
    stop: spawned.stop,
  };
}

function copyFixture(projectRoot: string, name: string): string {
  cpSync(join(import.meta.dirname, 'fixtures', name), join(projectRoot, `overhead-${name}`));
  return `overhead-${name}`;
}

/** The minimal Hono + undici app of fixtures/, run from inside the project for its hono and undici. */
export async function startMinimalHono(
  projectRoot: string,
  upstreamUrl: string,
  signal: AbortSignal,
  launcher: Launcher = DIRECT,
): Promise<ServerProcess> {
  const spawned = spawnNode(
    projectRoot,
    [copyFixture(projectRoot, 'minimal-hono.mjs')],
    { UPSTREAM_URL: upstreamUrl, UPSTREAM_CONNECTIONS: '1000' },
    signal,
    launcher,
  );
  try {
    const [, port] = await spawned.waitFor(/PORT=(\d+)/, 15_000 * launcher.slowdown);
    return toServer(spawned, `http://127.0.0.1:${port}`);
  } catch (error) {
    await spawned.stop();
    throw new Error(`The minimal Hono app did not start: ${(error as Error).message}`);
  }
}

export interface GeneratedOptions {
  databaseUrl: string;
  upstreamUrl: string;
  /** True: the default production access log (JSON lines to stdout); false: LOG_FORMAT=silent. */
  accessLog: boolean;
  /** More variables (they win over the above). */
  env?: Record<string, string>;
}

/** `node dist/server.js` in production, upstream pool of 1000, no lame duck; ready once /readyz says 200. */
export async function startGeneratedServer(
  projectRoot: string,
  options: GeneratedOptions,
  signal: AbortSignal,
  launcher: Launcher = DIRECT,
): Promise<ServerProcess> {
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LAME_DUCK_MS: '0',
    DATABASE_URL: options.databaseUrl,
    UPSTREAM_URL: options.upstreamUrl,
    UPSTREAM_CONNECTIONS: '1000',
    ...(options.accessLog ? {} : { LOG_FORMAT: 'silent' }),
    ...options.env,
  };
  const spawned = spawnNode(projectRoot, ['dist/server.js'], env, signal, launcher);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000 * launcher.slowdown;
  let exited = false;
  void spawned.child.then(() => {
    exited = true;
  });
  while (!exited && Date.now() < deadline && !signal.aborted) {
    const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000 * launcher.slowdown) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      () => 0,
    );
    if (status === 200) return toServer(spawned, url);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await spawned.stop();
  throw new Error(`The generated server did not become ready${exited ? ' (it exited)' : ''}: ${spawned.stderrTail() || 'no stderr'}`);
}

/** The middleware-ladder fixture with its first `layers` middleware; checks it built the rung we meant. */
export async function startLadderServer(
  projectRoot: string,
  layers: number,
  expectedName: string,
  signal: AbortSignal,
  launcher: Launcher = DIRECT,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const spawned = spawnNode(projectRoot, [copyFixture(projectRoot, 'middleware-ladder.mjs'), String(layers)], env, signal, launcher);
  try {
    const [, port, name] = await spawned.waitFor(/PORT=(\d+) LAYER=(\w+)/, 15_000 * launcher.slowdown);
    if (name !== expectedName) throw new Error(`rung ${layers} is \`${name}\` in the fixture but \`${expectedName}\` in the bench`);
    return toServer(spawned, `http://127.0.0.1:${port}`);
  } catch (error) {
    await spawned.stop();
    throw new Error(`The middleware ladder (${layers} layers) did not start: ${(error as Error).message}`);
  }
}
