import type { Server } from 'node:http';
import { createApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { databaseUrlHint } from './database-hint.js';
import { migrate } from './db/migrate.js';
import { createHttpServer, createRequestHandler, type RequestHandler } from './http/request-handler.js';
import { announceToDev, waitForDevListenCue } from './lifecycle/dev-handoff.js';
import { drainServer, onShutdownSignal } from './lifecycle/graceful-shutdown.js';
import { trackKeepAlive } from './lifecycle/keep-alive-drain.js';
import { watchParent } from './lifecycle/parent-watch.js';
import { createLogger, flushLogs, stdoutDestination, type LogDestination, type Logger } from './logger.js';
import { createDatabase } from './resources/database.js';
import { createUpstreamClient } from './resources/upstream-client.js';
import { createMetrics } from './observability/metrics.js';
import { startTracing } from './observability/tracing.js';
import { createLoadShedder } from './resilience/load-shedder.js';
import { createMetricsServer } from './routes/metrics.js';

// Entry point: config → resources → migrate → app → listen → shutdown.
async function main(): Promise<void> {
  const result = loadConfig(process.env);
  if (!result.ok) {
    for (const problem of result.problems) console.error(problem);
    process.exitCode = 1;
    return;
  }
  const { config } = result;
  const logs = stdoutDestination(config.logFormat);
  const logger = createLogger({ level: config.logLevel, destination: logs });
  exitOnCrash(logger, logs);

  const queue = { targetMs: config.overload.queueTargetMs, intervalMs: config.overload.queueIntervalMs };
  const breaker = { failures: config.upstream.breakerFailures, cooldownMs: config.upstream.breakerCooldownMs };
  // OpenTelemetry only when an endpoint is set: otherwise none of it is even imported.
  const tracing = config.tracing
    ? await startTracing(config.tracing).catch((error: unknown) => {
        logger.warn({ error: describeError(error) }, 'cannot start OpenTelemetry tracing; serving without it');
        return undefined;
      })
    : undefined;
  const traced = tracing ? { tracing } : {};
  let handler: RequestHandler | undefined;
  const metrics = config.metrics.enabled
    ? createMetrics({ inFlight: () => handler?.inFlight() ?? 0, db: () => db.poolStats(), upstream: () => upstream.poolStats() })
    : undefined;
  const upstream = createUpstreamClient({
    baseUrl: config.upstream.url,
    ...config.upstream,
    queue,
    breaker,
    ...(metrics ? { observer: metrics } : {}),
    ...traced,
  });
  const db = createDatabase({ url: config.databaseUrl, ...config.db, queue }, logger, { ...(metrics ? { metrics } : {}), ...traced });
  try {
    // MIGRATE_ON_START=off leaves migrations to a release step (`npm run migrate up`).
    const applied = config.migrateOnStart ? await migrate(config.databaseUrl, { onWarning: (message) => logger.warn(message) }) : [];
    if (applied.length > 0) logger.info({ migrations: applied }, 'applied migrations');
  } catch (error) {
    logger.error({ database: describeDatabase(config), error: describeError(error), hint: databaseUrlHint }, 'cannot prepare the database');
    await Promise.allSettled([upstream.close(), db.close(), flushLogs(logger)]);
    metrics?.close();
    process.exitCode = 1;
    return;
  }

  let draining = false;
  const shedder = createLoadShedder({ maxEventLoopDelayMs: config.overload.maxEventLoopDelayMs }); // its sampler is unref'd
  // /metrics on the app's port, unless METRICS_PORT gives them a listener of their own (below).
  const appMetrics = metrics && config.metrics.port === undefined ? { metrics } : {};
  const app = createApp({
    upstream,
    db,
    limits: config.http,
    upstreamEcho: config.upstreamEcho,
    isDraining: () => draining,
    ...appMetrics,
  });
  handler = createRequestHandler(app, { logger, deadlineMs: config.http.deadlineMs, shedder, ...(metrics ? { metrics } : {}), ...traced });
  const server = createHttpServer(handler);
  const metricsServer = metrics && config.metrics.port !== undefined ? createMetricsServer(metrics) : undefined;
  // Our idle keep-alive must outlast the proxy's (nginx, load balancer: often 60 s), or we close a
  // socket just as the proxy reuses it and it answers 502; headers timeout sits above that.
  server.keepAliveTimeout = config.http.keepAliveTimeoutMs;
  server.headersTimeout = config.http.headersTimeoutMs;
  server.requestTimeout = config.http.requestTimeoutMs;

  const keepAlive = trackKeepAlive(server);

  // Readiness says 503 at once; the server keeps serving through the lame duck, then drains.
  const stop = onShutdownSignal(
    async (reason) => {
      draining = true;
      const { lameDuckMs, shutdownTimeoutMs: graceMs } = config.http;
      logger.info({ reason, lameDuckMs, graceMs }, 'shutting down');
      const { forced } = await drainServer(server, keepAlive, {
        lameDuckMs,
        graceMs,
        onListenerClosed: (open) => logger.info({ openConnections: open }, 'listener closed'),
      });
      if (forced) logger.warn('in-flight requests outlived the grace period and were cut');
      metricsServer?.close();
      metrics?.close();
      await Promise.allSettled([upstream.close(), db.close(), tracing?.shutdown()]); // the last spans leave here
      logger.info('stopped');
      await flushLogs(logger); // JSON lines wait in a buffer: write them all before exiting
      process.exit(0);
    },
    {
      onCutShort: () => {
        logger.warn('second Ctrl-C: exiting without waiting for in-flight requests');
        logs.flushSync();
      },
    },
  );
  watchParent(() => stop('parent process gone'));

  await waitForDevListenCue(); // under `asyncsrv dev` only: see lifecycle/dev-handoff.ts
  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    logger.error({ host: config.host, port: config.port, error: describeError(error) }, 'cannot listen');
    await Promise.allSettled([upstream.close(), db.close(), flushLogs(logger)]);
    process.exit(1); // explicitly: an IPC channel (cluster worker, asyncsrv dev) would keep the process alive
  }
  if (metricsServer && config.metrics.port !== undefined) {
    try {
      await listen(metricsServer, config.metrics.port, config.host);
    } catch (error) {
      logger.error(
        { host: config.host, port: config.metrics.port, error: describeError(error) },
        'cannot listen for /metrics (METRICS_PORT)',
      );
      await Promise.allSettled([upstream.close(), db.close(), flushLogs(logger)]);
      process.exit(1);
    }
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, upstream: config.upstream.url.href }, 'listening');
  announceToDev(url, config.upstream.url.href, app);
}

/**
 * A crash must not take the buffered log lines with it, least of all its own: log the error
 * (stack and cause), write every line, exit 1 as Node would. An unhandled rejection arrives here
 * too (Node's default `--unhandled-rejections=throw`). A batch of lines may be on its way to
 * stdout (an asynchronous write): written synchronously now, the last lines would overtake it, so
 * wait for it (at most a second), then write the rest.
 */
function exitOnCrash(logger: Logger, logs: LogDestination): void {
  let crashed = false;
  process.on('uncaughtException', (error, origin) => {
    logger.fatal({ err: error, origin }, 'crashed');
    if (crashed) return; // already on its way out
    crashed = true;
    void flushLogs(logger).finally(() => {
      try {
        logs.flushSync();
      } finally {
        process.exit(1);
      }
    });
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Node's default backlog (511) overflows when a thousand clients connect at once: the kernel
    // drops their SYNs and they retry after 1 s. The kernel caps this at net.core.somaxconn.
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function describeDatabase(config: Config): string {
  const url = new URL(config.databaseUrl);
  return `${url.hostname}:${url.port || 5432}${url.pathname}`; // never log the password
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})`.trim() : error.message;
}

await main();
