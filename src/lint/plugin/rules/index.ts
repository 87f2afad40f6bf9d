import { noBlockingInHandler } from './no-blocking-in-handler.js';
import { noClientPerRequest } from './no-client-per-request.js';
import { noSequentialAwait } from './no-sequential-await.js';
import { propagateDeadline } from './propagate-deadline.js';
import { requireTimeout } from './require-timeout.js';

/** Every rule of the plugin, by the name it has after `async-server/`. */
export const rules = {
  'no-blocking-in-handler': noBlockingInHandler,
  'no-client-per-request': noClientPerRequest,
  'no-sequential-await': noSequentialAwait,
  'propagate-deadline': propagateDeadline,
  'require-timeout': requireTimeout,
};
