import type { LogDestination } from '../../src/logger.js';

export type LogEntry = Record<string, unknown>;

/** A log destination that keeps pino's lines in memory, parsed, for assertions. */
export function memoryLog(): LogDestination & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    write: (line) => void entries.push(JSON.parse(line) as LogEntry),
    flushSync: () => undefined,
  };
}
