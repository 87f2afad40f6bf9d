import { relative, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { createLogger, type Logger } from '../util/logger.js';
import { isInstalledCopy, packageRoot, readOwnVersion } from '../util/package-info.js';
import { composeProject } from './compose-template.js';
import { formatNextSteps } from './next-steps.js';
import { defaultChoices, describeChoices, runScriptCommand, type ScaffoldChoices, type ScaffoldFlags } from './options.js';
import { assertValidProjectName, projectNameFor } from './project-name.js';
import { addExampleRoute } from './example-route.js';
import { readTemplateLayers } from './template-layers.js';
import { inspectTarget, writeProject } from './write-project.js';

export type { ScaffoldChoices, ScaffoldFlags } from './options.js';

export interface ScaffoldContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  interactive: boolean;
  signal: AbortSignal;
  logger?: Logger;
}

/** Environment variable that sets the `create-async-server` devDependency spec of a generated project. */
export const CLI_SPEC_ENV = 'CREATE_ASYNC_SERVER_SPEC';

/** Scaffolds a project: choose, validate, render into a staging folder, move into place, install, git. */
export async function runScaffold(flags: ScaffoldFlags, context: ScaffoldContext): Promise<ScaffoldChoices> {
  const logger = context.logger ?? createLogger();
  const userAgent = context.env.npm_config_user_agent;
  let choices: ScaffoldChoices;
  if (context.interactive) {
    const { promptForChoices } = await import('./prompts.js');
    choices = await promptForChoices(flags, userAgent);
  } else {
    choices = defaultChoices(flags, userAgent);
    if (!flags.yes)
      logger.info(
        `No interactive terminal: using ${describeChoices(choices)}. Pass --yes to accept the defaults silently, or flags to choose.`,
      );
  }

  const target = resolve(context.cwd, choices.directory);
  const shownDir = relative(context.cwd, target) || '.';
  assertValidProjectName(projectNameFor(target));
  const state = await inspectTarget(target);
  if (state === 'not-empty' && !choices.force) {
    const overwrite = context.interactive && (await (await import('./prompts.js')).confirmOverwrite(shownDir));
    if (!overwrite) {
      throw new UserError(
        `Target directory \`${shownDir}\` is not empty.`,
        'Choose another directory, or pass --force to overwrite the files the template writes (other files are kept).',
      );
    }
  }

  const layers = await readTemplateLayers(choices);
  const files = composeProject(layers, {
    name: projectNameFor(target),
    cliSpec: cliSpecFor(context.env),
    pmRun: runScriptCommand(choices.pm),
  });
  if (choices.minimal) addExampleRoute(files);
  await writeProject(target, files, state, context.signal);
  logger.info(`Created ${shownDir} with ${files.size} files.`);

  // execa (~50 modules) loads only when a step runs a program.
  if (choices.install) await (await import('./install.js')).installDependencies(target, choices.pm, shownDir, context.signal);
  if (choices.git) {
    const git = await (await import('./git.js')).initGitRepository(target);
    if (git === 'no-git') logger.warn('git is not installed: skipped `git init`.');
    else if (git === 'failed') logger.warn('`git init` or the first commit failed: the project is fine, initialise git by hand.');
    else if (git === 'inside-repo') logger.info('Already inside a git repository: skipped `git init`.');
  }
  logger.info(formatNextSteps(choices, shownDir, choices.install));
  return choices;
}

/**
 * The version spec the generated project uses for `create-async-server`: the environment
 * variable when set (tests point it at a packed tarball), this checkout when run from source
 * (the package is not published yet), else this version from the registry.
 */
export function cliSpecFor(env: NodeJS.ProcessEnv): string {
  const fromEnv = env[CLI_SPEC_ENV]?.trim();
  if (fromEnv) return fromEnv;
  return isInstalledCopy() ? `^${readOwnVersion()}` : `file:${packageRoot()}`;
}
