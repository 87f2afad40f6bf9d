import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ESLint, Linter } from 'eslint';
import { UsageError } from '../util/errors.js';
import { readOwnVersion } from '../util/package-info.js';
import { startProgress } from '../util/progress.js';
import { RULE_DOCS_DIRECTORY } from './docs.js';
import { assertLintEngine } from './engine.js';
import { LintCrashError, LintFindingsError } from './errors.js';
import { formatReport } from './formatters/index.js';
import { ignoreFilePatterns, toOxlintIgnorePattern } from './gitignore.js';
import { findOxlint, lintTypedWithOxlint, TYPED_RULES_META } from './oxlint-typed.js';
import { countFindings, type LintFileResult, type LintFormat, type LintMessage, type LintReport } from './report.js';

export interface LintOptions {
  /** Files or directories to lint, relative to the working directory; `['.']` when none are given. */
  paths: string[];
  /** Type-aware rules; undefined means "when tsconfig.json exists". */
  typed: boolean | undefined;
  /** Apply rules' autofixes (never suggestions, which may change behaviour). */
  fix: boolean;
  format: LintFormat;
  /** Warnings allowed before the exit code is 1; errors always fail. */
  maxWarnings: number;
}

export interface LintContext {
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  color: boolean;
}

/** Always skipped, whatever .gitignore says (vendored minified bundles too). */
export const DEFAULT_IGNORES = ['**/node_modules/', '**/dist/', '**/.data/', '**/.git/', '**/coverage/', '**/*.min.{js,mjs,cjs}'];

/** The rules' docs of this install, relative to the project when inside it (`node_modules/create-async-server/docs/rules/`). */
function docsLocation(cwd: string): string {
  const path = relative(cwd, RULE_DOCS_DIRECTORY);
  const shown = path === '' || path.startsWith('..') || isAbsolute(path) ? RULE_DOCS_DIRECTORY : `${path}${sep}`;
  return shown.split(sep).join('/');
}

/**
 * `asyncsrv lint`: runs ESLint with our plugin's recommended config (typed when asked or when a
 * tsconfig.json exists) over `paths`, prints the report and throws `LintFindingsError` when it
 * found more than the allowed problems.
 */
export async function runLint(options: LintOptions, context: LintContext): Promise<LintReport> {
  const { cwd } = context;
  for (const path of options.paths) {
    if (!existsSync(resolve(cwd, path)))
      throw new UsageError(
        `Path \`${path}\` does not exist.`,
        `Run \`asyncsrv lint\` in the project, or pass paths inside it (from ${cwd}).`,
      );
  }
  const hasTsconfig = existsSync(join(cwd, 'tsconfig.json'));
  if (options.typed === true && !hasTsconfig) {
    throw new UsageError(`\`--typed\` needs a tsconfig.json in ${cwd}.`, 'Run from the project root, or pass --no-typed.');
  }
  const typed = options.typed ?? hasTsconfig;
  const progress =
    context.stdout.isTTY && process.stderr.isTTY && options.format === 'stylish'
      ? startProgress(typed ? 'Linting (with types)…' : 'Linting…')
      : undefined;
  let report: LintReport;
  try {
    report = await collectLintReport(cwd, options.paths, { typed, fix: options.fix });
  } catch (error) {
    progress?.fail('Lint failed.');
    throw error;
  }
  progress?.succeed(`Linted ${report.fileCount} files.`);
  context.stdout.write(formatReport(report, options.format, { color: context.color, toolVersion: readOwnVersion() }));

  if (report.errorCount > 0 || report.warningCount > options.maxWarnings) {
    const total = report.errorCount + report.warningCount;
    const allowance = options.maxWarnings > 0 ? ` (--max-warnings ${options.maxWarnings})` : '';
    throw new LintFindingsError(
      `Found ${total} problem${total === 1 ? '' : 's'}${allowance}.`,
      `Each message says why it costs and how to fix it; docs: ${docsLocation(cwd)}<rule>.md. Silence a line with \`// eslint-disable-next-line <rule> -- reason\`.`,
    );
  }
  return report;
}

