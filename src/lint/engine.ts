import { createRequire } from 'node:module';
import { UsageError } from '../util/errors.js';

/**
 * What `asyncsrv lint` runs on: ESLint and typescript-eslint of the project (optional peer
 * dependencies of this package, in a generated project's devDependencies), so that
 * `npx create-async-server` does not download a linter and TypeScript just to scaffold.
 */
export const LINT_ENGINE_PACKAGES = ['eslint', 'typescript-eslint', '@typescript-eslint/utils'] as const;

/** The engine's packages that do not resolve from this package (that is, from the project that installed it). */
export function missingLintEngine(resolve: (name: string) => string = createRequire(import.meta.url).resolve): string[] {
  return LINT_ENGINE_PACKAGES.filter((name) => {
    try {
      resolve(`${name}/package.json`);
      return false;
    } catch {
      return true;
    }
  });
}

/** Throws a usage error (exit 2: the lint could not run) that says what to install. */
export function assertLintEngine(missing: readonly string[] = missingLintEngine()): void {
  if (missing.length === 0) return;
  throw new UsageError(
    `asyncsrv lint needs ${missing.join(', ')}, which this project does not have.`,
    'A project made by create-async-server lists them in its devDependencies: run `npm install`. Elsewhere: `npm install --save-dev eslint typescript-eslint`.',
  );
}
