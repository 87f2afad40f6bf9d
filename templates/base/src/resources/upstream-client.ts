import { Pool } from 'undici';
import { DependencyTimeoutError, UpstreamError } from '../errors.js';

export interface UpstreamClientOptions {
  /** Base URL; request paths are appended to it. */
  baseUrl: URL;
  /** Upper bound of open connections to the upstream. */
  connections: number;
  /** Timeout of one call, shorter than the request deadline. */
  timeoutMs: number;
}

export interface UpstreamCallOptions {
  /** The request's deadline signal: aborting it cancels the call. */
  signal: AbortSignal;
  requestId?: string;
}

export interface UpstreamClient {
  getJson(path: string, options: UpstreamCallOptions): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * One keep-alive connection pool to the upstream, created at start-up and shared by every
 * request (the talk's shared client session): no TCP or TLS handshake per request, and at most
 * `connections` sockets however many requests arrive.
 * @example
 * const upstream = createUpstreamClient({ baseUrl: new URL('http://127.0.0.1:4000'), connections: 10, timeoutMs: 2000 });
 * const body = await upstream.getJson('/data/a', { signal: c.var.deadline.signal });
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

  async function getJson(path: string, { signal, requestId }: UpstreamCallOptions): Promise<unknown> {
    const callTimeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await pool.request({
        method: 'GET',
        path: `${basePath}${path}`,
        headers: requestId ? { accept: 'application/json', 'x-request-id': requestId } : { accept: 'application/json' },
        signal: AbortSignal.any([signal, callTimeout]),
      });
      if (response.statusCode >= 400) {
        await response.body.dump();
        throw new UpstreamError(`The upstream answered ${response.statusCode} for ${path}.`);
      }
      return await response.body.json();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (callTimeout.aborted) throw new DependencyTimeoutError(`The upstream (${path})`, timeoutMs, { cause: error });
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamError(`The upstream call to ${path} failed.`, { cause: error });
    }
  }

  return { getJson, close: () => pool.close() };
}
