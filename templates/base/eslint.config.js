// `npx eslint .` runs what `npm run lint` (asyncsrv lint) runs: the async anti-pattern rules of
// create-async-server (sequential awaits, calls without timeouts, clients made per request,
// blocking calls in handlers) and the type-aware promise rules of typescript-eslint.
import asyncServer from 'create-async-server/eslint-plugin';

export default [
  { ignores: ['dist/', '.data/', 'coverage/'] },
  ...asyncServer.configs['recommended-typed'],
  { languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } } },
];
