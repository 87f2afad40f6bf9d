/** Exit codes the CLI promises (README, "Exit codes"). */
export const ExitCode = {
  ok: 0,
  userError: 1,
  usage: 2,
  interrupted: 130,
} as const;

/**
 * Marks our user errors. The CLI's start-up file and the features it loads are separate bundles,
 * each with its own copy of this module, so `instanceof UserError` would miss the features' errors.
 */
const USER_ERROR = Symbol.for('create-async-server.UserError');

/**
 * A mistake the user can fix: printed as one red line (plus a dim hint), never with a stack.
 *
 * @example
 * throw new UserError('Target directory `app` is not empty.', 'Pass --force to overwrite the template files.');
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number = ExitCode.userError;
  readonly [USER_ERROR] = true;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'UserError';
    this.hint = hint;
  }
}

/** Bad usage of a command (flags, arguments): exit code 2. */
export class UsageError extends UserError {
  override readonly exitCode: number = ExitCode.usage;

  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'UsageError';
  }
}

/** The user pressed Ctrl-C: exit 130, after whatever cleanup the thrower did. */
export class CancelledError extends UserError {
  override readonly exitCode: number = ExitCode.interrupted;

  constructor(message = 'Cancelled.') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof Error && (error as Partial<Pick<UserError, typeof USER_ERROR>>)[USER_ERROR] === true;
}

/** Whether the debug stack traces are wanted (`--debug` or `DEBUG=asyncsrv`). */
export function isDebugEnabled(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.includes('--debug') || /(^|,)\s*(asyncsrv|\*)\s*(,|$)/.test(env.DEBUG ?? '');
}
