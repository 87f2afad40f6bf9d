import { databaseUrlHint } from './database-hint.js';
import { hidePassword } from './redact.js';

export type LogFormat = 'pretty' | 'json' | 'silent';
/** pino's levels, most to least severe, and `silent`. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export interface Config {
  host: string;
  port: number;
  logFormat: LogFormat;
  /** The least severe level written; `silent` when `LOG_FORMAT=silent`. */
  logLevel: LogLevel;
  databaseUrl: string;
  db: { poolMax: number; idleTimeoutMs: number; connectTimeoutMs: number; statementTimeoutMs: number };
  upstream: { url: URL; connections: number; timeoutMs: number; breakerFailures: number; breakerCooldownMs: number };
  /** Serve the built-in echo upstream (GET /upstream/data/:key): outside production only. */
  upstreamEcho: boolean;
  /** Admission control: when work waits too long for a pool slot, or the event loop lags, refuse it at once (503). */
  overload: { queueTargetMs: number; queueIntervalMs: number; maxEventLoopDelayMs: number };
  /** Prometheus metrics: off, served by the app at /metrics, or on a port of their own. */
  metrics: { enabled: boolean; port: number | undefined };
  /** OpenTelemetry traces, on when an OTLP endpoint is set (the exporter reads it from the environment). */
  tracing: { serviceName: string } | undefined;
  http: {
    deadlineMs: number;
    bodyLimitBytes: number;
    keepAliveTimeoutMs: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    shutdownTimeoutMs: number;
    lameDuckMs: number;
  };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

type Env = Record<string, string | undefined>;

/** Every variable this server reads; `.env.example` documents each one. */
export const configVariables = [
  'NODE_ENV',
  'HOST',
  'PORT',
  'LOG_FORMAT',
  'LOG_LEVEL',
  'DATABASE_URL',
  'DB_POOL_MAX',
  'DB_IDLE_TIMEOUT_MS',
  'DB_CONNECT_TIMEOUT_MS',
  'DB_STATEMENT_TIMEOUT_MS',
  'UPSTREAM_URL',
  'UPSTREAM_CONNECTIONS',
  'UPSTREAM_TIMEOUT_MS',
  'REQUEST_DEADLINE_MS',
  'BODY_LIMIT_BYTES',
  'KEEP_ALIVE_TIMEOUT_MS',
  'HEADERS_TIMEOUT_MS',
  'REQUEST_TIMEOUT_MS',
  'SHUTDOWN_TIMEOUT_MS',
  'LAME_DUCK_MS',
  'QUEUE_TARGET_MS',
  'QUEUE_INTERVAL_MS',
  'MAX_EVENT_LOOP_DELAY_MS',
  'UPSTREAM_BREAKER_FAILURES',
  'UPSTREAM_BREAKER_COOLDOWN_MS',
  'METRICS',
  'METRICS_PORT',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SERVICE_NAME',
] as const;

/**
 * Reads and validates the environment once, at start-up: one message per bad variable.
 * @example
 * const result = loadConfig(process.env);
 * if (!result.ok) for (const line of result.problems) console.error(line);
 */
export function loadConfig(env: Env): ConfigResult {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`Expected \`${name}\` to be ${describeRange(min, max)}, got \`${raw}\`.`);
      return fallback;
    }
    return value;
  };

  const production = env['NODE_ENV'] === 'production';
  const port = int('PORT', 3000, 0, 65535);
  const host = env['HOST'] || '127.0.0.1';
  const logFormat = readLogFormat(env, problems);
  const logLevel = readLogLevel(env, logFormat, problems);
  const databaseUrl = readDatabaseUrl(env, problems);
  const keepAliveTimeoutMs = int('KEEP_ALIVE_TIMEOUT_MS', 65_000, 1);
  const headersTimeoutMs = int('HEADERS_TIMEOUT_MS', keepAliveTimeoutMs + 1_000, 1);
  const requestTimeoutMs = int('REQUEST_TIMEOUT_MS', Math.max(headersTimeoutMs, 70_000), 1);
  if (headersTimeoutMs <= keepAliveTimeoutMs) {
    problems.push(
      `Expected \`HEADERS_TIMEOUT_MS\` to be above \`KEEP_ALIVE_TIMEOUT_MS\` (${keepAliveTimeoutMs}), got \`${headersTimeoutMs}\`.`,
    );
  }
  if (requestTimeoutMs < headersTimeoutMs) {
    problems.push(
      `Expected \`REQUEST_TIMEOUT_MS\` to be at least \`HEADERS_TIMEOUT_MS\` (${headersTimeoutMs}), got \`${requestTimeoutMs}\`.`,
    );
  }

  const deadlineMs = int('REQUEST_DEADLINE_MS', 5_000, 1);
  // Queue thresholds scale with the deadline (5 s: a 3 ms target, a 1 s interval, a 500 ms lag bound):
  // a closed loop of clients that waits its turn within the budget is served, a growing line is not.
  const queueTargetMs = int('QUEUE_TARGET_MS', Math.max(1, Math.ceil(deadlineMs / 2_000)), 1);
  const queueIntervalMs = int('QUEUE_INTERVAL_MS', Math.max(queueTargetMs * 2, Math.round(deadlineMs / 5)), 1);
  if (queueIntervalMs <= queueTargetMs) {
    problems.push(`Expected \`QUEUE_INTERVAL_MS\` to be above \`QUEUE_TARGET_MS\` (${queueTargetMs}), got \`${queueIntervalMs}\`.`);
  }

  const config: Config = {
    host,
    port,
    logFormat,
    logLevel,
    databaseUrl,
    db: {
      poolMax: int('DB_POOL_MAX', 10, 1, 1000),
      idleTimeoutMs: int('DB_IDLE_TIMEOUT_MS', 10_000, 0),
      connectTimeoutMs: int('DB_CONNECT_TIMEOUT_MS', 3_000, 1),
      statementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', 2_000, 1),
    },
    upstream: {
      url: readUpstreamUrl(env, { host, port, production }, problems),
      // aiohttp's connector default: 100 sockets at a 100 ms upstream carry 1,000 calls/s before
      // calls queue for a socket; a smaller pool caps /external's throughput at pool / latency.
      connections: int('UPSTREAM_CONNECTIONS', 100, 1, 10_000),
      timeoutMs: int('UPSTREAM_TIMEOUT_MS', 2_000, 1),
      breakerFailures: int('UPSTREAM_BREAKER_FAILURES', 5, 1),
      breakerCooldownMs: int('UPSTREAM_BREAKER_COOLDOWN_MS', deadlineMs, 1),
    },
    upstreamEcho: !production,
    overload: {
      queueTargetMs,
      queueIntervalMs,
      maxEventLoopDelayMs: int('MAX_EVENT_LOOP_DELAY_MS', Math.max(200, Math.round(deadlineMs / 10)), 0),
    },
    metrics: readMetrics(env, port, problems),
    tracing:
      env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']
        ? { serviceName: env['OTEL_SERVICE_NAME'] || 'app' }
        : undefined,
    http: {
      deadlineMs,
      bodyLimitBytes: int('BODY_LIMIT_BYTES', 100 * 1024, 0),
      keepAliveTimeoutMs,
      headersTimeoutMs,
      requestTimeoutMs,
      shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 0),
      // In production, keep serving this long after SIGTERM while load balancers notice /readyz.
      lameDuckMs: int('LAME_DUCK_MS', env['NODE_ENV'] === 'production' ? 5_000 : 0, 0),
    },
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

