import { UsageError } from '../../util/errors.js';
import type { LoadOptions, LoadRequest } from './types.js';

/** A request encoded once, before the run: the engine writes these bytes as they are. */
export interface EncodedRequest {
  bytes: Buffer;
  weight: number;
  /** HEAD responses carry no body whatever their headers say. */
  head: boolean;
}

/** LoadOptions with defaults applied and the requests encoded. */
export interface ResolvedLoadOptions {
  host: string;
  port: number;
  requests: EncodedRequest[];
  connections: number;
  duration: number | undefined;
  amount: number | undefined;
  pipelining: number;
  rate: number | undefined;
  timeout: number;
  maxSendLag: number;
  workers: number;
  drainTimeout: number;
}

function positiveInteger(name: string, value: number | undefined, fallback?: number): number {
  const v = value ?? fallback;
  if (v === undefined || !Number.isInteger(v) || v <= 0) {
    throw new UsageError(`Expected \`${name}\` to be a positive integer, got \`${String(value)}\`.`);
  }
  return v;
}

function positiveNumber(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) {
    throw new UsageError(`Expected \`${name}\` to be a positive number, got \`${String(value)}\`.`);
  }
  return v;
}

/** Encodes one request as HTTP/1.1 bytes with a Host header and, for a body, Content-Length. */
export function encodeRequest(request: LoadRequest, url: URL): Buffer {
  const method = (request.method ?? 'GET').toUpperCase();
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`];
  const names = new Set<string>();
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) {
      throw new UsageError(`Expected header \`${name}\` without line breaks.`);
    }
    names.add(name.toLowerCase());
    lines.push(`${name}: ${value}`);
  }
  if (!names.has('host')) lines.splice(1, 0, `Host: ${url.host}`);
  if (body !== undefined && !names.has('content-length')) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body === undefined ? head : Buffer.concat([head, body]);
}

/** Validates options (throwing UsageError with one clear line) and encodes the requests. */
export function resolveLoadOptions(options: LoadOptions): ResolvedLoadOptions {
  const targets = Array.isArray(options.target) ? options.target : [options.target];
  if (targets.length === 0) throw new UsageError('Expected at least one request in `target`.');
  if (targets.length > 0xffff) throw new UsageError(`Expected at most 65535 requests in \`target\`, got ${targets.length}.`);
  let origin: URL | undefined;
  const requests = targets.map((request): EncodedRequest => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw new UsageError(`Expected \`url\` to be an absolute http:// URL, got \`${request.url}\`.`);
    }
    if (url.protocol !== 'http:') {
      throw new UsageError(
        `Expected \`url\` to be an http:// URL, got \`${request.url}\`.`,
        'The engine speaks plain HTTP/1.1; bench TLS through a local proxy.',
      );
    }
    origin ??= url;
    if (url.host !== origin.host) {
      throw new UsageError(`Expected all requests to share one origin, got \`${origin.host}\` and \`${url.host}\`.`);
    }
    const weight = positiveNumber('weight', request.weight, 1);
    return { bytes: encodeRequest(request, url), weight, head: (request.method ?? 'GET').toUpperCase() === 'HEAD' };
  });
  if ((options.duration === undefined) === (options.amount === undefined)) {
    throw new UsageError('Expected exactly one of `duration` and `amount`.');
  }
  const resolved: ResolvedLoadOptions = {
    host: origin!.hostname.replace(/^\[|\]$/g, ''),
    port: Number(origin!.port || 80),
    requests,
    connections: positiveInteger('connections', options.connections),
    duration: options.duration === undefined ? undefined : positiveNumber('duration', options.duration, 0),
    amount: options.amount === undefined ? undefined : positiveInteger('amount', options.amount),
    pipelining: positiveInteger('pipelining', options.pipelining, 1),
    rate: options.rate === undefined ? undefined : positiveNumber('rate', options.rate, 0),
    timeout: positiveNumber('timeout', options.timeout, 10_000),
    maxSendLag: positiveNumber('maxSendLag', options.maxSendLag, 10),
    workers: positiveInteger('workers', options.workers, 1),
    drainTimeout: positiveNumber('drainTimeout', options.drainTimeout, 2_000),
  };
  if (resolved.workers > resolved.connections) {
    throw new UsageError(`Expected \`workers\` (${resolved.workers}) to be at most \`connections\` (${resolved.connections}).`);
  }
  return resolved;
}

/**
 * Picks requests of a mix in smooth weighted round-robin order (as nginx does): deterministic,
 * and evenly interleaved, so a 3:1 mix sends A A B A, not A A A B.
 */
export function createRequestPicker(weights: number[]): () => number {
  if (weights.length === 1) return () => 0;
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  return () => {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i]! += weights[i]!;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    return best;
  };
}
