import type { Attributes, Span } from '@opentelemetry/api';

export interface TracingOptions {
  /** `service.name` of every span. */
  serviceName: string;
  /** Where spans go (OTLP over HTTP, `…/v1/traces`); default: what `OTEL_EXPORTER_OTLP_ENDPOINT` says. */
  url?: string;
}

/** A request's span: the parent of the spans its work starts while `run`s. */
export interface RequestSpan {
  run<T>(work: () => T): T;
  /** Ends it, named after the route template that answered (`GET /upstream/data/:key`). */
  end(status: number, route: string): void;
}

export interface Tracing {
  startRequest(method: string, path: string): RequestSpan;
  /** Runs `work` in a child span of the active one (an upstream call, a query). */
  inSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T>;
  /** Sends what is buffered and stops (at shutdown). */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry traces over OTLP/HTTP: a span per request, with a child per upstream call and per
 * query. Loaded only when called (server.ts calls it when `OTEL_EXPORTER_OTLP_ENDPOINT` is set):
 * without it, not one module of OpenTelemetry is imported.
 * @example
 * const tracing = await startTracing({ serviceName: 'orders' });
 * await tracing.inSpan('db.query', { 'db.query.text': sql }, () => pool.query(sql));
 */
export async function startTracing({ serviceName, url }: TracingOptions): Promise<Tracing> {
  const [api, { NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(url ? { url } : {}))],
  });
  provider.register(); // the AsyncLocalStorage context: a span started in a request's work finds the request's
  const tracer = provider.getTracer('app');
  const failed = (span: Span, error: unknown): void => {
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  };

  return {
    startRequest(method, path) {
      const span = tracer.startSpan(method, { kind: api.SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } });
      const active = api.trace.setSpan(api.context.active(), span);
      return {
        run: (work) => api.context.with(active, work),
        end(status, route) {
          span.updateName(`${method} ${route}`);
          span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
          if (status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
    inSpan: (name, attributes, work) =>
      tracer.startActiveSpan(name, { kind: api.SpanKind.CLIENT, attributes }, async (span) => {
        try {
          return await work();
        } catch (error) {
          failed(span, error);
          throw error;
        } finally {
          span.end();
        }
      }),
    shutdown: () => provider.shutdown(),
  };
}
