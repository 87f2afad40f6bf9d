import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from './helpers/cli.js';
import { createBin } from './helpers/paths.js';

const ptySession = join(import.meta.dirname, 'fixtures', 'pty-session.py');
const DOWN = '\u001b[B';
const ENTER = '\r';
const CTRL_C = '\u0003';

/** Runs the real binary in a pseudo-terminal, typing `steps` as a person would. */
function runInTerminal(steps: Array<{ expect: string; send: string }>, cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TERM: 'xterm' };
  delete env.CI;
  delete env.npm_config_user_agent;
  return execa('python3', [ptySession, JSON.stringify(steps), '--', 'node', createBin], {
    cwd,
    env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 90_000,
  });
}

let work: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  work = await makeTempDir('cas-tty-');
});
afterAll(async () => {
  await work.remove();
});

describe('interactive scaffolding in a terminal', () => {
  it('asks every question and builds the project from the answers', async () => {
    const result = await runInTerminal(
      [
        { expect: 'Project directory', send: `Not Valid${ENTER}` },
        { expect: 'Invalid project name', send: `${'\u007f'.repeat(9)}tty-app${ENTER}` },
        { expect: 'Database', send: `${DOWN}${ENTER}` },
        { expect: 'Package manager', send: ENTER },
        { expect: 'Install dependencies now?', send: `n${ENTER}` },
        { expect: 'Initialise a git repository?', send: `n${ENTER}` },
        { expect: 'Add deployment files', send: `y${ENTER}` },
        { expect: 'Start minimal', send: `y${ENTER}` },
        { expect: 'Next steps', send: '' },
      ],
      work.path,
    );
    expect(result.exitCode, result.stdout).toBe(0);
    const dir = join(work.path, 'tty-app');
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      devDependencies: Record<string, string>;
    };
    expect(manifest.name).toBe('tty-app');
    expect(manifest.devDependencies).not.toHaveProperty('@electric-sql/pglite-socket');
    expect(existsSync(join(dir, 'Dockerfile'))).toBe(true);
    expect(existsSync(join(dir, 'src', 'routes', 'items.ts'))).toBe(true); // minimal: the example route
    expect(existsSync(join(dir, 'src', 'routes', 'json.ts'))).toBe(false);
    expect(existsSync(join(dir, '.git'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
  });

  it.each(['Project directory', 'Database', 'Add deployment files', 'Start minimal'])(
    'Ctrl-C at "%s" exits 130 and leaves nothing behind',
    async (prompt) => {
      const before = await readdir(work.path);
      const answers = [
        { expect: 'Project directory', send: `ctrl-c-app${ENTER}` },
        { expect: 'Database', send: ENTER },
        { expect: 'Package manager', send: ENTER },
        { expect: 'Install dependencies now?', send: ENTER },
        { expect: 'Initialise a git repository?', send: ENTER },
        { expect: 'Add deployment files', send: ENTER },
      ];
      const upTo = answers.findIndex((step) => step.expect === prompt);
      const steps = [...answers.slice(0, upTo === -1 ? answers.length : upTo), { expect: prompt, send: CTRL_C }];
      const result = await runInTerminal(steps, work.path);
      expect(result.exitCode, result.stdout).toBe(130);
      expect(result.stdout).not.toMatch(/\n\s+at /);
      expect(await readdir(work.path)).toEqual(before);
    },
  );
});
