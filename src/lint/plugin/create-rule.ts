import { ESLintUtils } from '@typescript-eslint/utils';

/** Where each rule's documentation lives; the meta-test checks that the file exists. */
export const ruleDocsUrl = (name: string): string =>
  `https://github.com/create-async-server/create-async-server/blob/main/docs/rules/${name}.md`;

export interface AsyncServerRuleDocs {
  /** Whether the rule is in `configs.recommended`. */
  recommended: boolean;
}

/** Every rule of the plugin is built with this, so they share docs URLs and typing. */
export const createRule = ESLintUtils.RuleCreator<AsyncServerRuleDocs>(ruleDocsUrl);
