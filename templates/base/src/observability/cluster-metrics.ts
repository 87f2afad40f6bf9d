import cluster from 'node:cluster';
import type { Metrics } from './metrics.js';

/** The messages a worker and `asyncsrv start`'s primary exchange for one aggregated scrape. */
interface AggregateRequest {
  type: 'asyncsrv:metrics-request';
  id: number;
}
interface AggregateAnswer {
  type: 'asyncsrv:metrics';
  id: number;
  text?: string;
  error?: string;
}

let asked = 0;

/**
 * The text for one scrape. Under `asyncsrv start --workers N` this process is one of N cluster
 * workers and a scrape reaches only one of them: it asks the primary, which collects every
 * worker's metrics with prom-client's AggregatorRegistry and sums them (gauges of delay take the
 * max). Anywhere else, or when the primary does not answer within `timeoutMs`, this process's own.
 */
export async function scrapeMetrics(metrics: Metrics, timeoutMs = 2_000): Promise<string> {
  if (!cluster.isWorker || !process.send) return metrics.text();
  const id = ++asked;
  const answer = await new Promise<AggregateAnswer | undefined>((resolve) => {
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const onMessage = (message: unknown): void => {
      const candidate = message as Partial<AggregateAnswer> | null;
      if (candidate?.type === 'asyncsrv:metrics' && candidate.id === id) done(candidate as AggregateAnswer);
    };
    const done = (value: AggregateAnswer | undefined): void => {
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(value);
    };
    process.on('message', onMessage);
    process.send?.({ type: 'asyncsrv:metrics-request', id } satisfies AggregateRequest);
  });
  return answer?.text ?? metrics.text();
}
