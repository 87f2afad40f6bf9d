import cluster from 'node:cluster';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogFormat, LogLevel } from './config.js';
import { LineBatch } from './log-destination.js';
import { createPrettyStream } from './pretty-log.js';
import { censor, redactPaths } from './redact.js';

export type { Logger } from 'pino';

/** Where pino writes its lines; `flushSync` empties any buffer, for the last moments of a process. */
export interface LogDestination extends DestinationStream {
  flushSync(): void;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Default: standard output, written synchronously (see `stdoutDestination` for the server's). */
  destination?: LogDestination;
}

/**
 * The process's logger: pino, one JSON object per line with `"level":"info"` as a word. Errors
 * logged as `err` keep their stack and their `cause` chain; secrets are redacted (see redact.ts).
 * @example
 * const logger = createLogger({ level: 'info', destination: stdoutDestination('json') });
 * logger.info({ url: 'http://127.0.0.1:3000' }, 'listening');
 * logger.error({ err: error }, 'unhandled error');
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level,
    formatters: { level: (label: string) => ({ level: label }) }, // computed once per level by pino, not per line
    serializers: { err: pino.stdSerializers.errWithCause },
    redact: { paths: redactPaths, censor },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/**
 * Standard output for the server. `json`: lines collect in memory and leave off the request path
 * as one write of whole lines once 48 KiB have gathered (at most 64 KiB, a pipe's default
 * capacity), or every 100 ms, at most 16 MiB of them while nothing reads stdout; `flushLogs`/
 * `flushSync` before exiting. A write per request would cost a system call each, and every write
 * wakes whatever reads the pipe, which on two cores takes the CPU from the server or its clients:
 * at 30k requests a second, 3 KiB batches made 2,000 writes, 16 KiB batches about 400 (server CPU
 * 43.1 → 39.6 µs a request), these about 100 (server 1.10x the requests a second of 16 KiB
 * batches, CPU 0.91x a request; 256 KiB batches gained nothing more: 0.98x).
 * The workers of `asyncsrv start` share the primary's stdout: their writes stay within PIPE_BUF
 * (4 KiB), the most a pipe takes in one piece, so no worker cuts into another's line.
 * `pretty`: a readable line each, written at once.
 */
export function stdoutDestination(format: LogFormat): LogDestination {
  if (format === 'pretty') return createPrettyStream((text) => process.stdout.write(text));
  if (format === 'silent') return { write: () => undefined, flushSync: () => undefined };
  return new LineBatch({
    stream: process.stdout,
    fd: 1,
    ...(cluster.isWorker ? { minBytes: 3_072, maxBytes: 4_096 } : { minBytes: 49_152, maxBytes: 65_536 }),
    flushIntervalMs: 100,
    maxPendingBytes: 16 * 1024 * 1024,
  });
}

/** Waits until every buffered line is written (at most `timeoutMs`: a stuck reader must not hold up an exit). */
export function flushLogs(logger: Logger, timeoutMs = 1_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    logger.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
