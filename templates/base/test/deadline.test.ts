import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientClosedError, DeadlineExceededError } from '../src/errors.js';
import { DeadlineTimer, type Expiring } from '../src/http/deadline-timer.js';
import { RequestDeadline, linkStop, stopReason, unlinkStop } from '../src/http/deadline.js';
import { createUpstreamClient } from '../src/resources/upstream-client.js';

/** An item expiring `inMs` from now, recording when it did. */
function expiring(inMs: number, log: string[], name: string): Expiring {
  return { expiresAt: performance.now() + inMs, expire: () => log.push(name) };
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the deadline timer (one timer for all requests of a budget)', () => {
  it('expires each request at its time, in order, and never one that was answered', async () => {
    const timer = new DeadlineTimer();
    const log: string[] = [];
    timer.add(expiring(20, log, 'a'));
    const answered = timer.add(expiring(25, log, 'b'));
    timer.add(expiring(30, log, 'c'));
    timer.remove(answered);
    await wait(10);
    expect(log).toEqual([]);
    await wait(60);
    expect(log).toEqual(['a', 'c']);
  });

  it('holds no timer once nothing waits, so a process with no request in flight can exit', async () => {
    const timer = new DeadlineTimer();
    const log: string[] = [];
    const active = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const before = active();
    const places = [timer.add(expiring(5_000, log, 'a')), timer.add(expiring(5_000, log, 'b'))];
    expect(active()).toBe(before + 1); // one timer for both
    for (const place of places) timer.remove(place);
    expect(active()).toBe(before);
    // Places made after the list started over are still its own.
    const again = timer.add(expiring(10, log, 'c'));
    timer.add(expiring(15, log, 'd'));
    timer.remove(again);
    timer.remove(again); // twice is harmless
    await wait(50);
    expect(log).toEqual(['d']);
  });

  it('keeps its places right while thousands come and go, trimming what was answered', async () => {
    const timer = new DeadlineTimer();
    const log: string[] = [];
    const places: number[] = [];
    for (let index = 0; index < 3_000; index += 1) places.push(timer.add(expiring(index < 2_000 ? 1 : 40, log, String(index))));
    for (let index = 2_000; index < 3_000; index += 2) timer.remove(places[index]!);
    await wait(20); // the first 2,000 expire and are trimmed away
    expect(log).toHaveLength(2_000);
    timer.remove(places[2_001]!); // a place past the trim still finds its request
    await wait(60);
    expect(log).toHaveLength(2_000 + 499);
    expect(log).not.toContain('2001');
    expect(log.at(-1)).toBe('2999');
  });
});

describe('RequestDeadline.link (what the upstream client uses instead of an AbortSignal)', () => {
  const response = (): Response => new Response('ok');

  it('aborts every linked call at the deadline, not one that was unlinked, and answers 504', async () => {
    const deadline = new RequestDeadline(performance.now(), 30, { request: new Request('http://x/') });
    const aborted: unknown[] = [];
    const first = { abort: (reason: unknown) => aborted.push(reason) };
    const second = { abort: (reason: unknown) => aborted.push(reason) };
    const third = { abort: () => aborted.push('never') };
    deadline.link(first);
    deadline.link(second);
    deadline.link(third);
    deadline.unlink(third);
    const answer = await deadline.race(
      new Promise<Response>(() => undefined),
      (reason) => new Response(String(reason), { status: 504 }),
      (r) => r,
    );
    expect(answer.status).toBe(504);
    expect(aborted).toHaveLength(2);
    expect(aborted[0]).toBeInstanceOf(DeadlineExceededError);
    expect(deadline.reason).toBe(aborted[0]);
    const late = { abort: (reason: unknown) => aborted.push(reason) };
    deadline.link(late); // after the end: at once
    expect(aborted).toHaveLength(3);
  });

  it('aborts linked calls when the client goes away', async () => {
    const client = new AbortController();
    const deadline = new RequestDeadline(performance.now(), 5_000, { request: new Request('http://x/', { signal: client.signal }) });
    const aborted: unknown[] = [];
    deadline.link({ abort: (reason) => aborted.push(reason) });
    client.abort();
    expect(aborted[0]).toBeInstanceOf(ClientClosedError);
    expect(stopReason(deadline)).toBe(aborted[0]);
  });

  it('answers in time without expiring, and takes an AbortSignal the same way through linkStop', async () => {
    const deadline = new RequestDeadline(performance.now(), 20, { request: new Request('http://x/') });
    const answer = await deadline.race(
      Promise.resolve(response()),
      () => new Response('late', { status: 504 }),
      (r) => r,
    );
    expect(answer.status).toBe(200);
    await wait(40);
    expect(deadline.reason).toBeUndefined();

    const controller = new AbortController();
    const aborted: unknown[] = [];
    const target = { abort: (reason: unknown) => aborted.push(reason) };
    linkStop(controller.signal, target);
    unlinkStop(controller.signal, target);
    linkStop(controller.signal, target);
    controller.abort(new Error('stop'));
    expect(aborted).toEqual([controller.signal.reason]);
    expect(stopReason(controller.signal)).toBe(controller.signal.reason);
  });
});

describe('the upstream client reads the body itself', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(body: Buffer[]): Promise<URL> {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const write = (index: number): void => {
        if (index === body.length) return void response.end();
        response.write(body[index], () => setTimeout(() => write(index + 1), 5)); // separate chunks
      };
      write(0);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return new URL(`http://127.0.0.1:${(server!.address() as AddressInfo).port}`);
  }

  it('parses JSON that arrives in several chunks, multi-byte characters split between them, after a byte order mark', async () => {
    const text = JSON.stringify({ name: 'Zoë', items: Array.from({ length: 2_000 }, (_, index) => `item-${index}`) });
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const split = bytes.indexOf(Buffer.from('ë')) + 1; // inside the two bytes of ë
    const url = await serve([bytes.subarray(0, split), bytes.subarray(split, 40_000), bytes.subarray(40_000)]);
    const client = createUpstreamClient({ baseUrl: url, connections: 1, timeoutMs: 2_000 });
    try {
      const deadline = new RequestDeadline(performance.now(), 2_000, { request: new Request('http://x/') });
      expect(await client.getJson('/any', { deadline })).toEqual(JSON.parse(text));
      // Called from plain JavaScript without either: a clear error, not a crash inside the client.
      await expect(client.getJson('/any', {} as never)).rejects.toThrow("needs the request's deadline");
    } finally {
      await client.close();
    }
  });
});
