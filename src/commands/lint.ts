import { Command, Option } from 'commander';
import type { LintFormat, LintOptions } from '../lint/index.js';
// report.ts imports nothing: `asyncsrv --help` still loads nothing of ESLint.
import { LINT_FORMATS } from '../lint/report.js';
import { nonNegativeInteger } from '../util/flags.js';

export interface RawLintFlags {
  typed?: boolean;
  fix?: boolean;
  format: LintFormat;
  maxWarnings?: string;
}

/** `asyncsrv lint [paths...]`: our async rules (and the typed tier) over a project. */
export function makeLintCommand(): Command {
  return new Command('lint')
    .description(
      'Find async anti-patterns: sequential awaits, calls without timeouts, clients made per request, blocking calls in handlers.',
    )
    .argument('[paths...]', 'files or directories to lint (default: the current directory)')
    .option('--typed', 'also run the type-aware rules (default when tsconfig.json exists)')
    .option('--no-typed', 'skip the type-aware rules (faster)')
    .option('--fix', "apply the rules' safe autofixes (suggestions such as Promise.all are never applied)")
    .addOption(new Option('--format <format>', 'output format').choices(LINT_FORMATS).default('stylish'))
    .option('--max-warnings <n>', 'number of warnings to allow before exiting 1 (default: 0)')
    .addHelpText(
      'after',
      `
Skips node_modules, dist, .data and what .gitignore lists. Exit codes: 0 clean, 1 problems
found, 2 bad usage or an ESLint crash. Rule docs ship with the package:
node_modules/create-async-server/docs/rules/<rule>.md.

Examples:
  $ asyncsrv lint
  $ asyncsrv lint src --no-typed
  $ asyncsrv lint --format sarif > lint.sarif`,
    )
    .action(async (paths: string[], raw: RawLintFlags, command: Command) => {
      const options = parseLintOptions(paths, raw, command);
      const { runLint } = await import('../lint/index.js');
      await runLint(options, {
        cwd: process.cwd(),
        stdout: process.stdout,
        color: Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env),
      });
    });
}

export function parseLintOptions(paths: string[], raw: RawLintFlags, command: Command): LintOptions {
  const maxWarnings = raw.maxWarnings === undefined ? 0 : nonNegativeInteger(raw.maxWarnings, '--max-warnings');
  return {
    paths: paths.length > 0 ? paths : ['.'],
    typed: command.getOptionValueSource('typed') === 'cli' ? raw.typed : undefined,
    fix: raw.fix ?? false,
    format: raw.format,
    maxWarnings,
  };
}
