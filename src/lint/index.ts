export { collectLintReport, runLint, DEFAULT_IGNORES, type LintContext, type LintOptions } from './run-lint.js';
export { LintCrashError, LintFindingsError } from './errors.js';
export { formatReport } from './formatters/index.js';
export { LINT_FORMATS, type LintFormat, type LintReport } from './report.js';
