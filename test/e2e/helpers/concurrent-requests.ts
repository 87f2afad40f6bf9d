import { Agent, request } from 'undici';

export interface TimedResponse {
  status: number;
  /** Milliseconds from sending the request to the end of its body. */
  ms: number;
  /** The parsed body when it was JSON (by content-type), else undefined. */
  json: unknown;
  /** Set when no HTTP answer came (refused, reset, timed out). */
  error?: string;
}

/**
 * Sends `count` GETs to `url` at once, each on its own connection, and times each one; a request
 * that gets no answer within `timeoutMs` counts as an error, so a hang fails instead of stalling.
 */
export async function sendConcurrent(url: string, count: number, timeoutMs = 30_000): Promise<TimedResponse[]> {
  const agent = new Agent({ connections: count, pipelining: 1 });
  try {
    return await Promise.all(Array.from({ length: count }, () => timedGet(url, agent, timeoutMs)));
  } finally {
    await agent.close();
  }
}

export async function timedGet(url: string, agent: Agent, timeoutMs: number): Promise<TimedResponse> {
  const started = performance.now();
  try {
    const response = await request(url, { dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.body.text();
    const isJson = String(response.headers['content-type'] ?? '').startsWith('application/json');
    return { status: response.statusCode, ms: performance.now() - started, json: isJson ? JSON.parse(text) : undefined };
  } catch (error) {
    return { status: -1, ms: performance.now() - started, json: undefined, error: String(error) };
  }
}

/** The `p`-th percentile (0..100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
