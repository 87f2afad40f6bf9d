import chalk from 'chalk';
import type { LintReport } from '../lint/index.js';

/** Findings in a few lines under the restart line: `file:line:col  rule  first sentence`. */
export function formatLintSummary(report: LintReport, max = 8): string {
  const findings = report.files.flatMap((file) => file.messages.map((message) => ({ file: file.path, ...message })));
  if (findings.length === 0) return '';
  const lines = findings.slice(0, max).map((finding) => {
    const mark = finding.severity === 2 ? chalk.red('✖') : chalk.yellow('⚠');
    const sentence = finding.message.split(/(?<=\.)\s/)[0] ?? finding.message;
    return `  ${mark} ${finding.file}:${finding.line}:${finding.column}  ${chalk.dim(finding.ruleId ?? 'parse')}  ${sentence}`;
  });
  if (findings.length > max) lines.push(chalk.dim(`  … and ${findings.length - max} more: run asyncsrv lint`));
  return [chalk.dim(`lint: ${findings.length} finding${findings.length === 1 ? '' : 's'} in the changed files`), ...lines].join('\n');
}
