export const DATABASES = ['pglite', 'postgres'] as const;
export type Database = (typeof DATABASES)[number];

export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'bun'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

export const DEFAULT_DIRECTORY = 'my-async-server';

/** What the user said on the command line; `undefined` means "not given" (prompt or default). */
export interface ScaffoldFlags {
  directory: string | undefined;
  yes: boolean;
  db: Database | undefined;
  pm: PackageManager | undefined;
  install: boolean | undefined;
  git: boolean | undefined;
  deploy: boolean | undefined;
  minimal: boolean | undefined;
  force: boolean;
}

/** Every choice made: what the scaffolder acts on. */
export interface ScaffoldChoices {
  directory: string;
  db: Database;
  pm: PackageManager;
  install: boolean;
  git: boolean;
  deploy: boolean;
  /** One example route and no demo routes or benchmark table, instead of the full starter. */
  minimal: boolean;
  force: boolean;
}

/** The package manager that ran us (`npm_config_user_agent` is e.g. `pnpm/9.1.0 npm/? node/v20.19.0`), else npm. */
export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split('/')[0];
  return PACKAGE_MANAGERS.find((pm) => pm === name) ?? 'npm';
}

export function defaultChoices(flags: ScaffoldFlags, userAgent: string | undefined): ScaffoldChoices {
  return {
    directory: flags.directory ?? DEFAULT_DIRECTORY,
    db: flags.db ?? 'pglite',
    pm: flags.pm ?? detectPackageManager(userAgent),
    install: flags.install ?? true,
    git: flags.git ?? true,
    deploy: flags.deploy ?? false,
    minimal: flags.minimal ?? false,
    force: flags.force,
  };
}

/** How the user runs a script with this package manager, for next steps and the README. */
export function runScriptCommand(pm: PackageManager): string {
  return { npm: 'npm run', pnpm: 'pnpm', yarn: 'yarn', bun: 'bun run' }[pm];
}

export function installCommand(pm: PackageManager): readonly [string, ...string[]] {
  return pm === 'yarn' ? ['yarn'] : [pm, 'install'];
}

/** Describes the choices in one line, e.g. for "no TTY: using defaults". */
export function describeChoices(choices: ScaffoldChoices): string {
  const yesNo = (value: boolean): string => (value ? 'yes' : 'no');
  return `directory ${choices.directory}, db ${choices.db}, package manager ${choices.pm}, install ${yesNo(choices.install)}, git ${yesNo(choices.git)}, deploy files ${yesNo(choices.deploy)}, minimal ${yesNo(choices.minimal)}`;
}
