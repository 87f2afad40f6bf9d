import { Hono } from 'hono';
import { AppError, UpstreamError } from '../errors.js';
import type { AppDeps, AppEnv } from '../types.js';

const parts = ['a', 'b', 'c'] as const;

/**
 * GET /concurrent: three independent upstream calls started together with Promise.all, so the
 * latency is the slowest call, not the sum; the first failure aborts the others and fails the
 * request. GET /concurrent/settled: the same with Promise.allSettled, answering with what
 * succeeded and listing what failed (graceful degradation).
 */
export function concurrentRoutes({ upstream }: Pick<AppDeps, 'upstream'>) {
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const siblings = new AbortController();
      const signal = AbortSignal.any([c.env.deadline.signal, siblings.signal]);
      const calls = parts.map((part) => upstream.getJson(`/data/${part}`, { signal, requestId: c.env.requestId }));
      try {
        const [a, b, cPart] = await Promise.all(calls);
        return c.json({ a, b, c: cPart });
      } catch (error) {
        siblings.abort(error); // no point finishing the other calls
        throw error;
      }
    })
    .get('/settled', async (c) => {
      const { signal } = c.env.deadline;
      const results = await Promise.allSettled(
        parts.map((part) => upstream.getJson(`/data/${part}`, { signal, requestId: c.env.requestId })),
      );
      signal.throwIfAborted(); // past the deadline a partial answer is still a timeout
      const failed = parts.filter((_, index) => results[index]?.status === 'rejected');
      if (failed.length === parts.length) {
        // Nothing to answer with: fail as the calls did (503 while the breaker is open, 504, 502).
        const [first] = results;
        throw first?.status === 'rejected' && first.reason instanceof AppError
          ? first.reason
          : new UpstreamError('Every upstream call failed.');
      }
      const data = Object.fromEntries(
        parts.map((part, index) => {
          const result = results[index];
          return [part, result?.status === 'fulfilled' ? result.value : null];
        }),
      );
      return c.json({ ...data, failed });
    });
}
