import { join } from 'node:path';
import { execa } from 'execa';
import { CancelledError, UserError } from '../util/errors.js';
import { startProgress } from '../util/progress.js';
import { findProject, type Project } from './find-project.js';

export interface BuildOptions {
  cwd: string;
}

/** `asyncsrv build`: compiles the project found from `cwd`, with a progress line. */
export async function runBuild(options: BuildOptions, signal: AbortSignal): Promise<void> {
  const project = findProject(options.cwd);
  const progress = startProgress('Compiling…');
  await buildProject(project, signal).catch((error: unknown) => {
    progress.fail('Build failed.');
    throw error;
  });
  progress.succeed('Built dist/.');
}

/** `src/app.ts(12,5): error TS2322: …` → `src/app.ts:12:5  TS2322 …`, the form editors and terminals link. */
export function formatTscDiagnostics(output: string): string[] {
  return output
    .split('\n')
    .map((line) => /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, file, line, column, code, message]) => `${file}:${line}:${column}  ${code} ${message}`);
}

/** Compiles the project with its own TypeScript (`tsconfig.build.json` → dist/); type errors become one UserError. */
export async function buildProject(project: Project, signal: AbortSignal): Promise<void> {
  const tsc = join(project.root, 'node_modules', '.bin', 'tsc');
  const result = await execa(tsc, ['-p', 'tsconfig.build.json', '--pretty', 'false'], {
    cwd: project.root,
    reject: false,
    all: true,
    cancelSignal: signal,
    stdin: 'ignore',
  });
  // A terminal's Ctrl-C also reaches tsc (same process group): its death by SIGINT is the cancel too.
  if (result.isCanceled || signal.aborted || result.signal === 'SIGINT') throw new CancelledError('Cancelled while building the project.');
  if (!result.failed) return;
  if ((result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new UserError(`The project has no TypeScript compiler (${tsc}).`, 'Run `npm install` in the project first.');
  }
  const diagnostics = formatTscDiagnostics(result.all ?? '');
  const shown = diagnostics.slice(0, 20);
  const more = diagnostics.length > shown.length ? `\n… and ${diagnostics.length - shown.length} more` : '';
  throw new UserError(
    diagnostics.length > 0
      ? `The project does not compile (${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}):\n${shown.join('\n')}${more}`
      : `The build failed (tsc exited with ${result.exitCode}):\n${(result.all ?? '').trim()}`,
    'Fix these, then build again (`npm run typecheck` shows the same).',
  );
}
