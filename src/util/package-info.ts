import { readFileSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of this package (the checkout, or its folder in node_modules): dist/util/ is two levels down. */
export function packageRoot(): string {
  return dirname(dirname(dirname(fileURLToPath(import.meta.url))));
}

export function readOwnVersion(): string {
  const manifest = JSON.parse(readFileSync(`${packageRoot()}${sep}package.json`, 'utf8')) as { version: string };
  return manifest.version;
}

/** True when this CLI runs from an installed copy (inside node_modules) rather than a source checkout. */
export function isInstalledCopy(root: string = packageRoot()): boolean {
  return root.split(sep).includes('node_modules');
}
