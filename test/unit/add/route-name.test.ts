import { describe, expect, it } from 'vitest';
import { parseRouteName } from '../../../src/add/route-name.js';
import { isUserError } from '../../../src/util/errors.js';

describe('parseRouteName', () => {
  it('names the file, the prefix and the identifiers from a kebab-case name', () => {
    expect(parseRouteName('orders')).toEqual({ file: 'orders', prefix: '/orders', factory: 'ordersRoutes', schema: 'ordersParams' });
    expect(parseRouteName('order-items-2')).toEqual({
      file: 'order-items-2',
      prefix: '/order-items-2',
      factory: 'orderItems2Routes',
      schema: 'orderItems2Params',
    });
  });

  it.each([
    'Orders',
    'orderItems',
    'order_items',
    '2fa',
    '-orders',
    'orders-',
    'order--items',
    'ordérs',
    '',
    'a'.repeat(41),
    '../x',
    'x y',
  ])('refuses %j with one line saying what a name is (a user error, exit 1)', (raw) => {
    let thrown: unknown;
    try {
      parseRouteName(raw);
    } catch (error) {
      thrown = error;
    }
    expect(isUserError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe(
      `Expected the route name to be kebab-case (lowercase letters, digits and dashes, a letter first, at most 40 characters), got \`${raw}\`.`,
    );
    expect((thrown as { exitCode: number }).exitCode).toBe(1);
  });
});
