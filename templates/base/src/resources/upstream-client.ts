import { Pool, type Dispatcher } from 'undici';
import { DependencyTimeoutError, UpstreamError } from '../errors.js';
import { linkStop, stopReason, unlinkStop, type Abortable, type Deadline, type StopSource } from '../http/deadline.js';
import type { Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
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
  /** Where each call reports its duration and whether it timed out (metrics.ts); optional. */
  observer?: Pick<Metrics, 'upstreamCall'>;
  /** A span per call, a child of the request's (tracing.ts); optional. */
  tracing?: Pick<Tracing, 'inSpan'>;
}

/** What stops a call: the request's deadline (`c.env.deadline`, cheapest), or any AbortSignal. */
export type UpstreamCallOptions = ({ deadline: Deadline; signal?: never } | { signal: AbortSignal; deadline?: never }) & {
  /** Sent on as `X-Request-Id`, so the upstream's logs name the request too. */
  requestId?: string;
};

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
 * reset is retried once, within the call's timeout and a retry budget. The request's deadline
 * stops a call through `deadline.link` (an AbortSignal works too, e.g. `AbortSignal.any([...])`).
 * @example
 * const upstream = createUpstreamClient({ baseUrl: new URL('http://127.0.0.1:4000'), connections: 10, timeoutMs: 2000 });
 * const body = await upstream.getJson('/data/a', { deadline: c.env.deadline, requestId: c.env.requestId });
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

  async function callUpstream(path: string, { deadline, signal, requestId }: UpstreamCallOptions): Promise<unknown> {
    const stop: StopSource | undefined = deadline ?? signal;
    if (!stop) throw new TypeError("upstream.getJson needs the request's deadline ({ deadline: c.env.deadline }) or a signal.");
    breaker.admit(); // fail fast without taking a place in the line
    const started = performance.now();
    let slot = line.tryAcquire(stop);
    if (!slot) {
      try {
        slot = await line.acquire(stop);
      } catch (error) {
        breaker.failed(error); // a refusal of ours: if this was the probe, the next caller probes
        throw error;
      }
    }
    retries.recordAttempt();
    const request: Dispatcher.DispatchOptions = {
      method: 'GET',
      path: `${basePath}${path}`,
      headers: requestId ? { accept: 'application/json', 'x-request-id': requestId } : { accept: 'application/json' },
    };
    try {
      let answer: UpstreamAnswer;
      try {
        answer = await send(request, stop);
      } catch (error) {
        if (!isConnectionReset(error) || stopReason(stop) !== undefined || !retries.tryRetry()) throw error;
        answer = await send(request, stop); // nothing was answered on the reset socket: a GET may go again
      }
      if (answer.statusCode >= 400) throw new UpstreamError(`The upstream answered ${answer.statusCode} for ${path}.`);
      const body: unknown = parseJson(answer.body);
      breaker.succeeded();
      options.observer?.upstreamCall((performance.now() - started) / 1_000, false);
      return body;
    } catch (error) {
      const failure = stopReason(stop) ?? describeFailure(error, path, timeoutMs);
      breaker.failed(failure);
      options.observer?.upstreamCall((performance.now() - started) / 1_000, failure instanceof DependencyTimeoutError);
      throw failure;
    } finally {
      slot.release();
    }
  }

  function send(request: Dispatcher.DispatchOptions, stop: StopSource): Promise<UpstreamAnswer> {
    const ended = stopReason(stop);
    if (ended !== undefined) return Promise.reject(ended);
    return new Promise<UpstreamAnswer>((resolve, reject) => {
      const call = new BufferedCall(stop, resolve, reject);
      linkStop(stop, call);
      pool.dispatch(request, call);
    });
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

interface UpstreamAnswer {
  statusCode: number;
  /** The body's chunks; empty for an error status, whose body nobody reads. */
  body: Buffer[];
}

/**
 * One request through undici's dispatch API, its answer kept as a list of chunks: no Readable
 * stream, AsyncResource or AbortSignal listener per call, which is what `pool.request` makes and a
 * thousand waiting calls keep alive. The deadline (or signal) stops it through `abort`.
 */
class BufferedCall implements Dispatcher.DispatchHandler, Abortable {
  readonly #stop: StopSource;
  #controller: Dispatcher.DispatchController | undefined;
  #reason: unknown;
  #statusCode = 0;
  #chunks: Buffer[] = [];
  #resolve: ((answer: UpstreamAnswer) => void) | undefined;
  readonly #reject: (reason: unknown) => void;

  constructor(stop: StopSource, resolve: (answer: UpstreamAnswer) => void, reject: (reason: unknown) => void) {
    this.#stop = stop;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** The deadline passed or the client left: the call fails now, and undici stops the request (one still queued in undici as it starts). */
  abort(reason: unknown): void {
    this.#reason = reason;
    this.#controller?.abort(asError(reason));
    this.#fail(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#reason !== undefined) controller.abort(asError(this.#reason));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.#statusCode = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#statusCode < 400) this.#chunks.push(chunk); // an error's body is not read
  }

  onResponseEnd(): void {
    const resolve = this.#resolve;
    if (!resolve) return;
    this.#done();
    resolve({ statusCode: this.#statusCode, body: this.#chunks });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(error);
  }

  #fail(reason: unknown): void {
    if (!this.#resolve) return;
    this.#done();
    this.#reject(reason);
  }

  #done(): void {
    this.#resolve = undefined;
    unlinkStop(this.#stop, this);
  }
}

/** undici aborts with an Error; the deadline's reasons are ones already. */
function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** The body as JSON, as `response.body.json()` reads it (UTF-8, a byte order mark skipped). */
function parseJson(chunks: Buffer[]): unknown {
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return JSON.parse(bytes.toString('utf8', bom));
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
