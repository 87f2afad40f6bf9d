import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
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

/** Starts `tsx src/server.ts` and resolves with its URL once it logs that it listens. */
async function startServerProcess(): Promise<{ child: ChildProcess; url: string; logs: Array<Record<string, unknown>> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
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
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server = child;
  const logs: Array<Record<string, unknown>> = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry['msg'] === 'listening') resolve(String(entry['url']));
    });
  });
  return { child, url, logs };
}

function canConnect(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = request(`${url}/healthz`, { agent: false }, (response) => {
      response.resume();
      resolve(true);
    });
    probe.on('error', () => resolve(false));
    probe.end();
  });
}

describe('graceful shutdown', () => {
  it('finishes in-flight requests on SIGTERM, refuses new connections, then exits 0', async () => {
    const { child, url, logs } = await startServerProcess();
    upstream.setBehaviour(() => 'hold');
    const inFlight = Array.from({ length: 3 }, () => fetch(`${url}/external`));
    await upstream.waitForInFlight(3);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      const check = (): void => (logs.some((entry) => entry['msg'] === 'shutting down') ? resolve() : void setTimeout(check, 20));
      check();
    });
    expect(await canConnect(url)).toBe(false);

    upstream.releaseHeld();
    const responses = await Promise.all(inFlight);
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(logs.map((entry) => entry['msg'])).toContain('stopped');
  });
});
