import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { LintMessage } from './report.js';

/** The type-aware rules of the typed tier, as ESLint names them. */
export const TYPED_RULES = ['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-misused-promises'] as const;

/** Where the typed rules are documented (SARIF `helpUri`). */
export const TYPED_RULES_META: Record<string, { description: string; url: string }> = {
  '@typescript-eslint/no-floating-promises': {
    description: 'Require Promise-like statements to be handled appropriately',
    url: 'https://typescript-eslint.io/rules/no-floating-promises',
  },
  '@typescript-eslint/no-misused-promises': {
    description: 'Disallow Promises in places not designed to handle them',
    url: 'https://typescript-eslint.io/rules/no-misused-promises',
  },
};

interface OxlintDiagnostic {
  message: string;
  code?: string;
  severity?: string;
  filename: string;
  labels?: Array<{ span: { line: number; column: number; length: number } }>;
}

/** The two executables, when the optional dependencies installed (a platform they support). */
export function findOxlint(): { oxlint: string; tsgolint: string } | undefined {
  const require = createRequire(import.meta.url);
  try {
    const oxlintRoot = dirname(require.resolve('oxlint/package.json'));
    const shimRoot = dirname(require.resolve('oxlint-tsgolint/package.json'));
    // The native tsgolint of this platform (an optional dependency of oxlint-tsgolint).
    const platform = `@oxlint-tsgolint/${process.platform}-${process.arch}`;
    const nativeRoot = dirname(createRequire(join(shimRoot, 'package.json')).resolve(`${platform}/package.json`));
    const tsgolint = join(nativeRoot, process.platform === 'win32' ? 'tsgolint.exe' : 'tsgolint');
    const manifest = JSON.parse(readFileSync(join(oxlintRoot, 'package.json'), 'utf8')) as { bin?: Record<string, string> | string };
    const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.oxlint;
    if (!bin || !existsSync(tsgolint)) return undefined;
    return { oxlint: join(oxlintRoot, bin), tsgolint };
  } catch {
    return undefined;
  }
}

/**
 * Runs `no-floating-promises` and `no-misused-promises` through oxlint's type-aware mode
 * (typescript-go: the program builds several times faster than with TypeScript's own compiler)
 * over `paths`, and returns their findings by absolute file path.
 */
export async function lintTypedWithOxlint(
  executables: { oxlint: string; tsgolint: string },
  cwd: string,
  paths: string[],
  ignores: string[],
): Promise<Map<string, LintMessage[]>> {
  const args = [
    executables.oxlint,
    '--type-aware',
    '--format',
    'json',
    '-A',
    'all',
    ...TYPED_RULES.flatMap((rule) => ['-W', rule.replace('@typescript-eslint/', 'typescript/')]),
    ...ignores.flatMap((pattern) => ['--ignore-pattern', pattern]),
    ...paths,
  ];
  const stdout = await new Promise<string>((resolvePromise, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd, env: { ...process.env, OXLINT_TSGOLINT_PATH: executables.tsgolint }, maxBuffer: 64 * 1024 * 1024 },
      (error, out, err) => {
        // oxlint exits 1 when it found errors; a crash prints no JSON.
        if (error && !out.trimStart().startsWith('{'))
          reject(
            new Error(
              `oxlint failed: ${(err || error.message).split('\n')[0]} (ASYNCSRV_LINT_TYPED_ENGINE=eslint runs the typed rules through ESLint instead)`,
            ),
          );
        else resolvePromise(out);
      },
    );
  });
  const { diagnostics } = JSON.parse(stdout) as { diagnostics: OxlintDiagnostic[] };
  const byFile = new Map<string, LintMessage[]>();
  for (const diagnostic of diagnostics) {
    const rule = /\(([^)]+)\)$/.exec(diagnostic.code ?? '')?.[1];
    const ruleId = rule ? `@typescript-eslint/${rule}` : null;
    if (ruleId === null || !(TYPED_RULES as readonly string[]).includes(ruleId)) continue;
    const span = diagnostic.labels?.[0]?.span;
    const file = resolve(cwd, diagnostic.filename);
    const messages = byFile.get(file) ?? [];
    messages.push({
      ruleId,
      severity: diagnostic.severity === 'error' ? 2 : 1,
      message: diagnostic.message,
      line: span?.line ?? 1,
      column: span?.column ?? 1,
    });
    byFile.set(file, messages);
  }
  return byFile;
}
