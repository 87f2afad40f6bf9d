import { Command } from 'commander';
import { withInterruptSignal } from '../util/signals.js';

/** `asyncsrv build`: compile the project to dist/. */
export function makeBuildCommand(): Command {
  return new Command('build')
    .description("Compile the project to dist/ with its own TypeScript (tsconfig.build.json); type errors are listed as file:line:column.")
    .action(async () => {
      const [{ buildProject, findProject }, { startProgress }] = await Promise.all([import('../project/index.js'), import('../util/progress.js')]);
      const project = findProject(process.cwd());
      const progress = startProgress('Compiling…');
      await withInterruptSignal((signal) => buildProject(project, signal)).catch((error: unknown) => {
        progress.fail('Build failed.');
        throw error;
      });
      progress.succeed('Built dist/.');
    });
}
