import chalk from 'chalk';

/** Where human-readable output goes; tests and `--json` modes can swap the streams. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, hint?: string): void;
}

export function createLogger(stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Logger {
  return {
    info: (message) => stdout.write(`${message}\n`),
    warn: (message) => stderr.write(`${chalk.yellow('warning')} ${message}\n`),
    error: (message, hint) => {
      stderr.write(`${chalk.red(message)}\n`);
      if (hint) stderr.write(`${chalk.dim(hint)}\n`);
    },
  };
}
