import { existsSync, readFileSync } from 'node:fs';

export interface EnvFileProblem {
  line: number;
  message: string;
}

export interface ParsedEnvFile {
  values: Record<string, string>;
  problems: EnvFileProblem[];
}

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

/**
 * Parses a `.env` file: `KEY=value`, `export KEY=value`, `#` comments, single or double quotes
 * (double quotes expand `\n`). A line that is none of these is reported with its number.
 */
export function parseEnvFile(text: string): ParsedEnvFile {
  const values: Record<string, string> = {};
  const problems: EnvFileProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = LINE.exec(raw);
    if (!match) {
      problems.push({ line: index + 1, message: `expected KEY=value, got \`${trimmed}\`` });
      return;
    }
    const [, key = '', rawValue = ''] = match;
    const value = unquote(rawValue);
    if (value === undefined) problems.push({ line: index + 1, message: `unterminated quote in the value of ${key}` });
    else values[key] = value;
  });
  return { values, problems };
}

function unquote(raw: string): string | undefined {
  const quote = raw[0];
  if (quote === '"' || quote === "'") {
    const end = raw.indexOf(quote, 1);
    if (end === -1) return undefined;
    const inner = raw.slice(1, end);
    return quote === '"' ? inner.replace(/\\n/g, '\n') : inner;
  }
  return raw.replace(/\s+#.*$/, ''); // an unquoted value ends at an inline comment
}

/** A project's `.env` (missing is fine); malformed lines are reported by number and skipped. */
export function loadEnvFile(path: string, warn: (line: string) => void): Record<string, string> {
  if (!existsSync(path)) return {};
  const { values, problems } = parseEnvFile(readFileSync(path, 'utf8'));
  for (const problem of problems) warn(`.env line ${problem.line}: ${problem.message} (line ignored)`);
  return values;
}
