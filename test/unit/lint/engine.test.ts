import { describe, expect, it } from 'vitest';
import { assertLintEngine, missingLintEngine } from '../../../src/lint/engine.js';
import { ExitCode, UserError } from '../../../src/util/errors.js';

describe('the lint engine comes from the project', () => {
  it('lists the packages that do not resolve', () => {
    const resolve = (id: string): string => {
      if (id.startsWith('typescript-eslint/')) throw new Error('Cannot find module');
      return `/project/node_modules/${id}`;
    };
    expect(missingLintEngine(resolve)).toEqual(['typescript-eslint']);
  });

  it('finds all of them in this checkout (its devDependencies)', () => {
    expect(missingLintEngine()).toEqual([]);
  });

  it('says what to install, as a usage error (exit 2: the lint could not run)', () => {
    let thrown: unknown;
    try {
      assertLintEngine(['eslint', 'typescript-eslint']);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as UserError).exitCode).toBe(ExitCode.usage);
    expect((thrown as UserError).message).toBe('asyncsrv lint needs eslint, typescript-eslint, which this project does not have.');
    expect((thrown as UserError).hint).toContain('npm install --save-dev eslint typescript-eslint');
    expect(() => assertLintEngine([])).not.toThrow();
  });
});
