import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { DatabaseUnavailableError, OverloadedError } from '../src/errors.js';
import { createAdmissionQueue, type AdmissionQueue, type Slot } from '../src/resilience/admission-queue.js';
import { createLoadShedder } from '../src/resilience/load-shedder.js';
import { createUpstreamClient } from '../src/resources/upstream-client.js';
import { testDatabaseUrl } from './support/test-database.js';
import { serveApp, startTestApp, type TestApp } from './support/test-app.js';
import { startTestUpstream, type TestUpstream } from './support/test-upstream.js';

/** A caller of its own: the line treats calls with one signal as one request. */
const caller = (): AbortSignal => new AbortController().signal;

/** A line whose average hold time is set by one timed use; its one slot is held on return. */
async function lineWithHold(options: {
  targetMs: number;
  intervalMs: number;
  holdMs: number;
}): Promise<{ line: AdmissionQueue; held: Slot }> {
  const line = createAdmissionQueue({ slots: 1, name: 'the test pool', ...options });
  const first = await line.acquire(caller());
  await sleep(options.holdMs);
  first.release();
  return { line, held: await line.acquire(caller()) };
}

/**
 * Queues as many callers as the line promises a place to (one slot: the k-th waits k × the measured
 * hold time, so k ≤ interval / hold), from the hold time it measured, not the one asked for: timers
 * run late on a busy machine.
 */
function fillToTheBound(
  line: AdmissionQueue,
  intervalMs: number,
  onAdmit: (label: string) => void = () => undefined,
): Array<Promise<Slot>> {
  const fits = Math.floor(intervalMs / line.stats().holdMs);
  return Array.from({ length: fits }, (_, index) =>
    line.acquire(caller()).then((slot) => {
      onAdmit(`promised ${index}`);
      return slot;
    }),
  );
}

