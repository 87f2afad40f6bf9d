import type { LogFormat } from './config.js';

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  durationMs: number;
  requestId: string;
}

export interface Logger {
  /** One line per request: `GET /json 200 1.2ms id` in pretty, structured fields in JSON. */
  request(entry: RequestLogEntry): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

type Level = 'info' | 'warn' | 'error';

/**
 * A tiny logger: a readable line per event in development, one JSON object per line in
 * production (what log collectors parse), nothing when silent.
 * @example
 * const logger = createLogger('json');
 * logger.info('listening', { url: 'http://127.0.0.1:3000' });
 */
export function createLogger(format: LogFormat, write: (line: string) => void = writeStdout): Logger {
  const log = (level: Level, message: string, fields: LogFields = {}): void => {
    if (format === 'silent') return;
    if (format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields }));
      return;
    }
    const extras = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ');
    const time = new Date().toISOString().slice(11, 23);
    write(`${time} ${level.toUpperCase().padEnd(5)} ${message}${extras ? ` ${extras}` : ''}`);
  };
  return {
    request: (entry) => {
      if (format === 'pretty') {
        const { method, path, status, durationMs, requestId } = entry;
        log('info', `${method} ${path} ${status} ${durationMs}ms`, { requestId });
      } else {
        log('info', 'request', { ...entry });
      }
    },
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
  };
}

function writeStdout(line: string): void {
  process.stdout.write(`${line}\n`);
}
