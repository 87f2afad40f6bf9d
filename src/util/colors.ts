import chalk from 'chalk';

/**
 * The chalk every feature prints with, set up for this run (`NO_COLOR` turns colours off). The
 * CLI calls it before a command runs or an error prints; chalk is not loaded for `--help`.
 */
export function useColorPreference(env: NodeJS.ProcessEnv = process.env): typeof chalk {
  if ('NO_COLOR' in env) chalk.level = 0;
  return chalk;
}
