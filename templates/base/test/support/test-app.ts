import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from '../../src/app.js';
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
}

export interface TestApp {
  app: Hono<AppEnv>;
  db: Database;
  /** Base URL of the app listening on 127.0.0.1 (a random free port). */
  url: string;
  close(): Promise<void>;
}

/** Builds the real app with its real resources and serves it over HTTP on 127.0.0.1:0. */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const logger = createLogger({ level: 'silent' });
  const upstream = createUpstreamClient({
    baseUrl: options.upstreamUrl,
    connections: options.upstreamConnections ?? 4,
    timeoutMs: options.upstreamTimeoutMs ?? 2_000,
    ...(options.breaker ? { breaker: options.breaker } : {}),
  });
  const db = createDatabase(
    { url: options.databaseUrl, poolMax: options.poolMax ?? 4, idleTimeoutMs: 1_000, connectTimeoutMs: 2_000, statementTimeoutMs: 2_000 },
    logger,
  );
  const app = createApp({
    upstream,
    db,
    logger,
    limits: { deadlineMs: options.deadlineMs ?? 5_000, bodyLimitBytes: options.bodyLimitBytes ?? 1_024 },
  });
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the listener answers its own errors (500) and never rejects
  const server = createServer(getRequestListener(app.fetch));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    app,
    db,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await Promise.allSettled([once(server, 'close'), upstream.close(), db.close()]);
    },
  };
}
