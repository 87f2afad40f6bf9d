import pg from 'pg';
import type { Logger } from '../logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import { DatabaseUnavailableError, DependencyTimeoutError } from '../errors.js';
import { createAdmissionQueue, defaultQueueBounds, type AdmissionStats } from '../resilience/admission-queue.js';

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** The waiting line for a client (see resilience/admission-queue.ts; default 3 ms and 1 s). */
  queue?: { targetMs: number; intervalMs: number };
}

export interface Database {
  /** Runs one parameterised statement; the signal (the request's deadline) stops the wait. */
  query<Row extends pg.QueryResultRow>(text: string, values: unknown[], signal: AbortSignal): Promise<Row[]>;
  /** The pool itself, for migrations and transactions. */
  pool: pg.Pool;
  /** Clients the pool may open: how many queries one request should run at once at most. */
  poolMax: number;
  /** The waiting line for a client, for logs, metrics and tests. */
  stats(): AdmissionStats;
  /** pg's clients (open, idle) and the queries waiting for one in our line, for /metrics. */
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

/**
 * One `pg.Pool` for the whole process (the talk's DB connection pool): bounded connections,
 * idle and connect timeouts, and a server-side `statement_timeout` with a slightly longer
 * client-side `query_timeout` in case the server never answers.
 */
/** Where the pool reports its waits and query times (metrics.ts), and traces its queries (tracing.ts); both optional. */
export interface DatabaseInstruments {
  metrics?: Pick<Metrics, 'poolWait' | 'query'>;
  tracing?: Pick<Tracing, 'inSpan'>;
}

export function createDatabase(
  options: DatabaseOptions,
  logger: Logger,
  { metrics: observer, tracing }: DatabaseInstruments = {},
): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    idleTimeoutMillis: options.idleTimeoutMs,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 500,
  });
  // An idle client losing its connection emits here; without a listener it would crash the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));

  const line = createAdmissionQueue({ slots: options.poolMax, name: 'the database pool', ...(options.queue ?? defaultQueueBounds) });
  /** Clients that have run a query of ours: the holds of their next queries teach the line. */
  const warmClients = new WeakSet<pg.PoolClient>();

  function query<Row extends pg.QueryResultRow>(text: string, values: unknown[], signal: AbortSignal): Promise<Row[]> {
    if (!tracing) return run<Row>(text, values, signal);
    return tracing.inSpan('db.query', { 'db.system.name': 'postgresql', 'db.query.text': text }, () => run<Row>(text, values, signal));
  }

  async function run<Row extends pg.QueryResultRow>(text: string, values: unknown[], signal: AbortSignal): Promise<Row[]> {
    // Wait for a client in our own line, which refuses (503) what it cannot serve in time and which
    // a query leaves when its request gives up: pg-pool's queue cannot be left, so abandoned queries
    // would still run (and time out one by one) later.
    const waitStarted = performance.now();
    const slot = await line.acquire(signal);
    const started = performance.now();
    observer?.poolWait((started - waitStarted) / 1_000);
    // The line predicts waits from the hold times of queries on warm connections. A connection's
    // first query teaches nothing: its hold includes the connect when pg opens one for it, and a
    // backend's first statement pays its own start-up (a database just restarted: catalogs and
    // tables not yet cached). No connection at all (after an outage, or idle): what it knew is
    // about connections that are gone, e.g. the slow holds of a database shutting down.
    if (pool.totalCount === 0) line.forget();
    // pg cannot cancel a running query from a signal: stop waiting, and the client goes back to the
    // pool (or, after an error, is closed) once its query settles.
    const pending = pool.connect().then(
      async (client) => {
        const warm = warmClients.has(client);
        warmClients.add(client);
        // A checked-out client has no listener of the pool's: a connection that breaks mid-query
        // (the database stopping) emits 'error' here, and the query rejects as well.
        let broken: Error | undefined;
        const onError = (error: Error): void => {
          broken = error;
        };
        client.on('error', onError);
        try {
          return await client.query<Row>(text, values);
        } catch (error) {
          broken ??= error instanceof Error ? error : new Error(String(error));
          throw error;
        } finally {
          client.removeListener('error', onError);
          client.release(broken); // with an error: closed, not reused
          slot.release(warm);
        }
      },
      (error: unknown) => {
        slot.release(false);
        throw error;
      },
    );
    try {
      const result = await raceSignal(pending, signal);
      observer?.query((performance.now() - started) / 1_000);
      return result.rows;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw classifyDatabaseError(error, options.statementTimeoutMs);
    }
  }

  const poolStats = (): { total: number; idle: number; waiting: number } => ({
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount + line.stats().waiting,
  });
  return { query, pool, poolMax: options.poolMax, stats: line.stats, poolStats, close: () => pool.end() };
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
