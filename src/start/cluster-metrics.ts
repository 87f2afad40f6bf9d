import cluster, { type Worker } from 'node:cluster';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The part of prom-client's AggregatorRegistry the primary uses. */
interface Aggregator {
  clusterMetrics(): Promise<string>;
}

interface MetricsRequest {
  type: 'asyncsrv:metrics-request';
  id: number;
}

function isMetricsRequest(message: unknown): message is MetricsRequest {
  return (
    (message as Partial<MetricsRequest> | null)?.type === 'asyncsrv:metrics-request' && typeof (message as MetricsRequest).id === 'number'
  );
}

/**
 * Lets one scrape of any worker's /metrics cover every worker: a worker asks the primary (see the
 * generated project's observability/cluster-metrics.ts), which collects them all with the
 * project's own prom-client (its AggregatorRegistry) and answers with the sum. A project without
 * prom-client gets nothing here: its workers answer with their own metrics.
 * @returns a function that stops answering, or undefined when the project has no prom-client.
 */
export function aggregateWorkerMetrics(projectRoot: string): (() => void) | undefined {
  let aggregator: Aggregator;
  try {
    const promClient = createRequire(join(projectRoot, 'package.json'))('prom-client') as { AggregatorRegistry: new () => Aggregator };
    aggregator = new promClient.AggregatorRegistry();
  } catch {
    return undefined;
  }
  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isMetricsRequest(message)) return;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: 'asyncsrv:metrics', id: message.id, text }),
      (error: unknown) => worker.isConnected() && worker.send({ type: 'asyncsrv:metrics', id: message.id, error: String(error) }),
    );
  };
  cluster.on('message', onMessage);
  return () => cluster.off('message', onMessage);
}
