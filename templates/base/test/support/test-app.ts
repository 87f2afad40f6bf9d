import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import { createApp } from '../../src/app.js';
import { createHttpServer, createRequestHandler, type RequestHandler, type RequestHandlerOptions } from '../../src/http/request-handler.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import type { Tracing } from '../../src/observability/tracing.js';
import { createLogger } from '../../src/logger.js';
import { createDatabase, type Database } from '../../src/resources/database.js';
import { createUpstreamClient } from '../../src/resources/upstream-client.js';
import type { AppEnv } from '../../src/types.js';

export interface TestAppOptions {
  databaseUrl: string;
  upstreamUrl: URL;
  upstreamConnections?: number;
  upstreamTimeoutMs?: number;
  deadlineMs?: number;
  bodyLimitBytes?: number;
  poolMax?: number;
  /** The upstream's circuit breaker (default: 5 failures, 5 s). */
  breaker?: { failures: number; cooldownMs: number };
  /** Wire Prometheus metrics as the server does, served at /metrics. */
  metrics?: boolean;
  /** Trace as the server does (OpenTelemetry): the tracing the test started. */
  tracing?: Tracing;
}

/** An app served over HTTP on 127.0.0.1 (a random free port). */
export interface ServedApp {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  close(): Promise<void>;
}

export interface TestApp extends ServedApp {
  app: Hono<AppEnv>;
  db: Database;
  metrics: Metrics | undefined;
}

/**
 * Serves `app` as src/server.ts does (the request handler around it: request id, security
 * headers, deadline, access log, load shedding) on 127.0.0.1:0. The logger is silent unless given.
 */
export async function serveApp(
  app: Hono<AppEnv>,
  options: Partial<RequestHandlerOptions> = {},
  onHandler?: (handler: RequestHandler) => void,
): Promise<ServedApp> {
  const handler = createRequestHandler(app, { logger: createLogger({ level: 'silent' }), deadlineMs: 5_000, ...options });
  onHandler?.(handler);
  const server = createHttpServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Builds the real app with its real resources and serves it over HTTP on 127.0.0.1:0. */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const logger = createLogger({ level: 'silent' });
  let handler: RequestHandler | undefined;
  const metrics = options.metrics
    ? createMetrics({ inFlight: () => handler?.inFlight() ?? 0, db: () => db.poolStats(), upstream: () => upstream.poolStats() })
    : undefined;
  const traced = options.tracing ? { tracing: options.tracing } : {};
  const upstream = createUpstreamClient({
    ...(metrics ? { observer: metrics } : {}),
    ...traced,
    baseUrl: options.upstreamUrl,
    connections: options.upstreamConnections ?? 4,
    timeoutMs: options.upstreamTimeoutMs ?? 2_000,
    ...(options.breaker ? { breaker: options.breaker } : {}),
  });
  const db = createDatabase(
    { url: options.databaseUrl, poolMax: options.poolMax ?? 4, idleTimeoutMs: 1_000, connectTimeoutMs: 2_000, statementTimeoutMs: 2_000 },
    logger,
    { ...(metrics ? { metrics } : {}), ...traced },
  );
  const app = createApp({
    upstream,
    db,
    limits: { bodyLimitBytes: options.bodyLimitBytes ?? 1_024 },
    upstreamEcho: true, // as outside production: some tests call it as their upstream
    ...(metrics ? { metrics } : {}),
  });
  const served = await serveApp(
    app,
    { logger, deadlineMs: options.deadlineMs ?? 5_000, ...(metrics ? { metrics } : {}), ...traced },
    (made) => {
      handler = made;
    },
  );
  return {
    app,
    db,
    metrics,
    url: served.url,
    async close() {
      metrics?.close();
      await Promise.allSettled([served.close(), upstream.close(), db.close()]);
    },
  };
}
