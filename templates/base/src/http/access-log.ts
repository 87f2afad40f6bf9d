import pino from 'pino';
import type { Logger } from '../logger.js';
import type { RequestScope } from './request-scope.js';

const { lsCacheSym, timeSym, chindingsSym, streamSym } = pino.symbols;
const INFO = 30;

/**
 * One access line per request, once its response is ready (its status, and `elapsedMs` since it
 * began, read once with the metrics' from one clock reading): shed,
 * timed-out and failed requests included, with `requestId` as a field (a request whose handler
 * logs nothing makes no child logger). It is the line `logger.info({ requestId, method, path,
 * status, durationMs }, 'request')` writes (logging.test.ts checks they match), put together from
 * the logger's own level label, time and bindings (`pino.symbols`, public for integrations) and handed to its destination:
 * the server writes one per request, and pino's general path (serializers, redaction, a key loop)
 * costs several times this. None of these fields can hold a secret; the request id is a sane token
 * (service-response.ts) and the method an HTTP token, so only the path needs JSON escaping.
 */
export function logAccess(
  logger: Logger,
  scope: Pick<RequestScope, 'requestId' | 'method' | 'path'>,
  status: number,
  elapsedMs: number,
): void {
  // Tenths of a millisecond, written as JSON writes the number (12, 12.3) without formatting a double.
  const tenths = Math.round(elapsedMs * 10);
  const durationMs = tenths % 10 === 0 ? String(tenths / 10) : `${(tenths - (tenths % 10)) / 10}.${tenths % 10}`;
  const parts = logger as unknown as Record<symbol, unknown>;
  const levelLabel = (parts[lsCacheSym] as Record<number, string>)[INFO]!;
  const time = (parts[timeSym] as () => string)();
  (parts[streamSym] as { write(line: string): void }).write(
    `${levelLabel}${time}${parts[chindingsSym] as string},"requestId":"${scope.requestId}","method":"${scope.method}",` +
      `"path":${JSON.stringify(scope.path)},"status":${status},"durationMs":${durationMs},"msg":"request"}\n`,
  );
}
