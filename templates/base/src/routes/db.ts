import { setMaxListeners } from 'node:events';
import { Hono } from 'hono';
import { WORLD_ROWS } from '../db/migrate.js';
import type { Database } from '../resources/database.js';
import type { AppDeps, AppEnv } from '../types.js';

interface World {
  id: number;
  randomNumber: number;
}

const selectWorld = 'SELECT id, randomnumber AS "randomNumber" FROM world WHERE id = $1';

/** GET /db: one random row. GET /queries?queries=N: N random rows (N clamped to 1..500). */
export function dbRoutes({ db }: Pick<AppDeps, 'db'>): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/db', async (c) => c.json(await randomWorld(db, c.env.deadline.signal)))
    .get('/queries', async (c) => {
      const count = parseQueriesCount(c.req.query('queries'));
      // Independent queries run concurrently, at most half the pool at once: one request with 500
      // queries takes its turns beside the others instead of filling the pool's line ahead of them.
      const { signal } = c.env.deadline;
      const limit = Math.ceil(db.poolMax / 2);
      setMaxListeners(2 * limit + 10, signal); // each query listens while it waits for a client and while it runs
      const rows = await runConcurrently(count, limit, () => randomWorld(db, signal));
      return c.json(rows);
    });
}

/** The TechEmpower rule: anything that is not a number counts as 1, then clamp to 1..500. */
export function parseQueriesCount(raw: string | undefined): number {
  const value = Number.parseInt(raw ?? '', 10);
  if (Number.isNaN(value)) return 1;
  return Math.min(500, Math.max(1, value));
}

async function randomWorld(db: Pick<Database, 'query'>, signal: AbortSignal): Promise<World> {
  const id = 1 + Math.floor(Math.random() * WORLD_ROWS);
  const [row] = await db.query<World>(selectWorld, [id], signal);
  if (!row) throw new Error(`World row ${id} is missing: did the migration run?`);
  return row;
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
