import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { startTracing, type Tracing } from '../src/observability/tracing.js';
import { testDatabaseUrl } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestUpstream, type TestUpstream } from './support/test-upstream.js';

interface ExportedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

/** A stand-in OpenTelemetry collector: takes OTLP/HTTP JSON exports on /v1/traces and keeps their spans. */
async function startCollector(): Promise<{ url: string; spans: ExportedSpan[]; server: Server }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const payload = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: ExportedSpan[] }> }> };
      for (const resource of payload.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      response.setHeader('content-type', 'application/json');
      response.end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, spans, server };
}

let collector: Awaited<ReturnType<typeof startCollector>>;
let tracing: Tracing;
let upstream: TestUpstream;
let target: TestApp;

beforeAll(async () => {
  collector = await startCollector();
  tracing = await startTracing({ serviceName: 'test-app', url: collector.url });
  upstream = await startTestUpstream();
  target = await startTestApp({ databaseUrl: testDatabaseUrl(), upstreamUrl: upstream.url, tracing });
  await migrate(target.db.pool);
});

afterAll(async () => {
  await target?.close();
  await upstream?.close();
  collector?.server.close();
});

describe('OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  it('sends a span per request named by its route, with a child per upstream call and per query, in one trace', async () => {
    expect((await fetch(`${target.url}/external`)).status).toBe(200);
    expect((await fetch(`${target.url}/db`)).status).toBe(200);
    expect((await fetch(`${target.url}/upstream/data/x`)).status).toBe(200);
    await tracing.shutdown(); // flushes the batch to the collector

    const byName = (name: string): ExportedSpan[] => collector.spans.filter((span) => span.name === name);
    const [external] = byName('GET /external');
    const [call] = byName('GET /data/external');
    expect(external).toBeDefined();
    expect(call).toMatchObject({ traceId: external!.traceId, parentSpanId: external!.spanId });
    const [db] = byName('GET /db');
    const [query] = byName('db.query');
    expect(query).toMatchObject({ traceId: db!.traceId, parentSpanId: db!.spanId });
    expect(query!.attributes).toContainEqual({ key: 'db.query.text', value: { stringValue: expect.stringContaining('SELECT') } });
    expect(byName('GET /upstream/data/:key')).toHaveLength(1); // the template, not the raw path
    expect(external!.attributes).toContainEqual({ key: 'http.response.status_code', value: { intValue: 200 } });
  });
});
