import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from './support/test-database.js';
import { startTestUpstream, type TestUpstream } from './support/test-upstream.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
let upstream: TestUpstream;
let server: ChildProcess | undefined;

beforeAll(async () => {
  upstream = await startTestUpstream();
});

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGKILL');
    await once(server, 'exit');
  }
  await upstream?.close();
});

type LogEntry = Record<string, unknown>;

/**
 * Starts `tsx src/server.ts` and resolves with its URL once it logs that it listens. Its JSON
 * lines leave a buffer in batches (see logger.ts): the last ones arrive only if it flushes them.
 */
async function startServerProcess(
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; url: string; logs: LogEntry[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, 'src/server.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_FORMAT: 'json',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: testDatabaseUrl(),
      DB_POOL_MAX: '2',
      UPSTREAM_URL: upstream.url.href,
      SHUTDOWN_TIMEOUT_MS: '20000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server = child;
  const logs: LogEntry[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as LogEntry;
      logs.push(entry);
      if (entry['msg'] === 'listening') resolve(String(entry['url']));
    });
  });
  return { child, url, logs };
}

function logged(logs: LogEntry[], message: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => (logs.some((entry) => entry['msg'] === message) ? resolve() : void setTimeout(check, 10));
    check();
  });
}

interface Answer {
  status: number;
  connection: string | undefined;
  /** True when the request went out on a kept-alive socket. */
  reused: boolean;
}

function get(url: string, agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent }, (response) => {
      response.resume();
      response.once('end', () =>
        resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, reused: outgoing.reusedSocket }),
      );
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}

function canConnect(url: string): Promise<boolean> {
  return get(`${url}/healthz`).then(
    () => true,
    () => false,
  );
}

describe('graceful shutdown', () => {
  it('finishes in-flight requests on SIGTERM, refuses new connections, then exits 0', async () => {
    const { child, url, logs } = await startServerProcess({ LAME_DUCK_MS: '0' });
    upstream.setBehaviour(() => 'hold');
    const inFlight = Array.from({ length: 3 }, () => fetch(`${url}/external`));
    await upstream.waitForInFlight(3);

    const exited = once(child, 'close'); // after the exit and the end of its output
    child.kill('SIGTERM');
    await logged(logs, 'listener closed');
    expect(await canConnect(url)).toBe(false);

    upstream.releaseHeld();
    const responses = await Promise.all(inFlight);
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const accessLines = logs.filter((entry) => entry['msg'] === 'request');
    expect(accessLines).toEqual(
      Array.from({ length: 3 }, () =>
        expect.objectContaining({ level: 'info', path: '/external', status: 200, requestId: expect.any(String) }),
      ),
    );
    expect(logs.at(-1)).toMatchObject({ level: 'info', msg: 'stopped' }); // the buffer was flushed before the exit
  });

  it('logs a crash with its stack and cause, and writes every buffered line before exiting 1', async () => {
    const { child, url, logs } = await startServerProcess({ LAME_DUCK_MS: '0' }, ['--import', './test/support/crash-on-signal.ts']);
    for (let i = 0; i < 5; i += 1) expect(await get(`${url}/json`)).toMatchObject({ status: 200 });

    const exited = once(child, 'close');
    child.kill('SIGUSR2');
    const [code] = await exited;
    expect(code).toBe(1);
    expect(logs.filter((entry) => entry['msg'] === 'request')).toHaveLength(5);
    expect(logs.at(-1)).toMatchObject({
      level: 'fatal',
      msg: 'crashed',
      err: {
        message: 'crash for the test',
        stack: expect.stringContaining('crash-on-signal'),
        cause: { message: 'the cause of the crash' },
      },
    });
  });

  it('keeps serving through the lame duck with Connection: close, /readyz 503, and a second signal is the same stop', async () => {
    const { child, url, logs } = await startServerProcess({ LAME_DUCK_MS: '800' });
    upstream.setBehaviour(() => 'echo');
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get(`${url}/json`, keepAlive)).toMatchObject({ status: 200, connection: 'keep-alive' });

    const exited = once(child, 'close');
    // A process group gets the signal from the kernel and again from a parent that forwards it.
    child.kill('SIGTERM');
    child.kill('SIGINT');
    await logged(logs, 'shutting down');
    expect(await get(`${url}/readyz`)).toMatchObject({ status: 503, connection: 'close' });
    expect(await get(`${url}/json`)).toMatchObject({ status: 200, connection: 'close' });
    // The kept-alive socket had its chance of a next request: answered, told to close.
    expect(await get(`${url}/json`, keepAlive)).toEqual({ status: 200, connection: 'close', reused: true });

    await logged(logs, 'listener closed');
    expect(await canConnect(url)).toBe(false);
    const [code] = await exited;
    expect(code).toBe(0);
    expect(logs.filter((entry) => entry['msg'] === 'shutting down')).toHaveLength(1);
    keepAlive.destroy();
  });
});

describe("the server's /metrics, as configured", () => {
  async function stop(child: ChildProcess): Promise<void> {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }

  it("METRICS_PORT serves /metrics on its own port and takes it off the app's; METRICS=off serves none", async () => {
    const free = createServer().listen(0, '127.0.0.1');
    await once(free, 'listening');
    const metricsPort = (free.address() as AddressInfo).port;
    await new Promise((resolve) => free.close(resolve));

    const apart = await startServerProcess({ METRICS_PORT: String(metricsPort), LAME_DUCK_MS: '0' });
    try {
      expect((await fetch(`${apart.url}/json`)).status).toBe(200);
      expect((await fetch(`${apart.url}/metrics`)).status).toBe(404);
      const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/json",status_class="2xx"\} 1$/m);
    } finally {
      await stop(apart.child);
    }

    const off = await startServerProcess({ METRICS: 'off', LAME_DUCK_MS: '0' });
    try {
      expect((await fetch(`${off.url}/json`)).status).toBe(200);
      expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    } finally {
      await stop(off.child);
    }
  });
});
