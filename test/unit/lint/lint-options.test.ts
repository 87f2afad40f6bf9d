import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { makeLintCommand, parseLintOptions } from '../../../src/commands/lint.js';
import { UsageError } from '../../../src/util/errors.js';

/** Parses argv with the real command definition, without running its action. */
function parse(argv: string[]): ReturnType<typeof parseLintOptions> {
  const command = makeLintCommand();
  let options: ReturnType<typeof parseLintOptions> | undefined;
  command.action((paths: string[], raw: Parameters<typeof parseLintOptions>[1], self: Command) => {
    options = parseLintOptions(paths, raw, self);
  });
  command.parse(argv, { from: 'user' });
  if (!options) throw new Error('action did not run');
  return options;
}

describe('parseLintOptions', () => {
  it('defaults: the current directory, typed when a tsconfig exists, stylish, no warnings allowed', () => {
    expect(parse([])).toEqual({ paths: ['.'], typed: undefined, fix: false, format: 'stylish', maxWarnings: 0 });
  });

  it('takes paths and flags', () => {
    expect(parse(['src', 'test', '--no-typed', '--fix', '--format', 'sarif', '--max-warnings', '3'])).toEqual({
      paths: ['src', 'test'],
      typed: false,
      fix: true,
      format: 'sarif',
      maxWarnings: 3,
    });
    expect(parse(['--typed']).typed).toBe(true);
  });

  it('rejects a --max-warnings that is not a non-negative integer', () => {
    expect(() => parse(['--max-warnings', '-1'])).toThrow(UsageError);
    expect(() => parse(['--max-warnings', '1.5'])).toThrow('Expected `--max-warnings` to be a non-negative integer, got `1.5`.');
  });
});
