import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { TestProject } from 'vitest/node';
import { repoRoot } from './paths.js';

declare module 'vitest' {
  export interface ProvidedContext {
    cliTarball: string;
  }
}

/** Fails loudly without a build, and packs this checkout once: generated projects install that tarball, as a published install would. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  for (const bin of ['dist/cli/create-async-server.cjs', 'dist/cli/asyncsrv.cjs']) {
    if (!existsSync(join(repoRoot, bin))) throw new Error(`${bin} is missing: run \`npm run build\` first (\`npm test\` does).`);
  }
  const packDir = await mkdtemp(join(tmpdir(), 'cas-pack-'));
  const { stdout } = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: repoRoot });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  if (!packed) throw new Error(`npm pack printed no file: ${stdout}`);
  project.provide('cliTarball', join(packDir, packed.filename));
  return async () => {
    await rm(packDir, { recursive: true, force: true });
  };
}
