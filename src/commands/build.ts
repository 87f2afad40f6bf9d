import { Command } from 'commander';
import type { BuildOptions } from '../project/index.js';
import { withInterruptSignal } from '../util/signals.js';

/** `asyncsrv build`: compile the project to dist/. */
export function makeBuildCommand(): Command {
  return new Command('build')
    .description('Compile the project to dist/ with its own TypeScript (tsconfig.build.json); type errors are listed as file:line:column.')
    .action(async () => {
      const options = parseBuildOptions(process.cwd());
      const { runBuild } = await import('../project/index.js');
      await withInterruptSignal((signal) => runBuild(options, signal));
    });
}

/** No flags: the project is the one around the working directory. */
export function parseBuildOptions(cwd: string): BuildOptions {
  return { cwd };
}
