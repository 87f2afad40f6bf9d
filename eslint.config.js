// We lint our own code as a user of ours would lint theirs: typescript-eslint's recommended rules
// and our own plugin's (the async anti-patterns `asyncsrv lint` reports), over src, bench, test,
// the templates, scripts and bin. Part of `npm test`: an error fails it.
import tseslint from 'typescript-eslint';
import asyncServer from 'create-async-server/eslint-plugin';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tmp/', 'coverage/', 'test/**/fixtures/', 'templates/**/node_modules/'] },
  ...tseslint.configs.recommended,
  ...asyncServer.configs.recommended,
  {
    rules: {
      // `let timer; const settle = () => clearTimeout(timer); timer = setTimeout(...)`: read by a closure before it is set.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  // The executables are CommonJS shims (bin/package.json): require is how they load the bundle.
  { files: ['bin/**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // Benchmarks measure one contender at a time on purpose: alternating, never concurrently.
  { files: ['bench/**'], rules: { 'async-server/no-sequential-await': 'off', 'no-await-in-loop': 'off' } },
);
