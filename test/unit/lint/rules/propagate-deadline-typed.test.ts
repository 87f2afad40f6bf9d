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

ruleTester.run('propagate-deadline (typed)', propagateDeadline as never, {
  valid: [
    // the context has no deadline
    { filename, code: `${types}plain.get('/x', async (c) => c.json(await fetch(url, { signal: AbortSignal.timeout(500) })));` },
    { filename, code: `${types}app.get('/x', async (c) => c.json(await fetch(url, { signal: c.var.deadline.signal })));` },
  ],
  invalid: [
    {
      filename,
      code: `${types}app.get('/x', async (c) => c.json(await fetch(url, { signal: AbortSignal.timeout(500) })));`,
      errors: [{
        messageId: 'unrelatedSignal', line: 6, column: 62,
        suggestions: [{ messageId: 'combineSignals', output: `${types}app.get('/x', async (c) => c.json(await fetch(url, { signal: AbortSignal.any([c.var.deadline.signal, AbortSignal.timeout(500)]) })));` }],
      }],
    },
  ],
});
