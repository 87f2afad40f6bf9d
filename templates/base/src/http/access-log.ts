import type { Logger } from '../logger.js';
import type { RequestScope } from './request-scope.js';

/**
 * One access line per request, once its response is ready (status and duration known): shed,
 * timed-out and failed requests included. Written by the app's logger with `requestId` as a field,
 * so a request whose handler logs nothing makes no child logger.
 */
export function logAccess(logger: Logger, scope: RequestScope, status: number): void {
  const durationMs = Math.round((performance.now() - scope.startedAt) * 10) / 10;
  logger.info({ requestId: scope.requestId, method: scope.method, path: scope.path, status, durationMs }, 'request');
}
