import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSerialQueue, startSyncServer } from '../../../bench/talk/sync-server.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('createSerialQueue', () => {
  it('runs jobs one at a time, in arrival order', async () => {
    const queue = createSerialQueue();
    const events: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const job = (name: string, ms: number) => async (): Promise<string> => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      events.push(`start ${name}`);
      await sleep(ms);
      events.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([queue.run(job('a', 20)), queue.run(job('b', 1)), queue.run(job('c', 5))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(maxRunning).toBe(1);
    expect(queue.pending).toBe(0);
  });

  it('keeps going after a failed job and counts pending jobs', async () => {
    const queue = createSerialQueue();
    const failed = queue.run(() => Promise.reject(new Error('boom')));
    const next = queue.run(async () => 'next');
    expect(queue.pending).toBe(2);
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    expect(queue.pending).toBe(0);
  });

  it('rejects jobs that had not started when it closed', async () => {
    const queue = createSerialQueue();
    const first = queue.run(() => sleep(10).then(() => 1));
    const waiting = queue.run(async () => 2);
    await sleep(1); // the first job starts on a later turn
    queue.close();
    await expect(first).resolves.toBe(1);
    await expect(waiting).rejects.toThrow('closed');
  });
});

describe('startSyncServer', () => {
  let upstream: Server;
  let upstreamInFlight = 0;
  let upstreamMaxInFlight = 0;

  beforeAll(async () => {
    upstream = createServer((_request, response) => {
      upstreamInFlight++;
      upstreamMaxInFlight = Math.max(upstreamMaxInFlight, upstreamInFlight);
      setTimeout(() => {
        upstreamInFlight--;
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, 30);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

  it('serves concurrent requests one after another: N requests take N upstream latencies', async () => {
    const server = await startSyncServer(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
    try {
      const started = performance.now();
      const bodies = await Promise.all(Array.from({ length: 4 }, async () => (await fetch(`${server.url}/external`)).json()));
      const elapsed = performance.now() - started;
      expect(bodies).toEqual(Array.from({ length: 4 }, () => ({ upstream: { ok: true } })));
      expect(upstreamMaxInFlight).toBe(1);
      expect(elapsed).toBeGreaterThanOrEqual(4 * 30 - 5);
    } finally {
      await server.close();
    }
  });
});
