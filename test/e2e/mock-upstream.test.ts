import { Agent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream } from '../../src/bench/upstream/mock-upstream.js';

const started: MockUpstream[] = [];
afterAll(async () => {
  await Promise.all(started.map((upstream) => upstream.close()));
});

async function start(...args: Parameters<typeof startMockUpstream>): Promise<MockUpstream> {
  const upstream = await startMockUpstream(...args);
  started.push(upstream);
  return upstream;
}

describe('mock upstream on 127.0.0.1', () => {
  it('answers JSON after its latency, over kept-alive connections it counts', async () => {
    const upstream = await start({ latencyMs: 20, jitterMs: 0, faults: [] });
    const agent = new Agent({ connections: 4 });
    try {
      const calls = Array.from({ length: 40 }, async (_, i) => {
        const startedAt = performance.now();
        const response = await request(`${upstream.url}/data/k${i}`, { dispatcher: agent });
        const body = await response.body.json();
        return { status: response.statusCode, body, elapsed: performance.now() - startedAt };
      });
      const results = await Promise.all(calls);
      for (const [i, result] of results.entries()) {
        expect(result.status).toBe(200);
        expect(result.body).toEqual({ key: `k${i}`, source: 'mock upstream' });
        expect(result.elapsed).toBeGreaterThanOrEqual(19); // never faster than its latency
      }
      const stats = upstream.stats();
      expect(stats.requests).toBe(40);
      expect(stats.connectionsOpened).toBeLessThanOrEqual(4); // keep-alive: the pool, not one per request
      expect(stats.maxInFlight).toBeLessThanOrEqual(4);
    } finally {
      await agent.close();
    }
  });

  it('injects errors and resets on their share, and counts aborted requests', async () => {
    const upstream = await start({
      latencyMs: 0,
      jitterMs: 0,
      faults: [
        { kind: 'error', status: 503, share: 0.1 },
        { kind: 'reset', share: 0.1 },
      ],
    });
    const outcomes = { ok: 0, error: 0, reset: 0 };
    for (let i = 0; i < 100; i++) {
      try {
        const response = await request(`${upstream.url}/data/x`, { reset: true });
        await response.body.dump();
        if (response.statusCode === 503) outcomes.error++;
        else outcomes.ok++;
      } catch {
        outcomes.reset++;
      }
    }
    expect(outcomes.error + outcomes.reset + outcomes.ok).toBe(100);
    expect(Math.abs(outcomes.error - 10)).toBeLessThanOrEqual(1);
    expect(Math.abs(outcomes.reset - 10)).toBeLessThanOrEqual(1);
    expect(upstream.stats().faults).toEqual({ slow: 0, error: outcomes.error, reset: outcomes.reset });

    const slow = await start({ latencyMs: 5_000, jitterMs: 0, faults: [] });
    await expect(request(`${slow.url}/data/late`, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
    await expect.poll(() => slow.stats().aborted, { timeout: 2000 }).toBe(1);
    expect(slow.stats().inFlight).toBe(0);
  });
});
