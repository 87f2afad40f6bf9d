import type { LintFormat, LintReport } from '../report.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatStylish } from './stylish.js';

export interface FormatOptions {
  color: boolean;
  toolVersion: string;
}

/** The report as text in `format`: pure, so every format is unit-tested. */
export function formatReport(report: LintReport, format: LintFormat, options: FormatOptions): string {
  if (format === 'json') return formatJson(report);
  if (format === 'sarif') return formatSarif(report, options);
  return formatStylish(report, options);
}

export { formatJson, formatSarif, formatStylish };
