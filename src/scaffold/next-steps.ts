import chalk from 'chalk';
import { installCommand, runScriptCommand, type ScaffoldChoices } from './options.js';

/** The closing message: where the project is and the commands to run next, for the chosen package manager. */
export function formatNextSteps(choices: ScaffoldChoices, shownDir: string, installed: boolean): string {
  const run = runScriptCommand(choices.pm);
  const steps = [
    ...(shownDir === '.' ? [] : [`cd ${shownDir}`]),
    ...(installed ? [] : [installCommand(choices.pm).join(' ')]),
    ...(choices.db === 'postgres' ? ['cp .env.example .env   # then set DATABASE_URL to your PostgreSQL'] : []),
    `${run} dev      # start with watch and restart`,
    `${run} test     # run the project's tests`,
    ...(choices.minimal
      ? [
          `npx asyncsrv add route orders   # add a route beside the example (src/routes/items.ts)`,
          `${run} bench    # load-test the routes bench.json lists`,
        ]
      : [`${run} bench    # load-test the json, db and external scenarios`]),
  ];
  return [
    '',
    `${chalk.green('Done.')} Created ${chalk.bold(shownDir)} (${choices.db === 'pglite' ? 'embedded PGlite database' : 'PostgreSQL'}${choices.deploy ? ', deployment files' : ''}${choices.minimal ? ', minimal' : ''}).`,
    '',
    'Next steps:',
    ...steps.map((step) => `  ${chalk.cyan(step)}`),
    '',
  ].join('\n');
}
