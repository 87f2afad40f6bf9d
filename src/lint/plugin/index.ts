import { createRequire } from 'node:module';
import type { TSESLint } from '@typescript-eslint/utils';
import { readOwnVersion } from '../../util/package-info.js';
import { rules } from './rules/index.js';

type FlatConfig = TSESLint.FlatConfig.Config;

/** The namespace our rules live under: `async-server/no-sequential-await`. */
export const PLUGIN_NAMESPACE = 'async-server';
const SOURCE_EXTENSIONS = '{js,mjs,cjs,jsx,ts,mts,cts,tsx}';
export const SOURCE_FILES = [`**/*.${SOURCE_EXTENSIONS}`];
export const TYPESCRIPT_FILES = ['**/*.{ts,mts,cts,tsx}'];
/**
 * Tests sequence their steps on purpose and talk to local servers under the runner's own timeout;
 * end-to-end suites (`e2e/`, `*.e2e-spec.ts`) and mocks are tests too.
 * Each glob names source extensions: a `files` glob also decides what ESLint lints at all.
 */
export const TEST_FILES = [
  `**/*.{test,spec,e2e-spec}.${SOURCE_EXTENSIONS}`,
  `**/test/**/*.${SOURCE_EXTENSIONS}`,
  `**/tests/**/*.${SOURCE_EXTENSIONS}`,
  `**/__tests__/**/*.${SOURCE_EXTENSIONS}`,
  `**/e2e/**/*.${SOURCE_EXTENSIONS}`,
  `**/__mocks__/**/*.${SOURCE_EXTENSIONS}`,
  `**/{mock,mocks}.${SOURCE_EXTENSIONS}`,
  `**/*.mock.${SOURCE_EXTENSIONS}`,
];
/**
 * One-off tools (build, seed, fetch-data scripts) and database migrations: no request waits on
 * them, and their steps (DDL on one table, often in one transaction) run in order on purpose.
 */
export const SCRIPT_FILES = [
  `**/script/**/*.${SOURCE_EXTENSIONS}`,
  `**/scripts/**/*.${SOURCE_EXTENSIONS}`,
  `**/{migrations,migration,*_migrations,*-migrations}/**/*.${SOURCE_EXTENSIONS}`,
  `**/{seeds,seeders}/**/*.${SOURCE_EXTENSIONS}`,
];

// The parser and typescript-eslint's own rules are dependencies of `typescript-eslint` (ours):
// resolve them from there so they load only when a config uses them.
const requireFromTypescriptEslint = (): NodeJS.Require => createRequire(createRequire(import.meta.url).resolve('typescript-eslint'));
type ParserModule = { parseForESLint: (code: string, options?: unknown) => unknown };
let parser: ParserModule | undefined;
const loadParser = (): ParserModule => (parser ??= requireFromTypescriptEslint()('@typescript-eslint/parser') as ParserModule);

/**
 * typescript-eslint's parser, loaded on the first parse: loading it loads TypeScript (~0.4 s),
 * which a run whose files all hit ESLint's cache never needs.
 */
const lazyParser = {
  meta: {
    name: '@typescript-eslint/parser',
    get version(): string {
      return (createRequire(import.meta.url)('typescript-eslint/package.json') as { version: string }).version;
    },
  },
  parseForESLint: (code: string, options?: unknown): unknown => loadParser().parseForESLint(code, options),
} as unknown as TSESLint.FlatConfig.Parser;

export interface AsyncServerPlugin {
  meta: { name: string; version: string; namespace: string };
  rules: typeof rules;
  configs: {
    /** Our four rules and core `no-await-in-loop`, on JS and TS files (parsed with typescript-eslint's parser). */
    readonly recommended: FlatConfig[];
    /** `recommended` plus `@typescript-eslint/no-floating-promises` and `no-misused-promises` (needs type information). */
    readonly 'recommended-typed': FlatConfig[];
  };
}

const plugin: AsyncServerPlugin = {
  meta: {
    name: 'create-async-server/eslint-plugin',
    get version() {
      return readOwnVersion();
    },
    namespace: PLUGIN_NAMESPACE,
  },
  rules,
  configs: {
    get recommended() {
      return recommendedConfig();
    },
    get 'recommended-typed'() {
      return recommendedTypedConfig();
    },
  },
};

function recommendedConfig(): FlatConfig[] {
  const ruleLevels = Object.fromEntries(Object.keys(rules).map((name) => [`${PLUGIN_NAMESPACE}/${name}`, 'warn' as const]));
  return [
    {
      name: 'async-server/recommended',
      files: SOURCE_FILES,
      languageOptions: { parser: lazyParser, sourceType: 'module', ecmaVersion: 'latest' },
      plugins: { [PLUGIN_NAMESPACE]: plugin as unknown as TSESLint.FlatConfig.Plugin },
      rules: { ...ruleLevels, 'no-await-in-loop': 'warn' },
    },
    {
      name: 'async-server/recommended/tests-and-scripts',
      files: [...TEST_FILES, ...SCRIPT_FILES],
      rules: {
        [`${PLUGIN_NAMESPACE}/require-timeout`]: 'off',
        [`${PLUGIN_NAMESPACE}/no-sequential-await`]: 'off',
        'no-await-in-loop': 'off',
      },
    },
  ];
}

/** What the typed tier adds to our rules: following helpers into other files (its runs are not cached). */
export const FOLLOW_IMPORTS_RULES = {
  [`${PLUGIN_NAMESPACE}/no-blocking-in-handler`]: ['warn', { followImports: true }],
} satisfies FlatConfig['rules'];

function recommendedTypedConfig(): FlatConfig[] {
  const typescriptPlugin = requireFromTypescriptEslint()('@typescript-eslint/eslint-plugin') as TSESLint.FlatConfig.Plugin;
  return [
    ...recommendedConfig(),
    {
      name: 'async-server/recommended-typed',
      files: TYPESCRIPT_FILES,
      languageOptions: { parserOptions: { projectService: true } },
      plugins: { '@typescript-eslint': typescriptPlugin },
      rules: {
        '@typescript-eslint/no-floating-promises': 'warn',
        '@typescript-eslint/no-misused-promises': 'warn',
        ...FOLLOW_IMPORTS_RULES,
      },
    },
  ];
}

export default plugin;
export { rules };