function describeRange(min: number, max: number): string {
  if (max < Number.MAX_SAFE_INTEGER) return `an integer from ${min} to ${max}`;
  return min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer of at least ${min}`;
}

function readMetrics(env: Env, appPort: number, problems: string[]): Config['metrics'] {
  const raw = env['METRICS'];
  let enabled = true;
  if (raw === 'off') enabled = false;
  else if (raw !== undefined && raw !== '' && raw !== 'on') problems.push(`Expected \`METRICS\` to be on or off, got \`${raw}\`.`);
  const rawPort = env['METRICS_PORT'];
  if (rawPort === undefined || rawPort === '') return { enabled, port: undefined };
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(`Expected \`METRICS_PORT\` to be an integer from 1 to 65535, got \`${rawPort}\`.`);
  } else if (port === appPort) {
    problems.push(`Expected \`METRICS_PORT\` to differ from \`PORT\` (${appPort}); leave it unset to serve /metrics on the app's port.`);
  }
  return { enabled, port };
}

function readLogFormat(env: Env, problems: string[]): LogFormat {
  const raw = env['LOG_FORMAT'];
  if (raw === undefined || raw === '') return env['NODE_ENV'] === 'production' ? 'json' : 'pretty';
  if (raw === 'pretty' || raw === 'json' || raw === 'silent') return raw;
  problems.push(`Expected \`LOG_FORMAT\` to be one of pretty, json, silent, got \`${raw}\`.`);
  return 'pretty';
}

function readLogLevel(env: Env, format: LogFormat, problems: string[]): LogLevel {
  const raw = env['LOG_LEVEL'];
  let level: LogLevel = 'info';
  if (raw !== undefined && raw !== '') {
    const known = logLevels.find((name) => name === raw);
    if (known) level = known;
    else problems.push(`Expected \`LOG_LEVEL\` to be one of ${logLevels.join(', ')}, got \`${raw}\`.`);
  }
  return format === 'silent' ? 'silent' : level;
}

function readDatabaseUrl(env: Env, problems: string[]): string {
  const raw = env['DATABASE_URL'];
  if (raw === undefined || raw === '') {
    problems.push(`\`DATABASE_URL\` is not set. ${databaseUrlHint}`);
    return '';
  }
  if (!/^postgres(ql)?:\/\//.test(raw) || !URL.canParse(raw)) {
    problems.push(`Expected \`DATABASE_URL\` to be a postgres:// URL, got \`${hidePassword(raw)}\`.`); // never print its password
  }
  return raw;
}

// Outside production the default upstream is this server's own echo route, so /external works with
// no setup; in production that route is not served, and a forgotten UPSTREAM_URL stops the start.
function readUpstreamUrl(
  env: Env,
  { host, port, production }: { host: string; port: number; production: boolean },
  problems: string[],
): URL {
  const raw = env['UPSTREAM_URL'];
  if (raw === undefined || raw === '') {
    if (production) {
      problems.push(
        '`UPSTREAM_URL` is not set: in production (NODE_ENV=production) point it at the service /external and /concurrent call; the built-in echo upstream serves only in development.',
      );
    } else if (port === 0) problems.push("`UPSTREAM_URL` must be set when `PORT` is 0 (the default upstream is this server's own port).");
    const selfHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return new URL(`http://${selfHost}:${port}/upstream`);
  }
  if (!/^https?:\/\//.test(raw) || !URL.canParse(raw)) {
    problems.push(`Expected \`UPSTREAM_URL\` to be an http(s) URL, got \`${raw}\`.`);
    return new URL('http://127.0.0.1/');
  }
  return new URL(raw);
}
