import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBuiltServer, type BuiltServer } from './helpers/built-server.js';
import { createProjectFromTarball, makeTempDir, runAsyncsrv } from './helpers/cli.js';
import { percentile, sendConcurrent, type TimedResponse } from './helpers/concurrent-requests.js';
import { startFaultUpstream, type FaultUpstream } from './helpers/fault-upstream.js';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.js';
import { isAlive, waitForHttp } from './helpers/processes.js';

/**
 * Faults of the dependencies, against a generated project built and started for real
 * (`node dist/server.js`): a slow, dead or resetting upstream, a PostgreSQL that goes away and
 * comes back, a pool far smaller than the load. The app must answer fast with the right JSON
 * error, cancel what it abandons and recover without a restart.
 */
let work: Awaited<ReturnType<typeof makeTempDir>>;
let dir: string;
let postgres: PrivatePostgres;
let upstream: FaultUpstream;
const servers: BuiltServer[] = [];
const table: Array<{ fault: string; sent: number; statuses: string; failures: number; maxMs: number; p99Ms: number; result: string }> = [];

beforeAll(async () => {
  work = await makeTempDir('cas-faults-');
  dir = await createProjectFromTarball(work.path);
  const build = await runAsyncsrv(['build'], { cwd: dir, timeout: 120_000 });
  expect(build.exitCode, build.stderr).toBe(0);
  postgres = await startPrivatePostgres();
  upstream = await startFaultUpstream();
}, 400_000);

afterAll(async () => {
  for (const server of servers) await server.stop();
  await upstream?.close();
  const postmaster = postgres?.pid();
  await postgres?.remove();
  if (postmaster !== undefined) expect(isAlive(postmaster)).toBe(false);
  for (const server of servers) expect(isAlive(server.pid)).toBe(false);
  await work?.remove();
  console.log(`fault table:\n${formatTable()}`);
}, 120_000);

async function startApp(env: Record<string, string>): Promise<BuiltServer> {
  const server = await startBuiltServer(dir, env);
  servers.push(server);
  return server;
}

/** Records one row of the fault table and returns the unexpected outcomes, for the test to assert on. */
function record(fault: string, results: TimedResponse[], isExpected: (result: TimedResponse) => boolean): TimedResponse[] {
  const unexpected = results.filter((result) => !isExpected(result));
  const times = results.map((result) => result.ms);
  const statuses = new Map<number, number>();
  for (const { status } of results) statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const statusList = [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status === -1 ? 'no answer' : status}×${count}`)
    .join(' ');
  table.push({
    fault,
    sent: results.length,
    statuses: statusList,
    failures: unexpected.length,
    maxMs: Math.round(Math.max(...times)),
    p99Ms: Math.round(percentile(times, 99)),
    result: unexpected.length === 0 ? 'pass' : 'FAIL',
  });
  return unexpected.slice(0, 5);
}

function formatTable(): string {
  const header = '| fault | requests | statuses | failures | max ms | p99 ms | result |\n|---|---|---|---|---|---|---|';
  return [
    header,
    ...table.map(
      (row) => `| ${row.fault} | ${row.sent} | ${row.statuses} | ${row.failures} | ${row.maxMs} | ${row.p99Ms} | ${row.result} |`,
    ),
  ].join('\n');
}

const errorCode = (result: TimedResponse): unknown => (result.json as { error?: unknown } | undefined)?.error;

async function expectAliveAndHealthy(app: BuiltServer): Promise<void> {
  expect(isAlive(app.pid), app.output()).toBe(true);
  const health = await fetch(`${app.base}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });
}

