import type { DestinationStream } from 'pino';

/** Keys every pino line has, left out of the readable line (`err` is shown apart). */
const omitted = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'err']);
/** An access line also shows these in its message: `GET /json 200 1.2ms`. */
const omittedFromRequest = new Set([...omitted, 'method', 'path', 'status', 'durationMs']);

/**
 * The development format: pino hands each JSON line to this stream, which writes it as
 * `12:00:00.123 INFO  listening url=http://127.0.0.1:3000`, access lines as
 * `GET /json 200 1.2ms requestId=…`, and the stack (with its causes) under an error. In the
 * process itself, not pino-pretty in a worker thread: a dev restart does not wait for a thread.
 * @example
 * const logger = createLogger({ level: 'info', destination: createPrettyStream((text) => process.stdout.write(text)) });
 */
// Shaped as logger.ts's LogDestination, without importing it (logger.ts imports this file).
export function createPrettyStream(write: (text: string) => void): DestinationStream & { flushSync(): void } {
  return {
    write: (line) => write(formatPrettyLine(JSON.parse(line) as Record<string, unknown>)),
    flushSync: () => undefined, // nothing is buffered
  };
}

/** One pino entry as a readable line (and, for an error or worse, its stack), ending with a newline. */
export function formatPrettyLine(entry: Record<string, unknown>): string {
  const time = typeof entry['time'] === 'number' ? new Date(entry['time']).toISOString().slice(11, 23) : '';
  const level = String(entry['level'] ?? '').toUpperCase();
  const isRequest = entry['msg'] === 'request' && 'status' in entry && 'durationMs' in entry;
  const message = isRequest
    ? `${String(entry['method'])} ${String(entry['path'])} ${String(entry['status'])} ${String(entry['durationMs'])}ms`
    : String(entry['msg'] ?? '');
  const hidden = isRequest ? omittedFromRequest : omitted;
  const fields = Object.entries(entry).filter(([key, value]) => !hidden.has(key) && value !== undefined);
  const err = entry['err'] as SerializedError | undefined;
  const showStack = err !== undefined && (level === 'ERROR' || level === 'FATAL');
  if (err && !showStack) fields.push(['error', err.message]);
  const extras = fields.map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`).join(' ');
  const line = `${time} ${level.padEnd(5)} ${message}${extras ? ` ${extras}` : ''}\n`;
  return showStack ? line + describeError(err) : line;
}

interface SerializedError {
  type?: string;
  message?: string;
  stack?: string;
  cause?: SerializedError;
}

/** The stack of an error (pino's `errWithCause` shape) and of each of its causes, indented. */
function describeError(err: SerializedError): string {
  const parts: string[] = [];
  for (let current: SerializedError | undefined = err; current && parts.length < 10; current = current.cause) {
    const text = current.stack ?? `${current.type ?? 'Error'}: ${current.message ?? ''}`;
    parts.push(parts.length === 0 ? text : `caused by: ${text}`);
  }
  return `${parts.join('\n').replace(/^/gm, '    ')}\n`;
}
