import { ESLintUtils } from '@typescript-eslint/utils';
import { ruleDocsUrl } from '../docs.js';

export { ruleDocsUrl };

export interface AsyncServerRuleDocs {
  /** Whether the rule is in `configs.recommended`. */
  recommended: boolean;
}

/** Every rule of the plugin is built with this, so they share docs URLs and typing. */
export const createRule = ESLintUtils.RuleCreator<AsyncServerRuleDocs>(ruleDocsUrl);
