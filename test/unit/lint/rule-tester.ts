import { RuleTester, type RunTests } from '@typescript-eslint/rule-tester';
import type { RuleModule } from '@typescript-eslint/utils/ts-eslint';
import { afterAll, describe, it } from 'vitest';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

/**
 * Runs RuleTester (wired to vitest, parsing TypeScript modules without type information: our
 * rules do not need it) over one rule's valid and invalid cases.
 */
export function runRuleTests<MessageIds extends string, Options extends readonly unknown[]>(
  name: string,
  rule: RuleModule<MessageIds, Options, unknown>,
  tests: RunTests<MessageIds, Options>,
): void {
  const ruleTester = new RuleTester({ languageOptions: { parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } } });
  // rule-tester ships its own copy of @typescript-eslint/utils: same shapes, distinct private types.
  ruleTester.run(name, rule as never, tests);
}
