/** One finding, as the formatters see it (a plain copy of ESLint's message, path made relative). */
export interface LintMessage {
  ruleId: string | null;
  /** 1 warning, 2 error. */
  severity: 1 | 2;
  message: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** A parse error: the file could not be linted at all. */
  fatal?: boolean;
}

export interface LintFileResult {
  /** Relative to the report's root, with `/` separators. */
  path: string;
  messages: LintMessage[];
}

export interface LintRuleInfo {
  description?: string;
  url?: string;
}

/** What a lint run found: the input of every formatter. */
export interface LintReport {
  root: string;
  /** Files linted, with or without findings. */
  fileCount: number;
  files: LintFileResult[];
  errorCount: number;
  warningCount: number;
  /** Metadata of the rules that reported something, by rule id. */
  rules: Record<string, LintRuleInfo>;
}

export const LINT_FORMATS = ['stylish', 'json', 'sarif'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

/** Counts the findings of `files`: the report's totals. */
export function countFindings(files: readonly LintFileResult[]): { errorCount: number; warningCount: number } {
  let errorCount = 0;
  let warningCount = 0;
  for (const file of files) {
    for (const message of file.messages) {
      if (message.severity === 2) errorCount += 1;
      else warningCount += 1;
    }
  }
  return { errorCount, warningCount };
}
