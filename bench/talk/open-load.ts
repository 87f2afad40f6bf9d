import { Pool } from 'undici';

export interface OpenLoadOptions {
  /** Origin and path, e.g. `http://127.0.0.1:3000/external`. */
  url: string;
  /** Requests per second, sent on a fixed schedule whatever the answers do (an open model). */
  rate: number;
  durationMs: number;
  /** Sent at the same rate first and left out of the figures (the queue's onset). */
  warmupMs?: number;
  /** Most sockets the generator opens; above the requests in flight, so none waits for one. */
  connections?: number;
  /** A request still unanswered after this long counts as an error. */
  timeoutMs?: number;
}

/** What happened to one request; latency runs from its scheduled send time (no coordinated omission). */
export interface OpenLoadOutcome {
  latencyMs: number;
  /** From the moment it was really sent: the server's time, without the generator's own lag. */
  serviceMs: number;
  status?: number;
  retryAfter?: string;
  error?: string;
}

export interface OpenLoadResult {
  offeredRate: number;
  durationMs: number;
  outcomes: OpenLoadOutcome[];
  /** 2xx per second of the measured window. */
  goodput: number;
  served: LatencyFigures;
  /** 503 answers: the load the server refused. */
  shed: LatencyFigures;
  /** Anything but a 2xx or a 503, including transport errors, by status or error code. */
  other: Record<string, number>;
}

export interface LatencyFigures {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * An open-model load: `rate` requests per second on a fixed schedule, each one's latency counted
 * from when it was due, every outcome kept, so goodput, the served requests' latency and the
 * refused ones' latency can be told apart (a load tester's single histogram mixes them).
 */
export async function runOpenLoad(options: OpenLoadOptions, signal?: AbortSignal): Promise<OpenLoadResult> {
  const { rate, durationMs, warmupMs = 0, connections = 2_000, timeoutMs = 30_000 } = options;
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const total = Math.round(((warmupMs + durationMs) / 1_000) * rate);
  const warmupCount = Math.round((warmupMs / 1_000) * rate);
  const outcomes: Array<Promise<OpenLoadOutcome>> = [];
  const start = performance.now() + 20;
  try {
    for (let index = 0; index < total && !signal?.aborted; index++) {
      const dueAt = start + (index * 1_000) / rate;
      const wait = dueAt - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      outcomes.push(send(pool, `${url.pathname}${url.search}`, dueAt));
    }
    const settled = await Promise.all(outcomes);
    return summarise(rate, durationMs, settled.slice(warmupCount));
  } finally {
    await pool.close();
  }
}

async function send(pool: Pool, path: string, dueAt: number): Promise<OpenLoadOutcome> {
  const sentAt = performance.now();
  try {
    const response = await pool.request({ method: 'GET', path });
    await response.body.dump();
    const retryAfter = response.headers['retry-after'];
    const now = performance.now();
    return {
      latencyMs: now - dueAt,
      serviceMs: now - sentAt,
      status: response.statusCode,
      ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
    };
  } catch (error) {
    const now = performance.now();
    return { latencyMs: now - dueAt, serviceMs: now - sentAt, error: (error as { code?: string }).code ?? String(error) };
  }
}

/** Goodput and the latency of served and refused requests; pure, for tests. */
export function summarise(offeredRate: number, durationMs: number, outcomes: OpenLoadOutcome[]): OpenLoadResult {
  const isServed = (o: OpenLoadOutcome): boolean => o.status !== undefined && o.status >= 200 && o.status < 300;
  const served = outcomes.filter(isServed);
  const shed = outcomes.filter((o) => o.status === 503);
  const other: Record<string, number> = {};
  for (const o of outcomes) {
    if (isServed(o) || o.status === 503) continue;
    const key = o.error ?? String(o.status);
    other[key] = (other[key] ?? 0) + 1;
  }
  return {
    offeredRate,
    durationMs,
    outcomes,
    goodput: served.length / (durationMs / 1_000),
    served: figures(served),
    shed: figures(shed),
    other,
  };
}

function figures(outcomes: OpenLoadOutcome[]): LatencyFigures {
  const sorted = outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
  const at = (q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? 0 };
}
