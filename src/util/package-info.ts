import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The root of this package (the checkout, or its folder in node_modules): the nearest folder with
 * a package.json above this module, which sits at different depths in src/ and in the bundled dist/.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  root = dir;
  return dir;
}

/** A file of the built package, e.g. `distFile('dev', 'standby.js')`: entry points that run in another process or thread. */
export function distFile(...segments: string[]): string {
  return join(packageRoot(), 'dist', ...segments);
}

export function readOwnVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** True when this CLI runs from an installed copy (inside node_modules) rather than a source checkout. */
export function isInstalledCopy(root: string = packageRoot()): boolean {
  return root.split(sep).includes('node_modules');
}
