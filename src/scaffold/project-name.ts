import { basename, resolve } from 'node:path';
import validateNpmPackageName from 'validate-npm-package-name';
import { UserError } from '../util/errors.js';

/** The package name a directory gives: its last segment (`.` means the current directory's name). */
export function projectNameFor(directory: string, cwd: string = process.cwd()): string {
  return basename(resolve(cwd, directory));
}

/** `undefined` when `name` is valid for a new npm package, else the first reason it is not. */
export function invalidProjectNameReason(name: string): string | undefined {
  const result = validateNpmPackageName(name);
  if (result.validForNewPackages) return undefined;
  return [...(result.errors ?? []), ...(result.warnings ?? [])][0] ?? 'it is not a valid npm package name';
}

export function assertValidProjectName(name: string): void {
  const reason = invalidProjectNameReason(name);
  if (reason) {
    throw new UserError(
      `Invalid project name \`${name}\`: ${reason}.`,
      'The directory name becomes the package name: use lowercase letters, digits, `-`, `_` or `.`, e.g. `my-async-server`.',
    );
  }
}
