import { CommanderError, type Command } from 'commander';
import type { useColorPreference } from '../util/colors.js';
import { ExitCode, isDebugEnabled, isUserError } from '../util/errors.js';

type Chalk = ReturnType<typeof useColorPreference>;

/** chalk (and with it node:tty) loads once a command runs or fails, not for `--help`. */
async function loadChalk(): Promise<Chalk> {
  const { useColorPreference } = await import('../util/colors.js');
  return useColorPreference();
}

/**
 * The one place that turns a command's outcome into an exit code (house rule 1):
 * user mistakes print one or two lines, usage errors exit 2, Ctrl-C 130, bugs print a stack
 * only with `--debug` or `DEBUG=asyncsrv`.
 */
export async function runProgram(program: Command, argv: readonly string[] = process.argv): Promise<void> {
  // `asyncsrv --help | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  // Commander's usage errors are held and printed in red once it has thrown (it writes them synchronously).
  let usageError = '';
  // addCommand() does not pass these settings down: apply them to every command of the tree.
  const configure = (command: Command): void => {
    command.exitOverride().configureOutput({
      outputError: (text) => {
        usageError += text;
      },
    });
    command.commands.forEach(configure);
  };
  configure(program);
  program.hook('preAction', async () => {
    await loadChalk();
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    process.exitCode = await exitCodeFor(error, usageError, isDebugEnabled(argv));
  }
}

async function exitCodeFor(error: unknown, usageError: string, debug: boolean): Promise<number> {
  if (error instanceof CommanderError) {
    // Help and version are successes (and print nothing in red).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
      return ExitCode.ok;
    }
    if (usageError) process.stderr.write((await loadChalk()).red(usageError));
    return ExitCode.usage;
  }
  const chalk = await loadChalk();
  const { createLogger } = await import('../util/logger.js');
  const logger = createLogger();
  if (isUserError(error)) {
    logger.error(error.message, error.hint);
    if (debug && error.stack) process.stderr.write(`${chalk.dim(error.stack)}\n`);
    return error.exitCode;
  }
  if (isPromptExit(error)) {
    logger.error('Cancelled.');
    return ExitCode.interrupted;
  }
  const message = error instanceof Error ? error.message : String(error);
  logger.error(
    `Unexpected error: ${message}`,
    debug ? undefined : 'Run again with --debug (or DEBUG=asyncsrv) for the stack trace, and report it.',
  );
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return ExitCode.userError;
}

/** @inquirer/prompts rejects with ExitPromptError when the user presses Ctrl-C at a prompt. */
function isPromptExit(error: unknown): boolean {
  return error instanceof Error && error.name === 'ExitPromptError';
}
