import { ExitCode, UserError } from '../util/errors.js';

/** The lint found problems (more warnings than allowed, or any error): exit 1, after the report. */
export class LintFindingsError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'LintFindingsError';
  }
}

/** ESLint itself failed (bad config, crash in a rule): exit 2, as the README promises for a crash. */
export class LintCrashError extends UserError {
  override readonly exitCode: number = ExitCode.usage;

  constructor(message: string, options?: ErrorOptions) {
    super(message, 'Run again with --debug for the stack trace, and report it with the file that triggers it.');
    this.name = 'LintCrashError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
