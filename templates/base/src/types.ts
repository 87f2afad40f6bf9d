import type { RequestScope } from './http/request-scope.js';
import type { Metrics } from './observability/metrics.js';
import type { Database } from './resources/database.js';
import type { UpstreamClient } from './resources/upstream-client.js';

/** What the routes need from the outside; tests pass their own. */
export interface AppDeps {
  /** Routes only call it; start-up and shutdown own the rest (stats, close). */
  upstream: Pick<UpstreamClient, 'getJson'>;
  /** Routes only query it; start-up and shutdown own the rest (migrations, stats, close). */
  db: Pick<Database, 'query' | 'poolMax'>;
  limits: { bodyLimitBytes: number };
  /** True once shutdown began: /readyz answers 503 so load balancers stop sending traffic. */
  isDraining?: () => boolean;
  /** Serve the built-in echo upstream, the default UPSTREAM_URL outside production (config `upstreamEcho`). */
  upstreamEcho?: boolean;
  /** Served at GET /metrics when given (not when METRICS_PORT serves them apart, nor with METRICS=off). */
  metrics?: Metrics;
}

/**
 * `c.env` is the request's scope (see http/request-scope.ts): Node's `incoming` and `outgoing`,
 * and the request's `requestId`, `deadline` and `logger`. Resources come from `createApp(deps)`.
 */
export type AppEnv = { Bindings: RequestScope };
