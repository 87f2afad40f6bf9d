import { Pool } from 'undici';
import { DependencyTimeoutError, UpstreamError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import { createAdmissionQueue, defaultQueueBounds, type AdmissionStats, type Slot } from '../resilience/admission-queue.js';
import { createCircuitBreaker, type CircuitBreakerState } from '../resilience/circuit-breaker.js';
import { createRetryBudget } from '../resilience/retry-budget.js';

export interface UpstreamClientOptions {
  /** Base URL; request paths are appended to it. */
  baseUrl: URL;
  /** Upper bound of open connections to the upstream. */
  connections: number;
  /** Timeout of one call, shorter than the request deadline. */
  timeoutMs: number;
  /** Failures in a row that open the circuit, and how long it stays open (default 5 and 5 s). */
  breaker?: { failures: number; cooldownMs: number };
  /** The waiting line for a connection (see resilience/admission-queue.ts; default 3 ms and 1 s). */
  queue?: { targetMs: number; intervalMs: number };
  /** Where each call reports its duration and whether it timed out (metrics.ts); optional. */
  observer?: Pick<Metrics, 'upstreamCall'>;
  /** A span per call, a child of the request's (tracing.ts); optional. */
  tracing?: Pick<Tracing, 'inSpan'>;
}

export interface UpstreamCallOptions {
  /** The request's deadline signal: aborting it cancels the call. */
  signal: AbortSignal;
  requestId?: string;
}

export interface UpstreamClient {
  getJson(path: string, options: UpstreamCallOptions): Promise<unknown>;
  /** The waiting line and the breaker, for logs, metrics and tests. */
  stats(): AdmissionStats & { breaker: CircuitBreakerState };
  /** undici's connections and requests, with the breaker's state, for /metrics. */
  poolStats(): { connected: number; pending: number; running: number; breaker: CircuitBreakerState };
  close(): Promise<void>;
}

/**
 * One keep-alive connection pool to the upstream, created at start-up and shared by every
 * request (the talk's shared client session): no TCP or TLS handshake per request, and at most
 * `connections` sockets however many requests arrive. Calls wait for a socket in our admission
 * line (refused with 503 when they cannot get one in time, never queued inside undici where the
 * wait would eat their timeout), pass a circuit breaker, and a GET whose kept-alive socket was
 * reset is retried once, within the call's timeout and a retry budget.
 * @example
 * const upstream = createUpstreamClient({ baseUrl: new URL('http://127.0.0.1:4000'), connections: 10, timeoutMs: 2000 });
 * const body = await upstream.getJson('/data/a', { signal: c.env.deadline.signal });
 */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const { baseUrl, connections, timeoutMs } = options;
  // A call's timeout is undici's own (connect, headers, and between body chunks): no timer or
  // extra AbortSignal per call.
  const pool = new Pool(baseUrl.origin, {
    connections,
    keepAliveTimeout: 4_000,
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const basePath = baseUrl.pathname.replace(/\/$/, '');
  const line = createAdmissionQueue({ slots: connections, name: 'the upstream connection pool', ...(options.queue ?? defaultQueueBounds) });
  const breaker = createCircuitBreaker({
    ...(options.breaker ?? { failures: 5, cooldownMs: 5_000 }),
    isFailure: (error) => error instanceof UpstreamError || error instanceof DependencyTimeoutError,
  });
  const retries = createRetryBudget({ ratio: 0.1, burst: 10 });

  // One async function per call, no wrappers: with a thousand calls waiting on the upstream, every
  // promise and closure a call holds is a thousand live objects for each garbage collection to copy.
  function getJson(path: string, call: UpstreamCallOptions): Promise<unknown> {
    if (!options.tracing) return callUpstream(path, call);
    const attributes = { 'http.request.method': 'GET', 'server.address': baseUrl.hostname, 'url.path': `${basePath}${path}` };
    return options.tracing.inSpan(`GET ${basePath}${path}`, attributes, () => callUpstream(path, call));
  }

  async function callUpstream(path: string, { signal, requestId }: UpstreamCallOptions): Promise<unknown> {
    breaker.admit(); // fail fast without taking a place in the line
    const started = performance.now();
    let slot: Slot;
    try {
      slot = await line.acquire(signal);
    } catch (error) {
      breaker.failed(error); // a refusal of ours: if this was the probe, the next caller probes
      throw error;
    }
    retries.recordAttempt();
    const request = {
      method: 'GET' as const,
      path: `${basePath}${path}`,
      headers: requestId ? { accept: 'application/json', 'x-request-id': requestId } : { accept: 'application/json' },
      signal,
    };
    try {
      let response;
      try {
        response = await pool.request(request);
      } catch (error) {
        if (!isConnectionReset(error) || signal.aborted || !retries.tryRetry()) throw error;
        response = await pool.request(request); // nothing was answered on the reset socket: a GET may go again
      }
      if (response.statusCode >= 400) {
        await response.body.dump();
        throw new UpstreamError(`The upstream answered ${response.statusCode} for ${path}.`);
      }
      const body: unknown = await response.body.json();
      breaker.succeeded();
      options.observer?.upstreamCall((performance.now() - started) / 1_000, false);
      return body;
    } catch (error) {
      const failure = signal.aborted ? signal.reason : describeFailure(error, path, timeoutMs);
      breaker.failed(failure);
      options.observer?.upstreamCall((performance.now() - started) / 1_000, failure instanceof DependencyTimeoutError);
      throw failure;
    } finally {
      slot.release();
    }
  }

  return {
    getJson,
    stats: () => ({ ...line.stats(), breaker: breaker.state() }),
    poolStats: () => ({
      connected: pool.stats.connected,
      pending: pool.stats.pending,
      running: pool.stats.running,
      breaker: breaker.state(),
    }),
    close: () => pool.close(),
  };
}

/** The error a caller sees: a timeout (504), or the upstream failing (502). */
function describeFailure(error: unknown, path: string, timeoutMs: number): unknown {
  if (isTimeout(error)) return new DependencyTimeoutError(`The upstream (${path})`, timeoutMs, { cause: error });
  if (error instanceof UpstreamError) return error;
  return new UpstreamError(`The upstream call to ${path} failed.`, { cause: error });
}

/** One of undici's timeouts fired: connecting, waiting for the headers, or between body chunks. */
function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/** The peer closed or reset a kept-alive socket: nothing was answered, so a GET may be sent again. */
function isConnectionReset(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
}
