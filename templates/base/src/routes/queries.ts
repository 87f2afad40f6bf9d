import { setMaxListeners } from 'node:events';
import { Hono } from 'hono';
import * as v from 'valibot';
import { validate } from '../middleware/validate.js';
import type { AppDeps, AppEnv } from '../types.js';
import { randomWorld } from './db.js';

/** The TechEmpower rule: anything that is not a number counts as 1, then clamp to 1..500. */
export function parseQueriesCount(raw: string | undefined): number {
  const value = Number.parseInt(raw ?? '', 10);
  if (Number.isNaN(value)) return 1;
  return Math.min(500, Math.max(1, value));
}

/** `?queries=N` as the number of rows; a repeated parameter counts by its first value. The rule never refuses. */
export const queriesQuery = v.pipe(
  v.object({ queries: v.optional(v.union([v.string(), v.array(v.string())])) }),
  v.transform(({ queries }) => ({ queries: parseQueriesCount(Array.isArray(queries) ? queries[0] : queries) })),
);

/** GET /queries?queries=N: N random World rows (N clamped to 1..500), queried concurrently. */
export function queriesRoutes({ db }: Pick<AppDeps, 'db'>) {
  return new Hono<AppEnv>().get('/', validate('query', queriesQuery), async (c) => {
    const { queries } = c.req.valid('query');
    // Independent queries run concurrently, at most half the pool at once: one request with 500
    // queries takes its turns beside the others instead of filling the pool's line ahead of them.
    const { signal } = c.env.deadline;
    const limit = Math.ceil(db.poolMax / 2);
    setMaxListeners(2 * limit + 10, signal); // each query listens while it waits for a client and while it runs
    const rows = await runConcurrently(queries, limit, () => randomWorld(db, signal));
    return c.json(rows);
  });
}

/** Runs `task` `count` times with at most `limit` in flight, results in order; stops at the first failure. */
export async function runConcurrently<T>(count: number, limit: number, task: () => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    if (failed || next >= count) return;
    const index = next++;
    try {
      results[index] = await task();
    } catch (error) {
      failed = true;
      throw error;
    }
    return worker();
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}
