import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import plugin from '../../../src/lint/plugin/index.js';
import { repoRoot } from '../../e2e/helpers/paths.js';

const ruleFiles = readdirSync(join(repoRoot, 'src/lint/plugin/rules'))
  .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
  .map((file) => file.replace(/\.ts$/, ''));

/** Suggestions' own texts name the edit; only reports must say what, why and how. */
const SUGGESTION_MESSAGES = new Set(['useAll', 'combineSignals']);

describe('eslint plugin', () => {
  it('registers exactly one rule per file in rules/, under the file name', () => {
    expect(Object.keys(plugin.rules).sort()).toEqual([...ruleFiles].sort());
  });

  describe.each(ruleFiles)('%s', (name) => {
    const rule = plugin.rules[name as keyof typeof plugin.rules];

    it('is named after its file and links to its doc', () => {
      expect(rule.meta.docs?.url).toMatch(new RegExp(`/docs/rules/${name}\\.md$`));
    });

    it('has a doc that starts with its name and covers options', () => {
      const doc = join(repoRoot, 'docs/rules', `${name}.md`);
      expect(existsSync(doc), `docs/rules/${name}.md`).toBe(true);
      const text = readFileSync(doc, 'utf8');
      expect(text.startsWith(`# async-server/${name}\n`)).toBe(true);
      expect(text).toContain('## Options');
      expect(text).toContain(rule.meta.docs?.description ?? '<no description>');
    });

    it('is in recommended', () => {
      const [recommended] = plugin.configs.recommended;
      expect(recommended?.rules?.[`async-server/${name}`]).toBe('warn');
      expect(rule.meta.docs?.recommended).toBe(true);
    });

    it('has a closed options schema and named messages that say why and how', () => {
      const schema = rule.meta.schema as unknown as Array<{ additionalProperties?: boolean }>;
      expect(schema.length).toBeGreaterThan(0);
      for (const entry of schema) expect(entry.additionalProperties).toBe(false);
      const messages = Object.entries(rule.meta.messages);
      expect(messages.length).toBeGreaterThan(0);
      for (const [, message] of messages.filter(([id]) => !SUGGESTION_MESSAGES.has(id))) {
        expect(message.split('. ').length, message).toBeGreaterThanOrEqual(3);
      }
    });
  });

  it('recommended adds core no-await-in-loop and turns the noisy rules off in tests and scripts', () => {
    const [main, tests] = plugin.configs.recommended;
    expect(main?.rules?.['no-await-in-loop']).toBe('warn');
    expect(main?.plugins?.['async-server']).toBe(plugin);
    expect(tests?.files).toContain('**/*.{test,spec,e2e-spec}.{js,mjs,cjs,jsx,ts,mts,cts,tsx}');
    expect(tests?.files).toContain('**/scripts/**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}');
    for (const glob of tests?.files ?? []) expect(glob).toMatch(/\.\{js,mjs,cjs,jsx,ts,mts,cts,tsx\}$/);
    expect(tests?.rules?.['async-server/require-timeout']).toBe('off');
  });

  it.each([
    ['test/api.test.ts', 'off'],
    ['apps/web/e2e/login.ts', 'off'],
    ['src/app.e2e-spec.ts', 'off'],
    ['packages/slack/src/mock.ts', 'off'],
    ['db/knex_migrations/2025-06-13-add-column.js', 'off'],
    ['src/database/migrations/20250312_initial.js', 'off'],
    ['prisma/seeds/users.ts', 'off'],
    ['src/routes/users.ts', 'on'],
    ['src/migrate.ts', 'on'],
    ['src/mockup/page.ts', 'on'],
  ])('recommended, in %s: no-sequential-await is %s', async (file, expected) => {
    const { ESLint } = await import('eslint');
    const eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: true, overrideConfig: plugin.configs.recommended as never });
    const config = (await eslint.calculateConfigForFile(join(repoRoot, file))) as { rules: Record<string, unknown[]> };
    const [severity] = config.rules['async-server/no-sequential-await'] ?? [];
    expect(severity === 0 || severity === 'off' ? 'off' : 'on').toBe(expected);
  });

  it('recommended-typed adds the typescript-eslint promise rules with the project service', () => {
    const typed = plugin.configs['recommended-typed'];
    const last = typed[typed.length - 1];
    expect(last?.rules).toEqual({
      '@typescript-eslint/no-floating-promises': 'warn',
      '@typescript-eslint/no-misused-promises': 'warn',
      'async-server/no-blocking-in-handler': ['warn', { followImports: true }],
    });
    expect(last?.languageOptions?.parserOptions?.projectService).toBe(true);
    expect(typed.length).toBe(plugin.configs.recommended.length + 1);
  });

  it('has meta with name and the package version', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(plugin.meta).toMatchObject({ name: 'create-async-server/eslint-plugin', version: manifest.version });
  });
});
