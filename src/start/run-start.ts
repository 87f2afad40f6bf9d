import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { findProject } from '../project/index.js';
import { UserError } from '../util/errors.js';
import { createLogger } from '../util/logger.js';
import { abortWhenParentExits } from '../util/parent-watch.js';
import { autoWorkerCount, restartDelayMs } from './backoff.js';
import { aggregateWorkerMetrics } from './cluster-metrics.js';

export interface StartOptions {
  cwd: string;
  /** A count, or `auto` for one per CPU. */
  workers: number | 'auto';
}

/** A worker that lived this long was healthy: its next death starts a new back-off streak. */
const STABLE_MS = 30_000;

/**
 * `asyncsrv start`: runs dist/server.js in production mode as a cluster primary with N workers
 * sharing the port. A worker that dies is restarted with back-off; SIGTERM/SIGINT (the signal), or
 * the exit of the process that started us, makes every worker drain (its own graceful shutdown)
 * and resolves once all have exited.
 */
export async function runStart(options: StartOptions, interrupt: AbortSignal): Promise<void> {
  const project = findProject(options.cwd);
  const entry = join(project.root, 'dist', 'server.js');
  if (!existsSync(entry))
    throw new UserError('dist/server.js does not exist: the project is not built.', 'Run `asyncsrv build` (npm run build) first.');
  const count = options.workers === 'auto' ? autoWorkerCount(availableParallelism()) : options.workers;
  const logger = createLogger();
  process.env.NODE_ENV = 'production';
  cluster.setupPrimary({ exec: entry, args: [], cwd: project.root } as Parameters<typeof cluster.setupPrimary>[0]);

  const bornAt = new Map<Worker, number>();
  let deathStreak = 0;
  let stopping = false;
  const fork = (): void => {
    const worker = cluster.fork();
    bornAt.set(worker, Date.now());
  };

  cluster.on('exit', (worker, code, exitSignal) => {
    const lived = Date.now() - (bornAt.get(worker) ?? Date.now());
    bornAt.delete(worker);
    if (stopping) return;
    deathStreak = lived >= STABLE_MS ? 1 : deathStreak + 1;
    const delay = restartDelayMs(deathStreak);
    logger.warn(
      `worker ${worker.process.pid} died (${exitSignal ? `signal ${exitSignal}` : `exit code ${code}`}); restarting in ${delay} ms`,
    );
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  const stopAggregating = aggregateWorkerMetrics(project.root);
  for (let i = 0; i < count; i++) fork();
  logger.info(`asyncsrv start: ${count} worker${count === 1 ? '' : 's'} of ${project.name} (primary pid ${process.pid})`);

  // `npm start` stopped alone (pm2, kill, docker stop) exits without stopping us: drain rather than live on as an orphan.
  const { signal, stop: stopWatching } = abortWhenParentExits(interrupt, (ppid) =>
    logger.warn(`the process that started asyncsrv start (pid ${ppid}) has exited`),
  );

  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  stopping = true;
  stopWatching();
  stopAggregating?.();
  const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
  logger.info(`draining ${workers.length} worker${workers.length === 1 ? '' : 's'}…`);
  // Each worker drains on SIGTERM (its graceful shutdown: lame duck, then at most SHUTDOWN_TIMEOUT_MS) and exits.
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    ),
  );
  logger.info('stopped.');
}
