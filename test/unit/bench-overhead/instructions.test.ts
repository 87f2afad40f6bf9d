import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callgrindLauncher, parseCallgrindTotal, sendRequests } from '../../../bench/overhead/instructions.js';

describe('parseCallgrindTotal', () => {
  it("reads a dump's totals line, or the summary line of older formats", () => {
    const dump = ['# callgrind format', 'version: 1', 'events: Ir', 'fn=(1) main', '3 120', '', 'totals: 1650756694', ''].join('\n');
    expect(parseCallgrindTotal(dump)).toBe(1_650_756_694);
    expect(parseCallgrindTotal('events: Ir\nsummary: 42\n')).toBe(42);
  });

  it('refuses a file without one', () => {
    expect(() => parseCallgrindTotal('events: Ir\nfn=(1) main\n')).toThrow('The callgrind dump has no totals line.');
  });
});

describe('callgrindLauncher', () => {
  it('runs node under callgrind with a dump file per pid in the given folder', () => {
    const launcher = callgrindLauncher('/tmp/counts');
    expect(launcher.prefix[0]).toBe('valgrind');
    expect(launcher.prefix).toContain('--tool=callgrind');
    expect(launcher.prefix).toContain('--callgrind-out-file=/tmp/counts/cg.%p');
    expect(launcher.nodeArgs).toEqual(['--no-memory-reducer']);
    expect(launcher.slowdown).toBeGreaterThan(1);
  });
});

describe('sendRequests', () => {
  let server: Server;
  let pool: Pool;
  const seen: Array<string | undefined> = [];
  let failAfter = Number.POSITIVE_INFINITY;

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers['x-forwarded-proto'] as string | undefined);
      response.writeHead(seen.length > failAfter ? 503 : 200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 4 });
  });

  afterAll(async () => {
    await pool.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends exactly the number of requests asked, with the given headers', async () => {
    seen.length = 0;
    await sendRequests(pool, '/json', 57, { connections: 4, headers: { 'x-forwarded-proto': 'https' } }, new AbortController().signal);
    expect(seen).toHaveLength(57);
    expect(new Set(seen)).toEqual(new Set(['https']));
  });

  it('fails on an answer other than 200: a shed request would count other code', async () => {
    seen.length = 0;
    failAfter = 10;
    await expect(sendRequests(pool, '/json', 30, { connections: 2 }, new AbortController().signal)).rejects.toThrow(
      'GET /json answered 503 under callgrind',
    );
    failAfter = Number.POSITIVE_INFINITY;
  });
});
