import chalk from 'chalk';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatLintSummary } from '../../../src/dev/lint-summary.js';
import type { LintReport } from '../../../src/lint/index.js';

beforeAll(() => {
  chalk.level = 0;
});

const report = (count: number): LintReport => ({
  root: '/p',
  fileCount: 1,
  files: [
    {
      path: 'src/a.ts',
      messages: Array.from({ length: count }, (_, i) => ({
        ruleId: 'async-server/require-timeout',
        severity: 1 as const,
        message: `Call ${i} has no timeout. It can hang forever.`,
        line: i + 1,
        column: 3,
      })),
    },
  ],
  errorCount: 0,
  warningCount: count,
  rules: {},
});

describe('formatLintSummary', () => {
  it('prints nothing for a clean file', () => {
    expect(formatLintSummary(report(0))).toBe('');
  });

  it('shows file:line:col, the rule and the first sentence, and caps the list', () => {
    expect(formatLintSummary(report(1))).toBe(
      'lint: 1 finding in the changed files\n  ⚠ src/a.ts:1:3  async-server/require-timeout  Call 0 has no timeout.',
    );
    const long = formatLintSummary(report(10), 8).split('\n');
    expect(long).toHaveLength(10);
    expect(long.at(-1)).toBe('  … and 2 more: run asyncsrv lint');
  });
});
