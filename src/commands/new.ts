import { Command, Option } from 'commander';
import type { ScaffoldFlags } from '../scaffold/index.js';
// options.ts imports nothing: the choices for --help without the scaffolder.
import { DATABASES, PACKAGE_MANAGERS, type Database, type PackageManager } from '../scaffold/options.js';
import { withInterruptSignal } from '../util/signals.js';

export interface RawNewFlags {
  yes?: boolean;
  db?: Database;
  pm?: PackageManager;
  install?: boolean;
  git?: boolean;
  deploy?: boolean;
  minimal?: boolean;
  force?: boolean;
}

/** `create-async-server [dir]` and `asyncsrv new [dir]`: the same command under two names. */
export function makeNewCommand(name: string): Command {
  return new Command(name)
    .description(
      'Scaffold an async HTTP service: Hono on Node with a shared keep-alive client, a DB pool, deadlines and graceful shutdown.',
    )
    .argument('[dir]', 'directory to create; its name becomes the package name (default: my-async-server)')
    .option('-y, --yes', 'take the defaults for everything not given by a flag; never prompt')
    .addOption(new Option('--db <db>', 'database: embedded PGlite server or an external PostgreSQL').choices(DATABASES))
    .addOption(
      new Option('--pm <pm>', 'package manager for install and next steps (default: the one that ran this, else npm)').choices(
        PACKAGE_MANAGERS,
      ),
    )
    .option('--install', 'install dependencies after scaffolding (default)')
    .option('--no-install', 'skip installing dependencies')
    .option('--git', 'initialise a git repository with a first commit (default)')
    .option('--no-git', 'skip git init')
    .option('--deploy', 'add Dockerfile, compose.yaml (with PostgreSQL) and nginx.conf')
    .option('--no-deploy', 'no deployment files (default)')
    .option('--minimal', 'one example route (validated input, a query, an upstream call) instead of the demo routes and benchmark table')
    .option('--no-minimal', 'the full starter: demo routes for every pattern, the benchmark scenarios (default)')
    .option('-f, --force', 'scaffold into a non-empty directory, overwriting only the files the template writes')
    .addHelpText(
      'after',
      `
Without a terminal (CI, pipes) it never prompts: it takes the defaults for what no flag sets.
Set CREATE_ASYNC_SERVER_SPEC to choose the version spec of the generated project's
create-async-server devDependency (e.g. file:/path/to/create-async-server-0.1.0.tgz).

Examples:
  $ ${name} my-app
  $ ${name} my-app --yes --db postgres --deploy
  $ ${name} my-app --yes --minimal
  $ ${name} . --force --no-install`,
    )
    .action(async (dir: string | undefined, raw: RawNewFlags, command: Command) => {
      const options = parseNewOptions(dir, raw, command);
      const { runScaffold } = await import('../scaffold/index.js');
      await withInterruptSignal((signal) =>
        runScaffold(options, {
          cwd: process.cwd(),
          env: process.env,
          interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) && !options.yes,
          signal,
        }),
      );
    });
}

/** Flags as the user gave them: a negatable flag counts only when it came from the command line. */
export function parseNewOptions(dir: string | undefined, raw: RawNewFlags, command: Command): ScaffoldFlags {
  const given = <K extends keyof RawNewFlags>(key: K): RawNewFlags[K] | undefined =>
    command.getOptionValueSource(key) === 'cli' ? raw[key] : undefined;
  return {
    directory: dir,
    yes: raw.yes ?? false,
    db: raw.db,
    pm: raw.pm,
    install: given('install'),
    git: given('git'),
    deploy: given('deploy'),
    minimal: given('minimal'),
    force: raw.force ?? false,
  };
}
