import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { scrapeMetrics } from '../observability/cluster-metrics.js';
import type { Metrics } from '../observability/metrics.js';
import type { AppEnv } from '../types.js';

/** GET /metrics: Prometheus text (see observability/metrics.ts); METRICS_PORT serves it on a port of its own instead. */
export function metricsRoutes(metrics: Metrics) {
  return new Hono<AppEnv>().get('/', async (c) => c.body(await scrapeMetrics(metrics), 200, { 'content-type': metrics.contentType }));
}

/** A server of its own for /metrics (METRICS_PORT): scraped on a port the public one does not expose. */
export function createMetricsServer(metrics: Metrics): Server {
  return createAdaptorServer({ fetch: new Hono<AppEnv>().route('/metrics', metricsRoutes(metrics)).fetch }) as Server;
}
