import { UserError } from '../util/errors.js';

/** The names a route gets from its kebab-case name `order-items`. */
export interface RouteName {
  /** `order-items`: src/routes/order-items.ts and test/order-items.test.ts. */
  file: string;
  /** `/order-items`: where app.ts mounts it. */
  prefix: string;
  /** `orderItemsRoutes`: the factory the route file exports. */
  factory: string;
  /** `orderItemsParams`: the schema of its path parameters. */
  schema: string;
}

const KEBAB_CASE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_LENGTH = 40;

/**
 * Reads a route name: lowercase kebab-case (`orders`, `order-items`), a letter first, at most 40
 * characters. It names the file and the URL prefix; its camelCase form names the identifiers.
 * @example
 * parseRouteName('order-items'); // { file: 'order-items', prefix: '/order-items', factory: 'orderItemsRoutes', ... }
 */
export function parseRouteName(raw: string): RouteName {
  if (!KEBAB_CASE.test(raw) || raw.length > MAX_LENGTH) {
    throw new UserError(
      `Expected the route name to be kebab-case (lowercase letters, digits and dashes, a letter first, at most ${MAX_LENGTH} characters), got \`${raw}\`.`,
      'For example: `asyncsrv add route orders` or `asyncsrv add route order-items`.',
    );
  }
  const camel = raw.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
  return { file: raw, prefix: `/${raw}`, factory: `${camel}Routes`, schema: `${camel}Params` };
}
