import pg from 'pg';
import type { Logger } from '../logger.js';
import { DatabaseUnavailableError, DependencyTimeoutError } from '../errors.js';

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

export interface Database {
  /** Runs one parameterised statement; the signal (the request's deadline) stops the wait. */
  query<Row extends pg.QueryResultRow>(text: string, values: unknown[], signal: AbortSignal): Promise<Row[]>;
  /** The pool itself, for migrations and transactions. */
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * One `pg.Pool` for the whole process (the talk's DB connection pool): bounded connections,
 * idle and connect timeouts, and a server-side `statement_timeout` with a slightly longer
 * client-side `query_timeout` in case the server never answers.
 */
export function createDatabase(options: DatabaseOptions, logger: Logger): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    idleTimeoutMillis: options.idleTimeoutMs,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 500,
  });
  // An idle client losing its connection emits here; without a listener it would crash the process.
  pool.on('error', (error) => logger.warn('idle database connection failed', { error: error.message }));

  const line = createWaitingLine(options.poolMax);

  async function query<Row extends pg.QueryResultRow>(text: string, values: unknown[], signal: AbortSignal): Promise<Row[]> {
    // Wait for a client in our own line, which a query leaves when its request gives up: pg-pool's
    // queue cannot be left, so abandoned queries would still run (and time out one by one) later.
    await line.enter(signal);
    // pg cannot cancel a running query from a signal: stop waiting, the pool reclaims the client.
    const pending = pool.query<Row>(text, values);
    void pending.then(line.leave, line.leave);
    try {
      const result = await raceSignal(pending, signal);
      return result.rows;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw classifyDatabaseError(error, options.statementTimeoutMs);
    }
  }

  return { query, pool, close: () => pool.end() };
}

/** Connection failures become 503, timeouts 504; anything else (a bug) stays as it is. */
export function classifyDatabaseError(error: unknown, timeoutMs: number): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (code === '57014' || error.message === 'Query read timeout') {
    return new DependencyTimeoutError('The database', timeoutMs, { cause: error });
  }
  const connectionCodes = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', '53300', '57P01', '57P03'];
  const lostConnection = /timeout exceeded when trying to connect|Connection terminated|connection closed/i.test(error.message);
  if ((typeof code === 'string' && (connectionCodes.includes(code) || code.startsWith('08'))) || lostConnection) {
    return new DatabaseUnavailableError({ cause: error });
  }
  return error;
}

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

interface WaitingLine {
  /** Resolves when one of `size` places is free; rejects with the signal's reason (leaving the line) if it aborts first. */
  enter(signal: AbortSignal): Promise<void>;
  leave(): void;
}

/** First come, first served places for `size` concurrent holders; leaving it while waiting costs O(1). */
function createWaitingLine(size: number): WaitingLine {
  let holders = 0;
  const waiting = new Set<() => void>(); // insertion-ordered, so it is also a queue

  function enter(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (holders < size && waiting.size === 0) {
      holders += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        waiting.delete(admit);
        reject(signal.reason);
      };
      const admit = (): void => {
        signal.removeEventListener('abort', onAbort);
        holders += 1;
        resolve();
      };
      waiting.add(admit);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  function leave(): void {
    holders -= 1;
    const [next] = waiting;
    if (next && holders < size) {
      waiting.delete(next);
      next();
    }
  }

  return { enter, leave };
}
