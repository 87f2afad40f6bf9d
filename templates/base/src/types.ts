import type { HttpBindings } from '@hono/node-server';
import type { RequestIdVariables } from 'hono/request-id';
import type { Logger } from './logger.js';
import type { Deadline } from './middleware/deadline.js';
import type { LoadShedder } from './resilience/load-shedder.js';
import type { Database } from './resources/database.js';
import type { UpstreamClient } from './resources/upstream-client.js';

/** What the app needs from the outside; tests pass their own. */
export interface AppDeps {
  /** Routes only call it; start-up and shutdown own the rest (stats, close). */
  upstream: Pick<UpstreamClient, 'getJson'>;
  db: Database;
  /** The process's logger; each request logs through a child of it (`c.var.logger`). */
  logger: Logger;
  limits: { deadlineMs: number; bodyLimitBytes: number };
  /** Refuses new requests (503) while the event loop lags; health routes are never refused. */
  shedder?: Pick<LoadShedder, 'middleware'>;
  /** True once shutdown began: /readyz answers 503 so load balancers stop sending traffic. */
  isDraining?: () => boolean;
}

/** Typed context variables: every handler reads its resources from `c.var`, never from globals. */
export type AppVariables = RequestIdVariables & {
  /** The request's budget: `deadline.signal` aborts at the deadline or when the client disconnects. */
  deadline: Deadline;
  upstream: Pick<UpstreamClient, 'getJson'>;
  db: Database;
  /** The request's logger: a child of the app's that adds `requestId` to every line (see request-log.ts). */
  logger: Logger;
};

/** On Node the raw request and response are bindings; absent under `app.request()` in tests. */
export type AppEnv = { Bindings: Partial<HttpBindings> | undefined; Variables: AppVariables };
