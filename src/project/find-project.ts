import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { UserError } from '../util/errors.js';

/** A project made by create-async-server, as the tools see it. */
export interface Project {
  root: string;
  name: string;
  /** `src/server.ts`: config → resources → app → listen → shutdown. */
  serverEntry: string;
  /** `scripts/embedded-db.ts` when the project uses the embedded PGlite server. */
  embeddedDbScript: string | undefined;
  /** The project's own tsx, which runs TypeScript in dev. */
  tsxPackage: string;
}

/** The nearest folder from `cwd` upward with a package.json; it must hold a generated project. */
export function findProject(cwd: string): Project {
  let dir = cwd;
  while (!existsSync(join(dir, 'package.json'))) {
    if (dir === parse(dir).root) throw notAProject(cwd);
    dir = dirname(dir);
  }
  const serverEntry = join(dir, 'src', 'server.ts');
  if (!existsSync(serverEntry)) throw notAProject(cwd, dir);
  const manifest = readManifest(join(dir, 'package.json'));
  const tsxPackage = join(dir, 'node_modules', 'tsx');
  if (!existsSync(tsxPackage)) {
    throw new UserError(
      `The project in \`${dir}\` has no node_modules/tsx: its dependencies are not installed.`,
      'Run `npm install` in the project first.',
    );
  }
  const embedded = join(dir, 'scripts', 'embedded-db.ts');
  return {
    root: dir,
    name: manifest.name ?? parse(dir).base,
    serverEntry,
    embeddedDbScript: existsSync(embedded) ? embedded : undefined,
    tsxPackage,
  };
}

function readManifest(path: string): { name?: string } {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: string };
  } catch {
    throw new UserError(`\`${path}\` is not valid JSON.`, 'Fix the file, then run the command again.');
  }
}

function notAProject(cwd: string, packageDir?: string): UserError {
  const where = packageDir ? `\`${packageDir}\` has a package.json but no src/server.ts` : `no package.json in \`${cwd}\` or above`;
  return new UserError(
    `Not inside a create-async-server project: ${where}.`,
    'Create one with `npx create-async-server my-app`, then run this inside it.',
  );
}
