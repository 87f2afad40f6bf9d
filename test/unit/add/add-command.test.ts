import { describe, expect, it } from 'vitest';
import { makeAddCommand, parseAddOptions } from '../../../src/commands/add.js';

describe('asyncsrv add', () => {
  it('parses `route <name>` into the options of runAddRoute', () => {
    expect(parseAddOptions('route', 'order-items', '/project')).toEqual({
      kind: 'route',
      cwd: '/project',
      route: { file: 'order-items', prefix: '/order-items', factory: 'orderItemsRoutes', schema: 'orderItemsParams' },
    });
    expect(() => parseAddOptions('route', 'OrderItems', '/project')).toThrow(/^Expected the route name to be kebab-case/);
  });

  it('is also `g`, with a `route <name>` subcommand', () => {
    const command = makeAddCommand();
    expect(command.aliases()).toEqual(['g']);
    expect(command.commands.map((sub) => `${sub.name()} ${sub.registeredArguments.map((arg) => `<${arg.name()}>`).join(' ')}`)).toEqual([
      'route <name>',
    ]);
  });
});
