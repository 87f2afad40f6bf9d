import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mountRoute } from '../../../src/add/mount-route.js';
import { parseRouteName } from '../../../src/add/route-name.js';

const templateApp = readFileSync(join(import.meta.dirname, '../../../templates/base/src/app.ts'), 'utf8');
const orders = parseRouteName('orders');

/** The lines `mounted` has that `source` has not. */
function addedLines(source: string, mounted: string): string[] {
  const before = new Set(source.split('\n'));
  return mounted.split('\n').filter((line) => !before.has(line));
}

describe('mountRoute', () => {
  it("imports the route in order among the routes' imports and mounts it at the end of the chain of the template's app.ts", () => {
    const mounted = mountRoute(templateApp, orders);
    const lines = mounted.split('\n');
    const importAt = lines.indexOf("import { ordersRoutes } from './routes/orders.js';");
    expect(lines[importAt - 1]).toBe("import { metricsRoutes } from './routes/metrics.js';");
    expect(lines[importAt + 1]).toBe("import { queriesRoutes } from './routes/queries.js';");
    const mountAt = lines.indexOf("    .route('/orders', ordersRoutes(deps));");
    expect(lines[mountAt - 1]).toBe("    .route('/echo', echoRoutes())");
    expect(addedLines(templateApp, mounted)).toHaveLength(3); // the import, the mount, the line whose `;` moved
  });

  it('puts a name that sorts last after the last route import, and mounts two routes one after the other', () => {
    const twice = mountRoute(mountRoute(templateApp, parseRouteName('zebras')), parseRouteName('order-items'));
    const lines = twice.split('\n');
    expect(lines.indexOf("import { zebrasRoutes } from './routes/zebras.js';")).toBe(
      lines.indexOf("import { upstreamEchoRoutes } from './routes/upstream-echo.js';") + 1,
    );
    const chainEnd = lines.findIndex((line) => line.includes("'/order-items'"));
    expect(lines.slice(chainEnd - 1, chainEnd + 1)).toEqual([
      "    .route('/zebras', zebrasRoutes(deps))",
      "    .route('/order-items', orderItemsRoutes(deps));",
    ]);
  });

  it('reads a chain whose long call is wrapped over several lines', () => {
    const wrapped = templateApp.replace(".route('/echo', echoRoutes());", ".route(\n      '/echo',\n      echoRoutes(),\n    );");
    const lines = mountRoute(wrapped, orders).split('\n');
    const mountAt = lines.indexOf("    .route('/orders', ordersRoutes(deps));");
    expect(lines.slice(mountAt - 2, mountAt)).toEqual(['      echoRoutes(),', '    )']);
  });

  it('keeps CRLF line endings', () => {
    const mounted = mountRoute(templateApp.replaceAll('\n', '\r\n'), orders);
    expect(mounted.split('\r\n').join('\n')).toBe(mountRoute(templateApp, orders));
  });

  it('refuses a route that is mounted or named already', () => {
    expect(() => mountRoute(templateApp, parseRouteName('echo'))).toThrow('src/app.ts already mounts /echo.');
    expect(() => mountRoute(templateApp.replace("'/echo'", "'/talk'"), parseRouteName('echo'))).toThrow(
      'src/app.ts already names `echoRoutes`.',
    );
  });

  it.each([
    ['the chain is gone', (source: string) => source.replace('const routes = app', 'const routes = app.basePath("/api")')],
    [
      'the chain does not end in `);`',
      (source: string) => source.replace(".route('/echo', echoRoutes());", ".route('/echo', echoRoutes()); // last"),
    ],
    ['the chain starts with something else', (source: string) => source.replace(/(const routes = app\n)\s*\.route\(/, '$1    .use(')],
    ['two chains', (source: string) => `${source}\nconst routes = app\n  .route('/x', x());\n`],
    ['no route import', (source: string) => source.replaceAll(/^import \{ \w+ \} from '\.\/routes\/.*$/gm, '')],
    ['createApp takes no deps', (source: string) => source.replace('createApp(deps: AppDeps)', 'createApp(options: AppDeps)')],
  ])('refuses an app.ts it cannot safely edit: %s', (_, edit) => {
    const source = edit(templateApp);
    expect(source).not.toBe(templateApp);
    expect(() => mountRoute(source, orders)).toThrow(/^Cannot add the route safely: src\/app\.ts has /);
  });
});
