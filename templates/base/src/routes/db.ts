import { Hono } from 'hono';
import type { Database } from '../resources/database.js';
import type { AppDeps, AppEnv } from '../types.js';

export interface World {
  id: number;
  randomNumber: number;
}

/** Rows of the benchmark's table, after the TechEmpower "World" table (seeded by migrations/). */
export const WORLD_ROWS = 10_000;

const selectWorld = 'SELECT id, randomnumber AS "randomNumber" FROM world WHERE id = $1';

/** GET /db: one random row of the World table (GET /queries asks for many: queries.ts). */
export function dbRoutes({ db }: Pick<AppDeps, 'db'>) {
  return new Hono<AppEnv>().get('/', async (c) => c.json(await randomWorld(db, c.env.deadline.signal)));
}

/** One random World row, the query under the request's deadline. */
export async function randomWorld(db: Pick<Database, 'query'>, signal: AbortSignal): Promise<World> {
  const id = 1 + Math.floor(Math.random() * WORLD_ROWS);
  const [row] = await db.query<World>(selectWorld, [id], signal);
  if (!row) throw new Error(`World row ${id} is missing: did the migration run?`);
  return row;
}
