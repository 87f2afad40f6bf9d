// Writes `argv[2]` JSON lines through the server's stdout logger as fast as it can, waits for them
// to be written, and exits at once: what a process does at the end of a shutdown.
import { createLogger, flushLogs, stdoutDestination } from '../../src/logger.js';

const count = Number(process.argv[2]);
const logger = createLogger({ level: 'info', destination: stdoutDestination('json') });
for (let n = 1; n <= count; n += 1) logger.info({ n, pad: 'x'.repeat(150) }, 'burst');
await flushLogs(logger, 10_000);
process.exit(0);
