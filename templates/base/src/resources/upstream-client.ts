import { Pool } from 'undici';
import { DependencyTimeoutError, UpstreamError } from '../errors.js';
import { createAdmissionQueue, defaultQueueBounds, type AdmissionStats } from '../resilience/admission-queue.js';
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

  async function getJson(path: string, { signal, requestId }: UpstreamCallOptions): Promise<unknown> {
    breaker.throwIfOpen(); // fail fast without taking a place in the line
    const slot = await line.acquire(signal);
    try {
      return await breaker.run(() => callWithRetry(path, signal, requestId));
    } finally {
      slot.release();
    }
  }

  // The call's timeout is undici's own (headersTimeout, bodyTimeout, connectTimeout on the pool):
  // no timer or extra AbortSignal per call, which at a thousand calls in flight is CPU and memory.
  async function callWithRetry(path: string, signal: AbortSignal, requestId: string | undefined): Promise<unknown> {
    retries.recordAttempt();
    try {
      try {
        return await requestJson(path, signal, requestId);
      } catch (error) {
        if (!isConnectionReset(error) || signal.aborted || !retries.tryRetry()) throw error;
        return await requestJson(path, signal, requestId);
      }
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (isTimeout(error)) throw new DependencyTimeoutError(`The upstream (${path})`, timeoutMs, { cause: error });
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamError(`The upstream call to ${path} failed.`, { cause: error });
    }
  }

  async function requestJson(path: string, signal: AbortSignal, requestId: string | undefined): Promise<unknown> {
    const response = await pool.request({
      method: 'GET',
      path: `${basePath}${path}`,
      headers: requestId ? { accept: 'application/json', 'x-request-id': requestId } : { accept: 'application/json' },
      signal,
    });
    if (response.statusCode >= 400) {
      await response.body.dump();
      throw new UpstreamError(`The upstream answered ${response.statusCode} for ${path}.`);
    }
    return await response.body.json();
  }

  return { getJson, stats: () => ({ ...line.stats(), breaker: breaker.state() }), close: () => pool.close() };
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
