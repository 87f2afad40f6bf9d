import { execa } from 'execa';
import { CancelledError, UserError } from '../util/errors.js';
import { startProgress } from '../util/progress.js';
import { installCommand, type PackageManager } from './options.js';

/** Installs the project's dependencies; on failure shows the package manager's output and the command to retry. */
export async function installDependencies(projectDir: string, pm: PackageManager, shownDir: string, signal: AbortSignal): Promise<void> {
  const [command, ...args] = installCommand(pm);
  const retry = `cd ${shownDir} && ${[command, ...args].join(' ')}`;
  const progress = startProgress(`Installing dependencies with ${pm}…`);
  const result = await execa(command, args, { cwd: projectDir, all: true, reject: false, cancelSignal: signal, stdin: 'ignore' });
  // A terminal's Ctrl-C also reaches the package manager (same process group): it may die before we cancel it.
  if (result.isCanceled || signal.aborted || result.signal === 'SIGINT') {
    progress.fail('Install cancelled.');
    throw new CancelledError(`Install cancelled. The project is in ${shownDir}; to finish: ${retry}`);
  }
  if (result.failed) {
    progress.fail(`${pm} install failed.`);
    if ((result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new UserError(
        `Could not install dependencies: \`${command}\` is not installed or not on PATH.`,
        `The project was created. Install ${pm}, then run: ${retry}`,
      );
    }
    if (result.all) process.stderr.write(`${lastLines(result.all, 40)}\n`);
    throw new UserError(
      `Could not install dependencies: \`${[command, ...args].join(' ')}\` exited with code ${result.exitCode ?? 'unknown'}.`,
      `The project was created. Fix the error above, then run: ${retry}`,
    );
  }
  progress.succeed(`Installed dependencies with ${pm}.`);
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