/**
 * Lints `paths` under `cwd` with our config and returns the findings, printing nothing: the core
 * of `asyncsrv lint`, also used by `asyncsrv dev` on the files a change touched. The typed tier
 * runs the type-aware rules through oxlint (typescript-go) beside an untyped ESLint run when
 * oxlint is installed (an optional dependency), and through ESLint's project service otherwise.
 */
export async function collectLintReport(
  cwd: string,
  paths: string[],
  { typed, fix }: { typed: boolean; fix: boolean },
): Promise<LintReport> {
  assertLintEngine();
  const oxlint = typed && process.env.ASYNCSRV_LINT_TYPED_ENGINE !== 'eslint' ? findOxlint() : undefined;
  let results: ESLint.LintResult[];
  let rulesMeta: RulesMeta;
  let typedFindings: Map<string, LintMessage[]> | undefined;
  try {
    if (oxlint) {
      // Both at once: oxlint is another process, and the untyped ESLint run may be served from its cache.
      const [eslintRun, oxlintRun] = await Promise.all([
        lintWithEslint(cwd, paths, false, fix, { followImports: true }),
        lintTypedWithOxlint(oxlint, cwd, paths, oxlintIgnores(cwd)),
      ]);
      ({ results, rulesMeta } = eslintRun);
      typedFindings = oxlintRun;
    } else {
      ({ results, rulesMeta } = await lintWithEslint(cwd, paths, typed, fix));
    }
    if (fix) {
      const { ESLint: ESLintClass } = await import('eslint');
      await ESLintClass.outputFixes(results);
    }
  } catch (error) {
    throw new LintCrashError(
      `${oxlint ? 'Lint' : 'ESLint'} failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      { cause: error },
    );
  }
  const report = toReport(cwd, results, rulesMeta);
  return typedFindings ? withTypedFindings(report, typedFindings) : report;
}

type RulesMeta = Record<string, { docs?: { description?: string; url?: string } }>;

async function lintWithEslint(
  cwd: string,
  paths: string[],
  typed: boolean,
  fix: boolean,
  { followImports = typed } = {},
): Promise<{ results: ESLint.LintResult[]; rulesMeta: RulesMeta }> {
  const eslint = await createEslint(cwd, typed, fix, followImports);
  let results = await eslint.lintFiles(paths);
  let rulesMeta = eslint.getRulesMetaForResults(results) as RulesMeta;
  // Files no tsconfig includes (scripts, stray tests) get the untyped rules instead of a parse error.
  const outsideProject = results.filter((result) => result.messages.some(isOutsideTsconfig));
  if (typed && outsideProject.length > 0) {
    const untyped = await createEslint(cwd, false, fix, true);
    const relinted = new Map(
      (await untyped.lintFiles(outsideProject.map((result) => result.filePath))).map((result) => [result.filePath, result]),
    );
    results = results.map((result) => relinted.get(result.filePath) ?? result);
    rulesMeta = { ...rulesMeta, ...(untyped.getRulesMetaForResults([...relinted.values()]) as RulesMeta) };
  }
  return { results, rulesMeta };
}

/** Adds oxlint's typed findings to the untyped report, in line order, with their rules' docs. */
function withTypedFindings(report: LintReport, typedFindings: Map<string, LintMessage[]>): LintReport {
  const files = new Map(report.files.map((file) => [file.path, file]));
  for (const [absolute, messages] of typedFindings) {
    const path = relative(report.root, absolute).split(sep).join('/');
    const file = files.get(path) ?? { path, messages: [] };
    file.messages = [...file.messages, ...messages].sort((a, b) => a.line - b.line || a.column - b.column);
    files.set(path, file);
  }
  const merged = [...files.values()].sort((a, b) => a.path.localeCompare(b.path));
  const rules = { ...report.rules };
  for (const message of merged.flatMap((file) => file.messages)) {
    const meta = message.ruleId ? TYPED_RULES_META[message.ruleId] : undefined;
    if (message.ruleId && meta) rules[message.ruleId] = meta;
  }
  return { ...report, files: merged, ...countFindings(merged), rules };
}

/** What oxlint must skip, as gitignore-style patterns: our defaults (braces expanded) and the project's ignore files. */
function oxlintIgnores(cwd: string): string[] {
  const patterns = DEFAULT_IGNORES.flatMap((pattern) => {
    const braces = /\{([^}]+)\}/.exec(pattern);
    return braces ? (braces[1] ?? '').split(',').map((option) => pattern.replace(braces[0], option)) : [pattern];
  });
  return [...patterns, ...ignoreFilePatterns(cwd).map(toOxlintIgnorePattern)];
}

async function createEslint(cwd: string, typed: boolean, fix: boolean, followImports: boolean): Promise<ESLint> {
  const [{ ESLint }, { default: plugin, TYPESCRIPT_FILES, SOURCE_FILES, FOLLOW_IMPORTS_RULES }] = await Promise.all([
    import('eslint'),
    import('./plugin/index.js'),
  ]);
  // A legacy .eslintignore has .gitignore syntax: honour both.
  const ignores = [...DEFAULT_IGNORES, ...ignoreFilePatterns(cwd)];
  const config = [
    { name: 'asyncsrv/ignores', ignores },
    // The project's disable comments name rules of its own config, which this run does not load.
    { name: 'asyncsrv/directives', linterOptions: { reportUnusedDisableDirectives: 'off' } },
    ...(typed ? plugin.configs['recommended-typed'] : plugin.configs.recommended),
    ...(typed
      ? [{ name: 'asyncsrv/tsconfig-root', files: TYPESCRIPT_FILES, languageOptions: { parserOptions: { tsconfigRootDir: cwd } } }]
      : []),
    ...(followImports ? [{ name: 'asyncsrv/follow-imports', files: SOURCE_FILES, rules: FOLLOW_IMPORTS_RULES }] : []),
  ] as Linter.Config[];
  // Untyped results depend on the file alone, so ESLint's cache is safe there; typed ones depend
  // on other files (types, helpers followed into them), so a typed run always lints everything.
  const cacheDir = join(cwd, 'node_modules', '.cache', 'asyncsrv-lint');
  const cache = !typed && !followImports && existsSync(join(cwd, 'node_modules'));
  return withoutEslintIgnoreWarning(
    () =>
      new ESLint({
        cwd,
        overrideConfigFile: true,
        overrideConfig: config,
        fix,
        errorOnUnmatchedPattern: false,
        warnIgnored: false,
        ...(cache ? { cache: true, cacheLocation: `${cacheDir}${sep}`, cacheStrategy: 'content' as const } : {}),
      }),
  );
}

/** ESLint warns about a .eslintignore file when it is constructed; we read that file ourselves. */
function withoutEslintIgnoreWarning<T>(create: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = function filtered(this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    if (rest[0] === 'ESLintIgnoreWarning') return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return create();
  } finally {
    process.emitWarning = emitWarning;
  }
}

function toReport(root: string, results: ESLint.LintResult[], rulesMeta: RulesMeta): LintReport {
  const files: LintFileResult[] = results
    .map((result) => ({
      path: (isAbsolute(result.filePath) ? relative(root, result.filePath) : result.filePath).split(sep).join('/'),
      messages: result.messages
        .filter((message) => !isUnknownRuleInDirective(message))
        .map((message) => ({
          ruleId: message.ruleId,
          severity: message.severity === 2 ? (2 as const) : (1 as const),
          message: message.message,
          // Some fatal messages (a file ESLint could not parse at all) carry no position.
          line: message.line ?? 1,
          column: message.column ?? 1,
          ...(message.endLine !== undefined ? { endLine: message.endLine } : {}),
          ...(message.endColumn !== undefined ? { endColumn: message.endColumn } : {}),
          ...(message.fatal ? { fatal: true } : {}),
        })),
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const rules = Object.fromEntries(
    Object.entries(rulesMeta).map(([id, meta]) => [id, { description: meta.docs?.description, url: meta.docs?.url }]),
  );
  return { root, fileCount: results.length, files, ...countFindings(files), rules };
}

/** `// eslint-disable-line some-plugin/rule` of a plugin we do not load: not a finding of ours. */
function isUnknownRuleInDirective(message: Linter.LintMessage): boolean {
  return message.ruleId !== null && message.message === `Definition for rule '${message.ruleId}' was not found.`;
}

function isOutsideTsconfig(message: Linter.LintMessage): boolean {
  return message.fatal === true && /was not found by the project service/.test(message.message);
}