describe('admission queue', () => {
  it('admits up to its slots at once and the rest first come, first served', async () => {
    const line = createAdmissionQueue({ slots: 2, targetMs: 5, intervalMs: 1_000, name: 'test' });
    const a = await line.acquire(caller());
    const b = await line.acquire(caller());
    const order: string[] = [];
    const first = line.acquire(caller()).then((slot) => order.push('first') && slot);
    const second = line.acquire(caller()).then((slot) => order.push('second') && slot);
    expect(line.stats()).toMatchObject({ running: 2, waiting: 2, overloaded: false });
    a.release();
    a.release(); // a second release of the same slot changes nothing
    b.release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(line.stats()).toMatchObject({ running: 2, waiting: 0 });
  });

  it('refuses at once, with a 503, a caller it predicts cannot get a slot within intervalMs', async () => {
    const { line } = await lineWithHold({ targetMs: 5, intervalMs: 130, holdMs: 50 });
    const queued = fillToTheBound(line, 130);
    expect(queued.length).toBeGreaterThan(0);
    const startedAt = performance.now();
    const error = await line.acquire(caller()).catch((reason: unknown) => reason); // one turn too many
    expect(performance.now() - startedAt).toBeLessThan(20);
    expect(error).toBeInstanceOf(OverloadedError);
    expect(error).toMatchObject({ status: 503, code: 'overloaded', retryAfterSeconds: 1 });
    expect((error as Error).message).toContain('the test pool');
    expect(line.stats()).toMatchObject({ waiting: queued.length, shed: 1, overloaded: true });
    void Promise.allSettled(queued);
  });

  it('once it refuses: newcomers go on a stack, newest first, after the promised ones, refused past targetMs; relaxes after an interval', async () => {
    const { line, held } = await lineWithHold({ targetMs: 150, intervalMs: 200, holdMs: 40 });
    const order: string[] = [];
    const promised = fillToTheBound(line, 200, (label) => order.push(label));
    await expect(line.acquire(caller())).rejects.toBeInstanceOf(OverloadedError); // one turn too many: refused at once
    expect(line.stats().overloaded).toBe(true);
    const queue = (label: string): Promise<Slot> =>
      line.acquire(caller()).then((slot) => {
        order.push(label);
        return slot;
      });
    const older = queue('older');
    const newer = queue('newer'); // on the stack, not refused: under overload newcomers wait up to targetMs
    held.release();
    for (const pending of [...promised, newer, older]) (await pending).release();
    expect(order).toEqual([...promised.map((_, index) => `promised ${index}`), 'newer', 'older']);

    const holder = await line.acquire(caller());
    const startedAt = performance.now();
    await expect(line.acquire(caller())).rejects.toBeInstanceOf(OverloadedError); // on the stack, its slot never comes
    const waitedMs = performance.now() - startedAt;
    expect(waitedMs).toBeGreaterThanOrEqual(149);
    expect(waitedMs).toBeLessThan(400);
    holder.release();

    await sleep(210); // an interval without a refusal
    expect(line.stats().overloaded).toBe(false);
  });

  it('refuses a waiter whose predicted turn did not come, soon after the prediction', async () => {
    const { line } = await lineWithHold({ targetMs: 5, intervalMs: 100, holdMs: 20 });
    const startedAt = performance.now();
    await expect(line.acquire(caller())).rejects.toBeInstanceOf(OverloadedError); // the slot is never released
    const waitedMs = performance.now() - startedAt;
    expect(waitedMs).toBeGreaterThanOrEqual(100);
    expect(waitedMs).toBeLessThan(100 + line.stats().holdMs + 250);
  });

  it('queues, never refuses, the later calls of a request that already holds a slot', async () => {
    const { line, held } = await lineWithHold({ targetMs: 5, intervalMs: 100, holdMs: 20 });
    held.release();
    const request = caller();
    const mine = await line.acquire(request); // the request's first call takes the free slot
    const queued = fillToTheBound(line, 100);
    await expect(line.acquire(caller())).rejects.toBeInstanceOf(OverloadedError);
    expect(line.stats().overloaded).toBe(true);
    const next = line.acquire(request); // the same request's next call: queued despite the overload
    mine.release();
    for (const pending of queued) (await pending).release();
    await expect(next).resolves.toBeDefined();
  });

  it('leaves its average as it was after a hold released with learn: false (one that opened a connection)', async () => {
    const line = createAdmissionQueue({ slots: 1, targetMs: 5, intervalMs: 100, name: 'test' });
    const connecting = await line.acquire(caller());
    await sleep(150);
    connecting.release(false);
    expect(line.stats().holdMs).toBe(0);
    // Had it learned 150 ms, the caller behind the one slot would be refused at once (150 ms > intervalMs).
    const held = await line.acquire(caller());
    const behind = line.acquire(caller());
    expect(line.stats()).toMatchObject({ running: 1, waiting: 1, shed: 0 });
    held.release();
    (await behind).release();
    expect(line.stats().shed).toBe(0);
    expect(line.stats().holdMs).toBeGreaterThan(0);
  });

  it('predicts nothing until it knows a hold per slot (at most 10), and then from their mean: one slow first use refuses no one', async () => {
    const line = createAdmissionQueue({ slots: 2, targetMs: 5, intervalMs: 100, name: 'test' });
    const cold = await line.acquire(caller());
    await sleep(250); // a cold first use: alone it would predict 125 ms for the first caller behind two slots
    cold.release();
    const [a, b] = [await line.acquire(caller()), await line.acquire(caller())];
    const behind = line.acquire(caller());
    expect(line.stats()).toMatchObject({ waiting: 1, shed: 0 });
    a.release(); // a quick second use: the mean of the two, about 125 ms, is what it predicts from now on
    const warmMean = line.stats().holdMs;
    expect(warmMean).toBeGreaterThan(100);
    expect(warmMean).toBeLessThan(200);
    const c = await behind;
    const first = line.acquire(caller()); // 1 × mean / 2 slots < 100 ms: queued
    await expect(line.acquire(caller())).rejects.toBeInstanceOf(OverloadedError); // 2 × mean / 2 > 100 ms: refused at once
    b.release();
    (await first).release();
    c.release();

    line.forget(); // and the same again after forget()
    const coldAgain = await line.acquire(caller());
    await sleep(250);
    coldAgain.release();
    const held = [await line.acquire(caller()), await line.acquire(caller())];
    const queued = [line.acquire(caller()), line.acquire(caller())];
    expect(line.stats()).toMatchObject({ waiting: 2, shed: 1 });
    for (const slot of held) slot.release();
    for (const pending of queued) (await pending).release();
  });

  it('lets an aborted caller leave the line with its signal reason', async () => {
    const line = createAdmissionQueue({ slots: 1, targetMs: 5, intervalMs: 10_000, name: 'test' });
    await line.acquire(caller());
    const request = new AbortController();
    const waiting = line.acquire(request.signal).catch((reason: unknown) => reason);
    request.abort(new Error('deadline'));
    expect(await waiting).toMatchObject({ message: 'deadline' });
    expect(line.stats()).toMatchObject({ waiting: 0, running: 1 });
  });
});

