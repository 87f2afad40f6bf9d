import { DATABASES, PACKAGE_MANAGERS, detectPackageManager, type ScaffoldChoices, type ScaffoldFlags } from './options.js';
import { invalidProjectNameReason, projectNameFor } from './project-name.js';

const DATABASE_LABELS: Record<(typeof DATABASES)[number], string> = {
  pglite: 'Embedded PostgreSQL (PGlite, no setup)',
  postgres: 'PostgreSQL (set DATABASE_URL)',
};

/** Asks for every choice the flags left open; a flag given on the command line is never asked again. */
export async function promptForChoices(flags: ScaffoldFlags, userAgent: string | undefined): Promise<ScaffoldChoices> {
  const { input, select, confirm } = await import('@inquirer/prompts');
  const directory =
    flags.directory ??
    (await input({
      message: 'Project directory:',
      default: 'my-async-server',
      validate: (value) => {
        const reason = invalidProjectNameReason(projectNameFor(value.trim() || '.'));
        return reason ? `Invalid project name: ${reason}.` : true;
      },
    }));
  const db =
    flags.db ??
    (await select({
      message: 'Database:',
      choices: DATABASES.map((value) => ({ value, name: DATABASE_LABELS[value] })),
      default: 'pglite',
    }));
  const pm =
    flags.pm ??
    (await select({
      message: 'Package manager:',
      choices: PACKAGE_MANAGERS.map((value) => ({ value, name: value })),
      default: detectPackageManager(userAgent),
    }));
  const install = flags.install ?? (await confirm({ message: 'Install dependencies now?', default: true }));
  const git = flags.git ?? (await confirm({ message: 'Initialise a git repository?', default: true }));
  const deploy =
    flags.deploy ??
    (await confirm({
      message: 'Add deployment files (Dockerfile, compose.yaml with PostgreSQL, nginx.conf)?',
      default: false,
    }));
  const minimal =
    flags.minimal ??
    (await confirm({
      message: 'Start minimal (one example route; no demo routes, no benchmark table)?',
      default: false,
    }));
  return { directory: directory.trim(), db, pm, install, git, deploy, minimal, force: flags.force };
}

/** Asks before overwriting the template's files in a non-empty directory (interactive runs only). */
export async function confirmOverwrite(shownDir: string): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message: `${shownDir} is not empty. Overwrite the files the template writes (others are kept)?`, default: false });
}
