import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { includeIgnoreFile } from '@eslint/compat';

/** The project's ignore files: .gitignore, and a legacy .eslintignore (same syntax). */
export const IGNORE_FILES = ['.gitignore', '.eslintignore'] as const;

/**
 * The project's ignore files as ESLint flat-config `ignores` patterns, converted by ESLint's own
 * `includeIgnoreFile` (@eslint/compat), which keeps git's meaning where minimatch differs: `{a,b}`
 * and `(x)` are literal, as in git. oxlint gets the same patterns.
 */
export function ignoreFilePatterns(cwd: string): string[] {
  return IGNORE_FILES.map((file) => join(cwd, file))
    .filter((path) => existsSync(path))
    .flatMap((path) => includeIgnoreFile(path).ignores ?? []);
}

/**
 * One of those patterns for oxlint's `--ignore-pattern`, whose glob parser rejects minimatch's
 * escapes (it panics on `\{`): a literal `{`, `}` or `(` becomes a one-character class.
 */
export function toOxlintIgnorePattern(pattern: string): string {
  return pattern
    .replace(/\\\{/g, '[{]')
    .replace(/(?<!\[)\}/g, '[}]')
    .replace(/\\\(/g, '[(]');
}
