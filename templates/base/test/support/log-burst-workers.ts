// A cluster primary whose two workers each write `argv[2]` JSON lines through the server's stdout
// logger, as fast as they can, to the one stdout they share: what `asyncsrv start`'s workers do.
import cluster from 'node:cluster';
import { once } from 'node:events';
import { createLogger, flushLogs, stdoutDestination } from '../../src/logger.js';

const count = Number(process.argv[2]);
if (cluster.isPrimary) {
  const workers = [cluster.fork(), cluster.fork()];
  const codes = await Promise.all(workers.map(async (worker) => ((await once(worker, 'exit')) as [number | null])[0]));
  process.exit(codes.every((code) => code === 0) ? 0 : 1);
} else {
  const worker = cluster.worker!.id;
  const logger = createLogger({ level: 'info', destination: stdoutDestination('json') });
  for (let n = 1; n <= count; n += 1) logger.info({ worker, n, pad: 'x'.repeat(150) }, 'burst');
  await flushLogs(logger, 10_000);
  process.exit(0);
}
