import { Command } from 'commander';
import type { AddRouteOptions } from '../add/index.js';
// route-name.ts imports only util/errors: `asyncsrv --help` loads nothing more.
import { parseRouteName } from '../add/route-name.js';

/** `asyncsrv add route <name>` (alias `asyncsrv g route <name>`): code the project grows by, written and wired. */
export function makeAddCommand(): Command {
  const route = new Command('route')
    .description('Write src/routes/<name>.ts and test/<name>.test.ts, and mount the route at /<name> in src/app.ts.')
    .argument('<name>', 'kebab-case name (orders, order-items): the file, the URL prefix and the factory (ordersRoutes)')
    .addHelpText(
      'after',
      `
The route (GET /<name>/:id) validates its path parameter, runs a database query and an upstream
call together, both under the request's deadline, and lints clean; its test runs it against the
real app. Refuses, writing nothing (exit 1), a name that is not kebab-case, a name whose files or
mount exist already, and an app.ts without the \`const routes = app.route(...)\` chain it edits.

Examples:
  $ asyncsrv add route orders
  $ asyncsrv g route order-items`,
    )
    .action(async (name: string) => {
      const options = parseAddOptions('route', name, process.cwd());
      const { runAddRoute } = await import('../add/index.js');
      await runAddRoute(options, { info: (line) => process.stdout.write(`${line}\n`) });
    });
  return new Command('add')
    .alias('g')
    .description('Add code to the project: `asyncsrv add route <name>` writes a route and its test, and mounts it.')
    .addCommand(route)
    .addHelpText(
      'after',
      '\nExamples:\n  $ asyncsrv add route orders\n  $ asyncsrv g route order-items\n\nRun `asyncsrv add route --help` for what the route does.',
    );
}

/** The route to add, from the command's arguments; a name that is not kebab-case is a UserError (exit 1). */
export function parseAddOptions(kind: 'route', name: string, cwd: string): AddRouteOptions {
  return { kind, route: parseRouteName(name), cwd };
}