describe('upstream faults', () => {
  let app: BuiltServer;
  beforeAll(async () => {
    // Enough pooled connections that many calls are really in flight at the upstream when the deadline fires.
    // The circuit breaker is out of the way here (test/e2e/overload.test.ts covers it): these are the raw fault paths.
    app = await startApp({
      DATABASE_URL: postgres.url('faults-upstream'),
      UPSTREAM_URL: upstream.url,
      REQUEST_DEADLINE_MS: '1000',
      UPSTREAM_TIMEOUT_MS: '5000',
      UPSTREAM_CONNECTIONS: '50',
      UPSTREAM_BREAKER_FAILURES: '100000',
    });
  }, 120_000);

  it('a 3 s upstream under 200 concurrent requests: those holding a connection answer 504 at the 1 s deadline, the rest 503 long before it, and every upstream call is aborted', async () => {
    upstream.setFault({ kind: 'slow', delayMs: 3_000 });
    upstream.resetCounts();
    const results = await sendConcurrent(`${app.base}/external`, 200);
    // 50 connections: the 150 others wait in the admission line, which refuses them at its interval (100 ms here).
    const unexpected = record(
      'upstream slow 3 s, deadline 1 s, 200 concurrent',
      results,
      (result) =>
        (result.status === 504 && errorCode(result) === 'deadline_exceeded' && result.ms >= 990 && result.ms < 2_500) ||
        (result.status === 503 && errorCode(result) === 'overloaded' && result.ms < 990),
    );
    expect(unexpected).toEqual([]);
    expect(results.filter((result) => result.status === 504).length).toBeGreaterThanOrEqual(40);
    expect(Math.max(...results.map((result) => result.ms))).toBeLessThan(2_500);

    // Nothing left running at the upstream: each call it received was cancelled, none answered.
    await expect.poll(() => upstream.counts().inFlight, { timeout: 10_000 }).toBe(0);
    const counts = upstream.counts();
    expect(counts.received).toBeGreaterThanOrEqual(50);
    expect(counts).toEqual({ received: counts.received, answered: 0, aborted: counts.received, inFlight: 0 });
    await expectAliveAndHealthy(app);
  }, 60_000);

  it('an upstream that is down, then one that resets connections: 502 fast; once it is back, 200 without a restart', async () => {
    upstream.setFault({ kind: 'answer' });
    await upstream.goDown();
    const refused = await sendConcurrent(`${app.base}/external`, 50);
    const refusedUnexpected = record(
      'upstream down (port closed), 50 concurrent',
      refused,
      (result) => result.status === 502 && errorCode(result) === 'bad_gateway' && result.ms < 800,
    );
    expect(refusedUnexpected).toEqual([]);
    await expectAliveAndHealthy(app);

    await upstream.comeBack();
    upstream.setFault({ kind: 'reset' });
    upstream.resetCounts();
    const reset = await sendConcurrent(`${app.base}/external`, 50);
    const resetUnexpected = record(
      'upstream resets connections, 50 concurrent',
      reset,
      (result) => result.status === 502 && errorCode(result) === 'bad_gateway' && result.ms < 800,
    );
    expect(resetUnexpected).toEqual([]);
    expect(upstream.counts().received).toBeGreaterThanOrEqual(50);
    await expectAliveAndHealthy(app);

    upstream.setFault({ kind: 'answer' });
    await waitForHttp(`${app.base}/external`, 200, 10_000);
    const recovered = await sendConcurrent(`${app.base}/external`, 50);
    const recoveredUnexpected = record(
      'upstream back on the same port, 50 concurrent',
      recovered,
      (result) => result.status === 200 && (result.json as { upstream?: unknown }).upstream !== undefined,
    );
    expect(recoveredUnexpected).toEqual([]);
  }, 60_000);
});

