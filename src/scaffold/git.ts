import { execa } from 'execa';

export type GitResult = 'committed' | 'no-git' | 'inside-repo' | 'failed';

/** `git init` plus a first commit; never fails the scaffold (the caller warns instead). */
export async function initGitRepository(projectDir: string): Promise<GitResult> {
  const git = (args: string[]) => execa('git', args, { cwd: projectDir, reject: false, stdin: 'ignore' });
  const version = await git(['--version']);
  if (version.failed) return 'no-git';
  const inside = await git(['rev-parse', '--is-inside-work-tree']);
  if (!inside.failed && inside.stdout.trim() === 'true') return 'inside-repo';
  if ((await git(['init', '-q'])).failed) return 'failed';
  if ((await git(['add', '-A'])).failed) return 'failed';
  // A machine without a git identity still gets its first commit, under the tool's name.
  const identity = (await git(['config', 'user.email'])).stdout.trim()
    ? []
    : ['-c', 'user.name=create-async-server', '-c', 'user.email=create-async-server@users.noreply.local'];
  const commit = await git([...identity, 'commit', '-q', '--no-verify', '-m', 'Initial commit from create-async-server']);
  return commit.failed ? 'failed' : 'committed';
}
