import { Command, Option } from 'commander';
import { UsageError } from '../util/errors.js';

// Kept here (not imported from src/lint) so that `asyncsrv --help` loads nothing of ESLint.
const FORMATS = ['stylish', 'json', 'sarif'] as const;

export interface LintOptions {
  paths: string[];
  typed: boolean | undefined;
  fix: boolean;
  format: (typeof FORMATS)[number];
  maxWarnings: number;
}

interface RawLintFlags {
  typed?: boolean;
  fix?: boolean;
  format: (typeof FORMATS)[number];
  maxWarnings?: string;
}

/** `asyncsrv lint [paths...]`: our async rules (and the typed tier) over a project. */
export function makeLintCommand(): Command {
  return new Command('lint')
    .description('Find async anti-patterns: sequential awaits, calls without timeouts, clients made per request, blocking calls in handlers.')
    .argument('[paths...]', 'files or directories to lint (default: the current directory)')
    .option('--typed', 'also run the type-aware rules (default when tsconfig.json exists)')
    .option('--no-typed', 'skip the type-aware rules (faster)')
    .option('--fix', "apply the rules' safe autofixes (suggestions such as Promise.all are never applied)")
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('stylish'))
    .option('--max-warnings <n>', 'number of warnings to allow before exiting 1 (default: 0)')
    .addHelpText('after', `
Skips node_modules, dist, .data and what .gitignore lists. Exit codes: 0 clean, 1 problems
found, 2 bad usage or an ESLint crash. Rule docs ship with the package:
node_modules/create-async-server/docs/rules/<rule>.md.

Examples:
  $ asyncsrv lint
  $ asyncsrv lint src --no-typed
  $ asyncsrv lint --format sarif > lint.sarif`)
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
  let maxWarnings = 0;
  if (raw.maxWarnings !== undefined) {
    maxWarnings = Number(raw.maxWarnings);
    if (!/^\d+$/.test(raw.maxWarnings) || !Number.isSafeInteger(maxWarnings)) {
      throw new UsageError(`Expected \`--max-warnings\` to be a non-negative integer, got \`${raw.maxWarnings}\`.`);
    }
  }
  return {
    paths: paths.length > 0 ? paths : ['.'],
    typed: command.getOptionValueSource('typed') === 'cli' ? raw.typed : undefined,
    fix: raw.fix ?? false,
    format: raw.format,
    maxWarnings,
  };
}
