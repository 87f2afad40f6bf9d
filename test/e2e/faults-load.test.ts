import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProcessUsage, type BenchReport } from '../../src/bench/index.js';
import { startBuiltServer, type BuiltServer } from './helpers/built-server.js';
import { cliEnv, createProjectFromTarball, makeTempDir, runAsyncsrv } from './helpers/cli.js';
import { startKeepAliveLoad } from './helpers/keep-alive-load.js';
import { freePort, isAlive, waitForHttp, waitForLine } from './helpers/processes.js';
import { openRawConnection } from './helpers/raw-http.js';

/**
 * The fault suite, part 2: the built server of a generated project under load and bad clients —
 * SIGTERM at 200 connections, slow headers, oversized and malformed bodies, a throwing handler,
 * and a soak at 500 connections (SOAK_SECONDS, default 60).
 */
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const SHUTDOWN_TIMEOUT_MS = 5_000;

/** The server's resident set size now (the bench's own /proc reader); the server must be running. */
async function residentBytes(pid: number): Promise<number> {
  const usage = await readProcessUsage(pid);
  if (!usage) throw new Error(`process ${pid} is gone: no RSS to read`);
  return usage.rssBytes;
}

let work: Awaited<ReturnType<typeof makeTempDir>>;
let dir: string;
let database: ResultPromise;
let databaseUrl: string;
let upstream: Server;
let upstreamBase: string;
const servers: BuiltServer[] = [];
const children: ResultPromise[] = [];
/** One row per fault for the report: requests sent, failures, max latency. */
const figures: Array<{ fault: string; requests: number; failures: number; maxLatencyMs: number; result: string }> = [];

beforeAll(async () => {
  work = await makeTempDir('cas-faults-load-');
  dir = await createProjectFromTarball(work.path);
  // A handler that throws, in the generated copy only: the 500 path of the error handler.
  const appFile = join(dir, 'src', 'app.ts');
  const app = await readFile(appFile, 'utf8');
  await writeFile(
    appFile,
    app.replace(
      '  app.notFound(handleNotFound);',
      "  app.get('/boom', () => {\n    throw new Error('secret detail from /boom');\n  });\n  app.notFound(handleNotFound);",
    ),
  );
  const build = await runAsyncsrv(['build'], { cwd: dir, timeout: 120_000 });
  expect(build.exitCode, build.stderr).toBe(0);

  database = execa(
    join(dir, 'node_modules', '.bin', 'tsx'),
    ['scripts/embedded-db.ts', '--port', '0', '--data', 'memory', '--max-connections', '40'],
    { cwd: dir, reject: false, stdin: 'ignore' },
  );
  databaseUrl = (await waitForLine(database, /DATABASE_URL=(\S+)/))[1]!;
  // The upstream waits as long as the first path segment says: /ms300/data/external takes 300 ms.
  upstream = createServer((request, response) => {
    const delay = Number(/^\/ms(\d+)\//.exec(request.url ?? '')?.[1] ?? 0);
    setTimeout(() => {
      response.setHeader('content-type', 'application/json');
      response.end('{"ok":true}');
    }, delay);
  });
  upstream.keepAliveTimeout = 70_000;
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', 1_024, resolve));
  upstreamBase = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
}, 400_000);

afterAll(async () => {
  for (const child of children) if (child.pid && isAlive(child.pid)) child.kill('SIGKILL');
  await Promise.all(children);
  for (const child of children) expect(isAlive(child.pid!)).toBe(false);
  for (const server of servers) await server.stop().catch(() => undefined);
  for (const server of servers) expect(isAlive(server.pid), `server ${server.pid}`).toBe(false);
  if (database) {
    database.kill('SIGTERM');
    await database;
    expect(isAlive(database.pid!)).toBe(false);
  }
  upstream?.closeAllConnections();
  upstream?.close();
  await work?.remove();
  console.log(
    `fault | requests sent | failures | max latency | result\n${figures.map((f) => `${f.fault} | ${f.requests} | ${f.failures} | ${f.maxLatencyMs} ms | ${f.result}`).join('\n')}`,
  );
}, 60_000);

async function start(env: Record<string, string>): Promise<BuiltServer> {
  const server = await startBuiltServer(dir, { DATABASE_URL: databaseUrl, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), ...env });
  servers.push(server);
  return server;
}

