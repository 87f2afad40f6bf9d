import { describe, expect, it } from 'vitest';
import { CancelledError, ExitCode, isUserError, UsageError, UserError } from '../../../src/util/errors.js';

describe('isUserError', () => {
  it('recognises our errors, including those of another copy of the module (the CLI and its features are separate bundles)', async () => {
    // A query string makes vite load a second instance of the module.
    const specifier = '../../../src/util/errors.js?copy';
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import('../../../src/util/errors.js');
    expect(copy.UserError).not.toBe(UserError);
    const fromCopy = new copy.CancelledError();
    expect(fromCopy instanceof UserError).toBe(false);
    expect(isUserError(fromCopy)).toBe(true);
    expect(isUserError(new UsageError('bad'))).toBe(true);
    expect(new CancelledError().exitCode).toBe(ExitCode.interrupted);
  });

  it('leaves bugs alone', () => {
    expect(isUserError(new Error('bug'))).toBe(false);
    expect(isUserError({ message: 'x', exitCode: 1 })).toBe(false);
    expect(isUserError(undefined)).toBe(false);
  });
});
