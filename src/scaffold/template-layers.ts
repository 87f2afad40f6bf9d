import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { packageRoot } from '../util/package-info.js';
import type { TemplateLayer } from './compose-template.js';
import type { ScaffoldChoices } from './options.js';

export function templatesDir(): string {
  return join(packageRoot(), 'templates');
}

/** The layers a set of choices uses, in the order they apply. */
export function layerNamesFor(
  choices: Pick<ScaffoldChoices, 'db' | 'deploy' | 'minimal'>,
): Array<{ name: string; readmeSection?: string }> {
  return [
    { name: 'base', readmeSection: 'routesSection' },
    { name: `db-${choices.db}`, readmeSection: 'dbSection' },
    ...(choices.deploy ? [{ name: 'deploy', readmeSection: 'deploySection' }] : []),
    // Last: it takes the demo routes, their tests and the benchmark table away from what the others wrote.
    ...(choices.minimal ? [{ name: 'minimal', readmeSection: 'routesSection' }] : []),
  ];
}

export async function readTemplateLayers(
  choices: Pick<ScaffoldChoices, 'db' | 'deploy' | 'minimal'>,
  root: string = templatesDir(),
): Promise<TemplateLayer[]> {
  return Promise.all(
    layerNamesFor(choices).map(async ({ name, readmeSection }) => ({
      name,
      files: await readFolder(join(root, name)),
      ...(readmeSection ? { readmeSection } : {}),
    })),
  );
}

async function readFolder(dir: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && !isBuildOutput(relative(dir, entry.parentPath)))
    .map((entry) => join(entry.parentPath, entry.name));
  const contents = await Promise.all(files.map((file) => readFile(file)));
  return new Map(files.map((file, i) => [relative(dir, file).split(sep).join('/'), contents[i] as Buffer]));
}

/** Leftovers of a local run inside templates/ (installs, builds, data) are never part of a project. */
function isBuildOutput(folder: string): boolean {
  return folder.split(sep).some((segment) => segment === 'node_modules' || segment === 'dist' || segment === '.data');
}
