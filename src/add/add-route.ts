import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findProject } from '../project/index.js';
import { UserError } from '../util/errors.js';
import { mountRoute } from './mount-route.js';
import type { RouteName } from './route-name.js';
import { routeFiles } from './route-template.js';

export interface AddRouteOptions {
  kind: 'route';
  route: RouteName;
  /** Where the command runs: the project is the nearest one at or above it. */
  cwd: string;
}

/** What the generated route and test import from the project: without them they would not compile. */
const NEEDED = ['src/app.ts', 'src/types.ts', 'src/middleware/validate.ts', 'test/support/test-app.ts', 'test/support/test-upstream.ts'];

/**
 * `asyncsrv add route <name>`: writes src/routes/<name>.ts and test/<name>.test.ts and mounts the
 * route in src/app.ts. Every check runs before the first write, so a refusal leaves nothing behind.
 */
export async function runAddRoute(options: AddRouteOptions, out: { info(line: string): void }): Promise<void> {
  const { root } = findProject(options.cwd);
  const { route } = options;
  const missing = NEEDED.filter((file) => !existsSync(join(root, file)));
  if (missing.length > 0) {
    throw new UserError(
      `Cannot add the route safely: the project has no ${missing.join(', ')}.`,
      'Projects made before `asyncsrv add` lack what the route uses; mount one by hand as README.md shows.',
    );
  }
  const files = routeFiles(route);
  for (const { path } of files) {
    if (existsSync(join(root, path))) throw new UserError(`\`${path}\` exists already.`, 'Choose another name.');
  }
  const appFile = join(root, 'src', 'app.ts');
  const mounted = mountRoute(await readFile(appFile, 'utf8'), route);

  const written: string[] = [];
  try {
    await mkdir(join(root, 'src', 'routes'), { recursive: true });
    for (const { path, content } of files) {
      // eslint-disable-next-line no-await-in-loop -- in order: a failure removes what was written before it
      await writeFile(join(root, path), content, { flag: 'wx' });
      written.push(join(root, path));
    }
    await writeFile(appFile, mounted);
  } catch (error) {
    await Promise.all(written.map((file) => rm(file, { force: true })));
    throw error;
  }
  out.info(`Added GET ${route.prefix}/:id:`);
  for (const { path } of files) out.info(`  created ${path}`);
  out.info(`  mounted in src/app.ts: .route('${route.prefix}', ${route.factory}(deps))`);
  out.info(`Next: npx vitest run test/${route.file}.test.ts, then replace the example query and upstream call with yours.`);
}
