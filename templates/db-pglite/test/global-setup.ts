import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Gives the tests a database: DATABASE_URL when it is set (e.g. a real PostgreSQL in CI),
 * otherwise an in-memory embedded server on a free port, started once for the whole run.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const fromEnv = process.env['DATABASE_URL'];
  if (fromEnv) {
    project.provide('databaseUrl', fromEnv);
    return;
  }
  // Room for every test file's pool and the server process the shutdown test starts.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/embedded-db.ts', '--port', '0', '--data', 'memory', '--max-connections', '64'],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const databaseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('The embedded database was not ready within 60 s.'));
    }, 60_000);
    child.once('exit', (code) => reject(new Error(`The embedded database exited with code ${code} before it was ready.`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('DATABASE_URL=')) return;
      clearTimeout(timer);
      resolve(line.slice('DATABASE_URL='.length));
    });
  });
  project.provide('databaseUrl', databaseUrl);

  return async function stopEmbeddedDatabase() {
    if (child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
}