describe('upstream circuit breaker and retry', () => {
  let upstream: TestUpstream;
  let target: TestApp;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    target = await startTestApp({ databaseUrl: testDatabaseUrl(), upstreamUrl: upstream.url, breaker: { failures: 3, cooldownMs: 300 } });
  });
  afterEach(() => upstream.setBehaviour(() => 'echo'));
  afterAll(async () => {
    await target?.close();
    await upstream?.close();
  });

  it('opens after a run of failures: calls (and /concurrent/settled) fail fast with 503 + Retry-After, then one probe closes it', async () => {
    upstream.setBehaviour(() => 'fail');
    for (let i = 0; i < 3; i++) expect((await fetch(`${target.url}/external`)).status).toBe(502);
    const requestsBefore = upstream.requests;
    const open = await fetch(`${target.url}/external`);
    expect(open.status).toBe(503);
    expect(open.headers.get('retry-after')).toBe('1');
    expect(await open.json()).toMatchObject({ error: 'upstream_unavailable', requestId: expect.any(String) });
    expect(upstream.requests).toBe(requestsBefore); // failed fast: the upstream saw nothing
    const settled = await fetch(`${target.url}/concurrent/settled`); // every part failed fast: the route fails as they did
    expect([settled.status, settled.headers.get('retry-after')]).toEqual([503, '1']);
    expect(await settled.json()).toMatchObject({ error: 'upstream_unavailable' });
    expect(upstream.requests).toBe(requestsBefore);

    upstream.setBehaviour(() => 'echo');
    await sleep(350);
    expect((await fetch(`${target.url}/external`)).status).toBe(200); // the probe
    expect((await fetch(`${target.url}/external`)).status).toBe(200);
  });

  it('retries a GET once when the kept-alive socket is reset', async () => {
    let resets = 1;
    upstream.setBehaviour(() => (resets-- > 0 ? 'reset' : 'echo'));
    const requestsBefore = upstream.requests;
    const response = await fetch(`${target.url}/external`);
    expect(response.status).toBe(200);
    expect(upstream.requests).toBe(requestsBefore + 2);
  });

  it('retries within a budget: a reset storm is not doubled', async () => {
    upstream.setBehaviour(() => 'reset');
    const client = createUpstreamClient({
      baseUrl: upstream.url,
      connections: 4,
      timeoutMs: 1_000,
      breaker: { failures: 1_000, cooldownMs: 1_000 },
    });
    try {
      const requestsBefore = upstream.requests;
      const results = await Promise.allSettled(Array.from({ length: 40 }, () => client.getJson('/x', { signal: caller() })));
      expect(results.every((result) => result.status === 'rejected')).toBe(true);
      const sent = upstream.requests - requestsBefore;
      expect(sent).toBeGreaterThan(40);
      expect(sent).toBeLessThanOrEqual(40 + 10 + 4); // the burst of 10, plus 0.1 per call
    } finally {
      await client.close();
    }
  });
});

describe('load shedding on event-loop lag', () => {
  it('answers 503 + Retry-After while the loop lags, keeps the probes up, and recovers', async () => {
    const shedder = createLoadShedder({ maxEventLoopDelayMs: 200, sampleIntervalMs: 100 });
    const app = createApp({
      upstream: { getJson: async () => ({}) },
      db: { query: async () => [], poolMax: 1 },
      limits: { bodyLimitBytes: 1_024 },
    });
    const served = await serveApp(app, { shedder });
    const get = (path: string): Promise<Response> => fetch(`${served.url}${path}`);
    try {
      expect((await get('/json')).status).toBe(200);
      const busyUntil = performance.now() + 1_000; // busy, not just late: over 90% of the sample window
      while (performance.now() < busyUntil); // a blocked event loop
      await sleep(20); // the overdue sampler reads the lag first
      expect(shedder.overloaded()).toBe(true);
      const refused = await get('/json');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ error: 'overloaded' });
      expect((await get('/healthz')).status).toBe(200);
      expect((await get('/readyz')).status).toBe(200);
      expect(shedder.shed()).toBe(1);
      await vi.waitFor(async () => expect((await get('/json')).status).toBe(200), { timeout: 3_000, interval: 50 });
    } finally {
      shedder.close();
      await served.close();
    }
  });
});

describe('readiness under load', () => {
  /** GET /readyz from an app whose database answers every query with `query()`. */
  const readyz = async (query: () => Promise<never>): Promise<[number, unknown]> => {
    const db = { query, poolMax: 1 };
    const served = await serveApp(createApp({ upstream: { getJson: async () => ({}) }, db, limits: { bodyLimitBytes: 1_024 } }));
    try {
      const response = await fetch(`${served.url}/readyz`);
      return [response.status, await response.json()];
    } finally {
      await served.close();
    }
  };

  it('stays ready while the pool refuses work (a busy database), and is not ready when the database is gone', async () => {
    expect(
      await readyz(async () => {
        throw new OverloadedError('the database pool');
      }),
    ).toEqual([200, { status: 'ready', busy: true }]);
    expect(
      await readyz(async () => {
        throw new DatabaseUnavailableError();
      }),
    ).toEqual([503, { status: 'unavailable', reason: 'database' }]);
  });
});
