import { describe, expect, it } from 'vitest';
import { composeProject, deepMerge, renameTemplatePath, type TemplateLayer } from '../../../src/scaffold/compose-template.js';

const layer = (name: string, files: Record<string, string>, readmeSection?: string): TemplateLayer => ({
  name,
  files: new Map(Object.entries(files).map(([path, text]) => [path, Buffer.from(text)])),
  ...(readmeSection ? { readmeSection } : {}),
});

const values = { name: 'demo-app', cliSpec: 'file:/tmp/cli.tgz', pmRun: 'pnpm' };

describe('composeProject', () => {
  const base = layer('base', {
    'package.json': JSON.stringify({
      name: '{{name}}',
      scripts: { dev: 'asyncsrv dev' },
      devDependencies: { 'create-async-server': '{{cliSpec}}' },
    }),
    'README.md': '# {{name}}\n\nRun `{{pmRun}} dev`.\n\n{{dbSection}}\n{{deploySection}}\nEnd.\n',
    _gitignore: 'node_modules\n',
    'src/app.ts': 'export const x = "{{name}}";\n',
  });
  const db = layer(
    'db-pglite',
    {
      'package.json': JSON.stringify({ scripts: { db: 'tsx scripts/embedded-db.ts' }, devDependencies: { tsx: '^4' } }),
      'README.section.md': '## Database\n\nEmbedded.\n',
      '_env.example': 'PORT=3000\n',
    },
    'dbSection',
  );

  it('renames dotfiles, merges package.json fragments and fills placeholders', () => {
    const files = composeProject([base, db], values);
    expect([...files.keys()].sort()).toEqual(['.env.example', '.gitignore', 'README.md', 'package.json', 'src/app.ts']);
    expect(JSON.parse(files.get('package.json')!.toString())).toEqual({
      name: 'demo-app',
      scripts: { dev: 'asyncsrv dev', db: 'tsx scripts/embedded-db.ts' },
      devDependencies: { 'create-async-server': 'file:/tmp/cli.tgz', tsx: '^4' },
    });
  });

  it('fills README sections of the chosen layers and drops the markers of the others', () => {
    const readme = composeProject([base, db], values).get('README.md')!.toString();
    expect(readme).toBe('# demo-app\n\nRun `pnpm dev`.\n\n## Database\n\nEmbedded.\nEnd.\n');
  });

  it('leaves placeholders in code files alone (they are plain TypeScript)', () => {
    expect(composeProject([base, db], values).get('src/app.ts')!.toString()).toContain('{{name}}');
  });

  it('lets a later layer replace a file of an earlier one', () => {
    const files = composeProject([base, layer('over', { 'src/app.ts': 'replaced\n' })], values);
    expect(files.get('src/app.ts')!.toString()).toBe('replaced\n');
  });

  it('lets a later layer take away files of earlier ones (template-removes.txt), then write its own', () => {
    const minimal = layer('minimal', {
      'template-removes.txt': '# demo pieces\nsrc/app.ts\n\n_gitignore  # by its template name\n',
      'src/app.ts': 'export const minimal = true;\n',
    });
    const files = composeProject([base, db, minimal], values);
    expect(files.get('src/app.ts')?.toString()).toBe('export const minimal = true;\n');
    expect(files.has('.gitignore')).toBe(false);
    expect(files.has('template-removes.txt')).toBe(false);
  });

  it('refuses to remove a file no earlier layer wrote (a template bug, not a silent no-op)', () => {
    const stale = layer('minimal', { 'template-removes.txt': 'src/gone.ts\n' });
    expect(() => composeProject([base, stale], values)).toThrow(
      'Template layer minimal removes src/gone.ts, which no earlier layer writes',
    );
  });

  it('rejects an unknown placeholder, naming the file', () => {
    const bad = layer('base', { 'package.json': '{"name":"{{nmae}}"}' });
    expect(() => composeProject([bad], values)).toThrow(/\{\{nmae\}\} in template package\.json/);
  });
});

describe('renameTemplatePath', () => {
  it.each([
    ['_gitignore', '.gitignore'],
    ['deploy/_dockerignore', 'deploy/.dockerignore'],
    ['src/routes/json.ts', 'src/routes/json.ts'],
    ['_github/workflows/ci.yml', '.github/workflows/ci.yml'],
  ])('%s → %s', (from, to) => {
    expect(renameTemplatePath(from)).toBe(to);
  });
});

describe('deepMerge', () => {
  it('merges nested objects and replaces arrays and scalars', () => {
    expect(deepMerge({ a: { b: 1, c: [1] }, d: 'x' }, { a: { c: [2], e: 3 }, d: 'y' })).toEqual({ a: { b: 1, c: [2], e: 3 }, d: 'y' });
  });
});
