import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import { propagateDeadline } from '../../../../src/lint/plugin/rules/propagate-deadline.js';
import { repoRoot } from '../../../e2e/helpers/paths.js';
import '../rule-tester.js';

/**
 * The typed tier: a route file that never reads the deadline still has one when its context's
 * type says so (`Context<{ Variables: { deadline: ... } }>`).
 */
const fixtures = join(repoRoot, 'test/unit/lint/fixtures/typed');
const ruleTester = new RuleTester({
  languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixtures } },
});
const types = `type Deadline = { signal: AbortSignal; remainingMs: number };
interface Context<V> { var: V; json(body: unknown): Response }
declare const app: { get(path: string, handler: (c: Context<{ deadline: Deadline }>) => unknown): void };
declare const plain: { get(path: string, handler: (c: Context<{ requestId: string }>) => unknown): void };
declare const url: string;
`;
const filename = 'routes.ts';
/** The generated project's shape: the deadline is a binding of the server's (`c.env`), the context type says so. */
const envTypes = `type Deadline = { signal: AbortSignal };
interface Context<B> { env: B; json(body: unknown): Response }
declare const app: { get(path: string, handler: (c: Context<{ deadline: Deadline; requestId: string }>) => unknown): void };
declare const url: string;
`;

ruleTester.run('propagate-deadline (typed)', propagateDeadline as never, {
  valid: [
    // the context has no deadline
    { filename, code: `${types}plain.get('/x', async (c) => c.json(await fetch(url, { signal: AbortSignal.timeout(500) })));` },
    { filename, code: `${types}app.get('/x', async (c) => c.json(await fetch(url, { signal: c.var.deadline.signal })));` },
    { filename, code: `${envTypes}app.get('/x', async (c) => c.json(await fetch(url, { signal: c.env.deadline.signal })));` },
  ],
  invalid: [
    {
      filename,
      code: `${types}app.get('/x', async (c) => c.json(await fetch(url, { signal: AbortSignal.timeout(500) })));`,
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 6,
          column: 62,
          suggestions: [
            {
              messageId: 'combineSignals',
              output: `${types}app.get('/x', async (c) => c.json(await fetch(url, { signal: AbortSignal.any([c.var.deadline.signal, AbortSignal.timeout(500)]) })));`,
            },
          ],
        },
      ],
    },
    {
      filename,
      code: `${envTypes}app.get('/x', async (c) => c.json(await fetch(url, { signal: AbortSignal.timeout(500) })));`,
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 5,
          column: 62,
          suggestions: [
            {
              messageId: 'combineSignals',
              output: `${envTypes}app.get('/x', async (c) => c.json(await fetch(url, { signal: AbortSignal.any([c.env.deadline.signal, AbortSignal.timeout(500)]) })));`,
            },
          ],
        },
      ],
    },
  ],
});
