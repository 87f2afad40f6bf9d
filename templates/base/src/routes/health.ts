import { Hono } from 'hono';
import { OverloadedError } from '../errors.js';
import type { AppDeps, AppEnv } from '../types.js';

export interface HealthOptions extends Pick<AppDeps, 'db'> {
  isDraining: () => boolean;
  /** Bound of the readiness query, so a stuck DB cannot stall the probe. */
  probeTimeoutMs?: number;
}

/**
 * GET /healthz: the process is alive. GET /readyz: the DB answers and we are not shutting down.
 * The one group mounted at '/': probes keep the root paths that orchestrators and proxies expect.
 */
export function healthRoutes({ db, isDraining, probeTimeoutMs = 1_000 }: HealthOptions) {
  return new Hono<AppEnv>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      if (isDraining()) return c.json({ status: 'draining' }, 503);
      try {
        await db.query('SELECT 1', [], AbortSignal.any([c.env.deadline.signal, AbortSignal.timeout(probeTimeoutMs)]));
        return c.json({ status: 'ready' });
      } catch (error) {
        // A saturated pool is a busy database, not a missing one: shedding handles it, readiness stays.
        if (error instanceof OverloadedError) return c.json({ status: 'ready', busy: true });
        return c.json({ status: 'unavailable', reason: 'database' }, 503);
      }
    });
}
