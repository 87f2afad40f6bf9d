import type { LintReport } from '../report.js';

/**
 * The report as one JSON document: `{ root, fileCount, errorCount, warningCount, files: [{ path,
 * messages }] }`, files without findings left out; for scripts and CI.
 */
export function formatJson(report: LintReport): string {
  const files = report.files.filter((file) => file.messages.length > 0);
  const { root, fileCount, errorCount, warningCount } = report;
  return `${JSON.stringify({ root, fileCount, errorCount, warningCount, files }, null, 2)}\n`;
}
