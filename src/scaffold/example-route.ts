import { mountRoute, parseRouteName, routeFiles } from '../add/index.js';

/** The example route of a `--minimal` project. */
export const EXAMPLE_ROUTE = 'items';

/**
 * `--minimal`: adds the one example route to the composed files exactly as `asyncsrv add route
 * items` would (route, test, mounted in src/app.ts), so the example and the command never drift.
 */
export function addExampleRoute(files: Map<string, Buffer>): void {
  const route = parseRouteName(EXAMPLE_ROUTE);
  const app = files.get('src/app.ts');
  if (!app) throw new Error('The minimal template has no src/app.ts to mount its example route in');
  files.set('src/app.ts', Buffer.from(mountRoute(app.toString('utf8'), route)));
  for (const { path, content } of routeFiles(route)) files.set(path, Buffer.from(content));
}