describe('database faults', () => {
  it('PostgreSQL down: /db 503 and /readyz not ready; back on the same port: both recover, no leaked connections', async () => {
    const poolMax = 5;
    const app = await startApp({ DATABASE_URL: postgres.url('faults-db-down'), UPSTREAM_URL: upstream.url, DB_POOL_MAX: String(poolMax) });
    const warm = await sendConcurrent(`${app.base}/db`, 20);
    expect(warm.map((result) => result.status)).toEqual(warm.map(() => 200));

    // Stopped under load: queries in flight fail as 503 (terminated connections; or refused by the pool's
    // line while connection attempts hang), never as a 500 or a hang.
    const unavailable = (result: TimedResponse): boolean =>
      result.status === 503 && ['database_unavailable', 'overloaded'].includes(String(errorCode(result)));
    const [during] = await Promise.all([sendConcurrent(`${app.base}/queries?queries=20`, 60), postgres.stop()]);
    const duringUnexpected = record(
      'PostgreSQL stopping under 60 concurrent /queries?queries=20',
      during,
      (result) => result.ms < 3_000 && (result.status === 200 || unavailable(result)),
    );
    expect(duringUnexpected).toEqual([]);

    const down = await sendConcurrent(`${app.base}/db`, 100);
    const downUnexpected = record('PostgreSQL stopped, /db 100 concurrent', down, (result) => unavailable(result) && result.ms < 3_000);
    expect(downUnexpected).toEqual([]);
    const ready = await fetch(`${app.base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'database' });
    await expectAliveAndHealthy(app);

    await postgres.start();
    await waitForHttp(`${app.base}/readyz`, 200, 15_000);
    // Right after the restart the pool's line knows nothing of the outage (it forgot its average hold
    // time once the pool had no connection), learns nothing from each connection's first query (the
    // connect, a cold backend) and predicts nothing before it knows a hold per connection. A burst of
    // 100 on 5 connections is then served, except that the line may still shed its tail: once it knows
    // five holds, it refuses (503 overloaded, fast) a caller whose predicted wait exceeds 1 s, and on a
    // busy machine the holds measured while the server takes in the burst are long (clean-clone CI:
    // 5 of 100 refused at 80 ms). That is the line doing its job, so this checks what recovery means,
    // not a timing: every answer is a served row or a refusal within the line's 1 s bound (plus its
    // sweep), never a database error, and the burst is mostly served. The two faults this caught
    // served 31 (the line remembered the outage) and 44 (one cold first query set its average); the
    // unit tests in the generated project pin both.
    const back = await sendConcurrent(`${app.base}/db`, 100);
    const served = (result: TimedResponse): boolean => result.status === 200 && typeof (result.json as { id?: unknown }).id === 'number';
    const backUnexpected = record(
      'PostgreSQL back, /db 100 concurrent',
      back,
      (result) => served(result) || (result.status === 503 && errorCode(result) === 'overloaded' && result.ms < 2_000),
    );
    expect(backUnexpected).toEqual([]);
    expect(back.filter(served).length).toBeGreaterThanOrEqual(80);
    // Once the burst is over and an interval (1 s) has passed without a refusal, the line is not left
    // refusing: the next burst within its bound is served in full.
    await sleep(1_100);
    const after = await sendConcurrent(`${app.base}/db`, 20);
    expect(after.filter((result) => !served(result))).toEqual([]);
    await expect.poll(() => postgres.countConnections('faults-db-down'), { timeout: 10_000 }).toBeLessThanOrEqual(poolMax);
    expect(await postgres.countConnections('faults-db-down')).toBeGreaterThan(0);
  }, 90_000);

  it('pool exhaustion: 40, then 120 concurrent /queries?queries=500 on a pool of 4 queue and answer 200, 503 or 504 within the deadline; abandoned queries do not outlive their request', async () => {
    const poolMax = 4;
    const app = await startApp({
      DATABASE_URL: postgres.url('faults-pool'),
      UPSTREAM_URL: upstream.url,
      DB_POOL_MAX: String(poolMax),
      REQUEST_DEADLINE_MS: '1500',
    });
    // At 3× overload the server's CPU, not the deadline, decides when a request is even read: a wider margin.
    for (const { concurrency, marginMs } of [
      { concurrency: 40, marginMs: 1_500 },
      { concurrency: 120, marginMs: 3_000 },
    ]) {
      const results = await sendConcurrent(`${app.base}/queries?queries=500`, concurrency);
      const unexpected = record(
        `pool of 4, deadline 1.5 s, ${concurrency} concurrent /queries?queries=500`,
        results,
        (result) =>
          result.ms < 1_500 + marginMs &&
          (result.status === 200
            ? Array.isArray(result.json) && result.json.length === 500
            : (result.status === 503 || result.status === 504) && typeof errorCode(result) === 'string'),
      );
      expect(unexpected).toEqual([]);
      // 60,000 queries through 4 connections cannot fit in 1.5 s: the admission or the deadline path really ran.
      if (concurrency === 120) expect(results.filter((result) => result.status !== 200).length).toBeGreaterThan(0);

      // Once every request has its answer, the pool must be free: the queries of requests that
      // already answered 504 must not keep it busy (a fresh request would queue behind them).
      const fresh = await sendConcurrent(`${app.base}/db`, 1);
      const freshUnexpected = record(
        `fresh /db right after the ${concurrency}-request burst`,
        fresh,
        (result) => result.status === 200 && result.ms < 1_000,
      );
      expect(freshUnexpected).toEqual([]);
      await expectAliveAndHealthy(app);
      await expect.poll(() => postgres.countConnections('faults-pool'), { timeout: 10_000 }).toBeLessThanOrEqual(poolMax);
    }
  }, 120_000);
});
