import { Chalk } from 'chalk';
import type { LintReport } from '../report.js';

export interface StylishOptions {
  color: boolean;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * ESLint's familiar layout: the file, then `line:column  severity  message  rule` per finding,
 * then a summary line.
 * @example
 * process.stdout.write(formatStylish(report, { color: process.stdout.isTTY }));
 */
export function formatStylish(report: LintReport, { color }: StylishOptions): string {
  const paint = new Chalk({ level: color ? 1 : 0 });
  const lines: string[] = [];
  for (const file of report.files) {
    if (file.messages.length === 0) continue;
    lines.push(paint.underline(file.path));
    const positions = file.messages.map((message) => `${message.line}:${message.column}`);
    const width = Math.max(...positions.map((position) => position.length));
    file.messages.forEach((message, index) => {
      const severity = message.severity === 2 ? paint.red('error  ') : paint.yellow('warning');
      const rule = message.ruleId ? `  ${paint.dim(message.ruleId)}` : '';
      lines.push(`  ${paint.dim((positions[index] ?? '').padEnd(width))}  ${severity}  ${message.message}${rule}`);
    });
    lines.push('');
  }
  const total = report.errorCount + report.warningCount;
  if (total === 0) {
    lines.push(paint.green(`✔ No problems in ${plural(report.fileCount, 'file')}.`));
  } else {
    const summary = `✖ ${plural(total, 'problem')} (${plural(report.errorCount, 'error')}, ${plural(report.warningCount, 'warning')}) in ${plural(report.fileCount, 'file')}`;
    lines.push(report.errorCount > 0 ? paint.red.bold(summary) : paint.yellow.bold(summary));
  }
  return `${lines.join('\n')}\n`;
}
