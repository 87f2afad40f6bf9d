import { UserError } from '../util/errors.js';
import type { RouteName } from './route-name.js';

const ROUTE_IMPORT = /^import \{ \w+ \} from '\.\/routes\/([\w-]+)\.js';$/;
const CHAIN_START = /^[ \t]*const routes = app[ \t]*$/;
const MANUAL = 'Mount it by hand as README.md shows ("Add your own route").';

/**
 * app.ts with `route` imported and mounted: an import beside the other routes' (in order), and
 * `.route('/name', nameRoutes(deps))` at the end of the `const routes = app.route(...)...;` chain.
 * Refuses (UserError) when the anchors are not there exactly as generated, or the route is in already.
 * @example
 * mountRoute(appSource, parseRouteName('orders')); // ...import { ordersRoutes } ... .route('/orders', ordersRoutes(deps));
 */
export function mountRoute(source: string, route: RouteName): string {
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const lines = source.split(eol);
  if (source.includes(`'${route.prefix}'`)) throw new UserError(`src/app.ts already mounts ${route.prefix}.`, 'Choose another name.');
  if (new RegExp(`\\b${route.factory}\\b`).test(source)) {
    throw new UserError(`src/app.ts already names \`${route.factory}\`.`, 'Choose another name.');
  }
  if (!/\bcreateApp\(deps\b/.test(source)) throw cannotEdit('no `createApp(deps` whose deps the route would take');

  const imports = lines.flatMap((line, index) => {
    const match = ROUTE_IMPORT.exec(line);
    return match ? [{ index, module: match[1] ?? '' }] : [];
  });
  const lastImport = imports.at(-1);
  if (!lastImport) throw cannotEdit("no `import { ... } from './routes/...js';` line to add the import beside");

  const starts = lines.flatMap((line, index) => (CHAIN_START.test(line) ? [index] : []));
  const [start] = starts;
  if (start === undefined || starts.length > 1) throw cannotEdit('no single `const routes = app` line that starts the chain of routes');
  if (lastImport.index > start) throw cannotEdit('route imports after `const routes = app`');
  const first = lines[start + 1] ?? '';
  const indent = /^[ \t]*/.exec(first)?.[0] ?? '';
  // The chain: `.route(` lines, and the wrapped arguments and closing `)` of a long one, up to the first `;`.
  const inChain = (line: string): boolean =>
    line.startsWith(`${indent}.route(`) || line.startsWith(`${indent})`) || /^[ \t]/.test(line.slice(indent.length));
  const end = lines.findIndex((line, index) => index > start && (!inChain(line) || line.trimEnd().endsWith(';')));
  const last = lines[end] ?? '';
  if (!first.startsWith(`${indent}.route(`) || end === -1 || !inChain(last) || !last.trimEnd().endsWith(');')) {
    throw cannotEdit('no chain of `.route(...)` calls ending in `);` after `const routes = app`');
  }

  const mounted = [...lines];
  mounted[end] = last.trimEnd().slice(0, -1);
  mounted.splice(end + 1, 0, `${indent}.route('${route.prefix}', ${route.factory}(deps));`);
  const after = imports.find((entry) => entry.module > route.file);
  const importLine = `import { ${route.factory} } from './routes/${route.file}.js';`;
  mounted.splice(after ? after.index : lastImport.index + 1, 0, importLine);
  return mounted.join(eol);
}

function cannotEdit(what: string): UserError {
  return new UserError(`Cannot add the route safely: src/app.ts has ${what}.`, MANUAL);
}