describe('SIGTERM under load (200 connections on /external, 300 ms upstream)', () => {
  it('finishes every request written before the signal with a 2xx, accepts no new connection, exits 0 within the grace period', async () => {
    // Its own child (not startBuiltServer): this test needs the exit code and the moment of exit.
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = execa('node', [join(dir, 'dist', 'server.js')], {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
      all: true,
      extendEnv: false,
      // No lame duck (production's default is 5 s): this test is about the drain once the listener closes; shutdown-keepalive.test.ts covers the lame duck.
      env: cliEnv({
        NODE_ENV: 'production',
        LOG_FORMAT: 'silent',
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        LAME_DUCK_MS: '0',
        UPSTREAM_URL: `${upstreamBase}/ms300`,
        UPSTREAM_CONNECTIONS: '256',
      }),
    });
    children.push(child);
    await waitForHttp(`${base}/readyz`, 200, 60_000);
    const server = { base, pid: child.pid! };
    let signalAt = Number.POSITIVE_INFINITY;
    const exited = child.then((exit) => ({ ...exit, ms: performance.now() - signalAt }));
    const load = startKeepAliveLoad(server.base, '/external', 200);
    await expect.poll(() => load.outcomes.filter((o) => o.status === 200).length, { timeout: 30_000, interval: 50 }).toBeGreaterThan(1_000);
    signalAt = performance.now();
    process.kill(server.pid, 'SIGTERM');

    // A fresh connection after the signal: refused, or closed without a 2xx, while the old ones still drain.
    let fresh: string | undefined;
    await expect
      .poll(
        async () => {
          fresh = await openRawConnection(server.base).then(
            async (connection) => {
              connection.socket.write(`GET /json HTTP/1.1\r\nHost: x\r\n\r\n`);
              const answer = await connection.response(2_000).catch(() => undefined);
              connection.socket.destroy();
              return answer && answer.status < 300 ? `answered ${answer.status}` : 'closed';
            },
            (error: NodeJS.ErrnoException) => error.code ?? String(error),
          );
          return fresh;
        },
        { timeout: 2_000, interval: 20 },
      )
      .not.toMatch(/^answered/);
    const freshRefusedAt = performance.now();
    const inFlightLeft = load.outcomes.filter((o) => o.writtenAt < signalAt && o.doneAt === undefined && !o.error).length;

    const exit = await exited;
    const exitMs = exit.ms;
    await load.stop();
    const before = load.outcomes.filter((o) => o.writtenAt < signalAt);
    const failedBefore = before.filter((o) => o.status === undefined || o.status >= 300 || o.error);
    const maxLatencyMs = Math.round(Math.max(...before.filter((o) => o.doneAt).map((o) => o.doneAt! - o.writtenAt)));
    figures.push({
      fault: 'SIGTERM at 200 conns, /external 300 ms',
      requests: load.outcomes.length,
      failures: failedBefore.length,
      maxLatencyMs,
      result: `exit ${exit.exitCode} after ${Math.round(exitMs)} ms; fresh connect after signal: ${fresh}`,
    });

    expect(
      failedBefore.map((o) => o.error ?? o.status),
      `${before.length} requests written before the signal`,
    ).toEqual([]);
    expect(inFlightLeft, 'requests still in flight when fresh connections were already refused').toBeGreaterThan(0);
    expect(freshRefusedAt - signalAt).toBeLessThan(1_000);
    expect(fresh).toMatch(/ECONNREFUSED|closed|ECONNRESET/);
    expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2_000);
    expect(exit.exitCode, exit.all).toBe(0);
    expect(exit.all).toBe(''); // LOG_FORMAT=silent: anything printed is a crash
    expect(isAlive(server.pid)).toBe(false);
  }, 120_000);
});

describe('slow and bad clients', () => {
  let server: BuiltServer;
  const HEADERS_TIMEOUT_MS = 2_000;
  beforeAll(async () => {
    server = await start({
      UPSTREAM_URL: `${upstreamBase}/ms0`,
      HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      KEEP_ALIVE_TIMEOUT_MS: '1000',
      BODY_LIMIT_BYTES: '102400',
    });
  }, 60_000);

  it('cuts a client that sends its headers one byte a second at headersTimeout (408 or close)', async () => {
    const connection = await openRawConnection(server.base);
    const head = `GET /json HTTP/1.1\r\nHost: x\r\n${'X-Slow: y\r\n'.repeat(10)}\r\n`;
    let sent = 0;
    const sendByte = (): void => {
      if (!connection.socket.destroyed) connection.socket.write(head[sent++ % head.length]!);
    };
    // The headers timeout runs from the first byte; Node checks it every second (the server sets that).
    const openedAt = performance.now();
    sendByte();
    const dribble = setInterval(sendByte, 1_000);
    try {
      const closedAt = await connection.closed(HEADERS_TIMEOUT_MS + 5_000);
      const cutMs = Math.round(closedAt - openedAt);
      figures.push({
        fault: 'headers at 1 byte/s (headersTimeout 2 s)',
        requests: 1,
        failures: 0,
        maxLatencyMs: cutMs,
        result: `cut after ${sent} bytes: ${connection.received().split('\r\n')[0] || 'closed'}`,
      });
      expect(connection.received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
      expect(cutMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
      expect(cutMs).toBeLessThan(HEADERS_TIMEOUT_MS + 1_500);
    } finally {
      clearInterval(dribble);
      connection.socket.destroy();
    }
  }, 30_000);

  it('answers a body announced over BODY_LIMIT_BYTES with a JSON 413 before the body is sent, without buffering what follows', async () => {
    const connection = await openRawConnection(server.base);
    const bodyBytes = 64 * 1024 * 1024;
    const rssBefore = await residentBytes(server.pid);
    const askedAt = performance.now();
    connection.socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bodyBytes}\r\n\r\n`);
    const answer = await connection.response(5_000);
    const answerMs = Math.round(performance.now() - askedAt);
    expect(answer?.status).toBe(413);
    expect(JSON.parse(answer!.text.slice(answer!.text.indexOf('\r\n\r\n') + 4))).toMatchObject({
      error: 'payload_too_large',
      requestId: expect.any(String),
    });
    // Send the body anyway, in 1 MiB pieces: the server must discard it (or hang up), not keep it.
    const piece = Buffer.alloc(1024 * 1024, 'x');
    let written = 0;
    while (written < bodyBytes && !connection.socket.destroyed) {
      const flushed = connection.socket.write(piece);
      written += piece.length;
      if (!flushed)
        await new Promise((resolve) => {
          connection.socket.once('drain', resolve);
          connection.socket.once('close', resolve);
        });
    }
    const growth = (await residentBytes(server.pid)) - rssBefore;
    connection.socket.destroy();
    figures.push({
      fault: '64 MiB body announced, limit 100 KiB',
      requests: 1,
      failures: 0,
      maxLatencyMs: answerMs,
      result: `413 before the body; ${written >> 20} MiB sent after it; RSS +${(growth / 1048576).toFixed(1)} MiB`,
    });
    expect(growth).toBeLessThan(bodyBytes / 4);
  }, 60_000);

  it('answers a chunked body that grows past the limit with 413 after about the limit, not the whole body', async () => {
    const connection = await openRawConnection(server.base);
    connection.socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = 'x'.repeat(16 * 1024);
    let sent = 0;
    const answered = connection.response(10_000);
    let done = false;
    void answered.finally(() => {
      done = true;
    });
    while (!done && sent < 8 * 1024 * 1024) {
      connection.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      sent += chunk.length;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const answer = await answered;
    connection.socket.destroy();
    figures.push({
      fault: 'chunked body growing past 100 KiB',
      requests: 1,
      failures: 0,
      maxLatencyMs: 0,
      result: `${answer?.status} after ${Math.round(sent / 1024)} KiB sent`,
    });
    expect(answer?.status).toBe(413);
    expect(sent).toBeLessThan(2 * 1024 * 1024);
  }, 30_000);

  it('malformed JSON: 400 JSON; unknown route: 404 JSON; a throwing handler: 500 JSON with the request id and no stack; secure headers on each', async () => {
    const malformed = await fetch(`${server.base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    const unknown = await fetch(`${server.base}/no/such/route`);
    const boom = await fetch(`${server.base}/boom`, { headers: { 'x-request-id': 'fault-suite-boom', 'x-forwarded-proto': 'https' } });
    const bodies = [await malformed.json(), await unknown.json(), await boom.text()] as const;
    expect([malformed.status, unknown.status, boom.status]).toEqual([400, 404, 500]);
    expect(bodies[0]).toMatchObject({ error: 'bad_request', requestId: malformed.headers.get('x-request-id') });
    expect(bodies[1]).toMatchObject({ error: 'not_found', requestId: unknown.headers.get('x-request-id') });
    expect(JSON.parse(bodies[2])).toEqual({ error: 'internal_error', message: 'Internal Server Error', requestId: 'fault-suite-boom' });
    expect(bodies[2]).not.toMatch(/secret detail|\bat\b|\.js:\d+/);
    for (const response of [malformed, unknown, boom]) {
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('cache-control')).toBe('no-store');
      // HSTS only where a proxy says the client came over HTTPS (RFC 6797 §7.2): the throwing handler's request.
      expect(response.headers.get('strict-transport-security')).toBe(response === boom ? 'max-age=31536000; includeSubDomains' : null);
    }
    const ok = await fetch(`${server.base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"message":"a"}',
    });
    expect([ok.status, await ok.json()]).toEqual([200, { echo: { message: 'a' } }]);
  });
});

describe(`soak: ${SOAK_SECONDS} s at 500 connections on /external and /db`, () => {
  it(
    'answers every request 2xx, with no error, and RSS ends within 20% of RSS a third into the soak',
    async () => {
      // The soak measures memory and errors under a closed loop that saturates this machine; whether the
      // admission line sheds such a loop depends on the machine's speed (a 2-core CI box shared with
      // another test file), so its bounds are raised here: test/e2e/overload.test.ts tests shedding.
      const server = await start({
        UPSTREAM_URL: `${upstreamBase}/ms20`,
        UPSTREAM_CONNECTIONS: '64',
        DB_POOL_MAX: '20',
        QUEUE_INTERVAL_MS: '4000',
        MAX_EVENT_LOOP_DELAY_MS: '0',
      });
      const bench = (path: string, seconds: number, file: string) =>
        runAsyncsrv(
          [
            'bench',
            '--url',
            `${server.base}${path}`,
            '--duration',
            `${seconds}s`,
            '--warmup',
            '0ms',
            '-c',
            '250',
            '--json',
            join(work.path, file),
          ],
          { cwd: work.path, timeout: (seconds + 60) * 1_000 },
        );
      // Warm-up at the same load until the heap has grown to its working size; the soak is measured from there.
      const warm = await Promise.all([bench('/external', 10, 'warm-external.json'), bench('/db', 10, 'warm-db.json')]);
      for (const run of warm) expect(run.exitCode, run.stderr).toBe(0);
      const rssWarm = await residentBytes(server.pid);
      const soaking = Promise.all([bench('/external', SOAK_SECONDS, 'soak-external.json'), bench('/db', SOAK_SECONDS, 'soak-db.json')]);
      // The baseline is read a third into the soak: on a slow or shared machine the 10 s warm-up does not
      // reach the heap's working size (CI: 131 MiB after it, ~170 MiB working size), a leak keeps growing after.
      await new Promise((resolve) => setTimeout(resolve, (SOAK_SECONDS * 1_000) / 3));
      const rssBase = await residentBytes(server.pid);
      const runs = await soaking;
      const rssEnd = await residentBytes(server.pid);
      for (const run of runs) expect(run.exitCode, run.stderr).toBe(0);
      const reports = await Promise.all(
        ['soak-external.json', 'soak-db.json'].map(
          async (file) => JSON.parse(await readFile(join(work.path, file), 'utf8')) as BenchReport,
        ),
      );
      const results = reports.map((report) => report.scenarios[0]!.result);
      const completed = results.reduce((sum, r) => sum + r.completed, 0);
      const non2xx = results.reduce(
        (sum, r) =>
          sum +
          Object.entries(r.statusCounts)
            .filter(([status]) => !status.startsWith('2'))
            .reduce((n, [, count]) => n + count, 0),
        0,
      );
      const errors = results.reduce((sum, r) => sum + Object.values(r.errors).reduce((n, count) => n + count, 0), 0);
      const maxLatencyMs = Math.max(...results.map((r) => Math.round(r.latency.max / 1000)));
      const statuses = results.map((r, i) => `${['/external', '/db'][i]} ${JSON.stringify(r.statusCounts)}`).join(', ');
      figures.push({
        fault: `soak ${SOAK_SECONDS} s, 2x250 conns /external + /db`,
        requests: completed + errors,
        failures: non2xx + errors,
        maxLatencyMs,
        result: `RSS ${(rssWarm / 1048576).toFixed(0)} (warm) → ${(rssBase / 1048576).toFixed(0)} (a third in) → ${(rssEnd / 1048576).toFixed(0)} MiB; ${statuses}`,
      });
      expect({ non2xx, errors }).toEqual({ non2xx: 0, errors: 0 });
      expect(completed).toBeGreaterThan(0);
      expect(Math.abs(rssEnd - rssBase) / rssBase).toBeLessThanOrEqual(0.2);
    },
    (SOAK_SECONDS + 180) * 1_000,
  );
});

describe('npm audit of the generated project (production dependencies)', () => {
  it('has no high or critical advisory; when the registry cannot answer, says so and skips', async (context) => {
    const audit = await execa('npm', ['audit', '--omit=dev', '--json'], { cwd: dir, reject: false, timeout: 120_000 });
    const report = JSON.parse(audit.stdout || '{}') as {
      metadata?: { vulnerabilities?: Record<string, number> };
      message?: string;
      error?: { summary?: string };
    };
    const counts = report.metadata?.vulnerabilities;
    if (!counts) {
      const why =
        report.message ?? report.error?.summary ?? audit.stderr.split('\n').find((line) => /error/i.test(line)) ?? `exit ${audit.exitCode}`;
      console.warn(`\n!!! NPM AUDIT DID NOT RUN: the registry did not answer the audit request (${why}). No verdict on advisories. !!!\n`);
      context.skip();
    }
    figures.push({
      fault: 'npm audit --omit=dev',
      requests: 1,
      failures: (counts!.high ?? 0) + (counts!.critical ?? 0),
      maxLatencyMs: 0,
      result: JSON.stringify(counts),
    });
    expect({ high: counts!.high, critical: counts!.critical }).toEqual({ high: 0, critical: 0 });
  }, 150_000);
});
