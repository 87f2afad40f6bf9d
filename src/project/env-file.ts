import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

export interface EnvFileProblem {
  line: number;
  message: string;
}

export interface ParsedEnvFile {
  values: Record<string, string>;
  problems: EnvFileProblem[];
}

const ASSIGNMENT = /^\s*(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/;
const QUOTES = ['"', "'", '`'];

/**
 * Parses a `.env` file with Node's own rules (`util.parseEnv`, what `node --env-file` reads), so
 * `asyncsrv dev` gives the app the values `node --env-file=.env` would. Node says nothing about
 * lines it reads surprisingly; those are reported by number: a line that is not KEY=value, a quote
 * that never closes or closes lines later (swallowing the lines between), a `#` that cuts a value.
 */
export function parseEnvFile(text: string): ParsedEnvFile {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parseEnv(text))) if (value !== undefined) values[key] = value;
  return { values, problems: findProblems(text.split(/\r?\n/)) };
}

function findProblems(lines: string[]): EnvFileProblem[] {
  const problems: EnvFileProblem[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const raw = lines[index] ?? '';
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const line = index + 1;
    const match = ASSIGNMENT.exec(raw);
    if (!match) {
      problems.push({ line, message: `expected KEY=value, got \`${trimmed}\`` });
      continue;
    }
    const [, key = '', value = ''] = match;
    const quote = value[0] ?? '';
    if (QUOTES.includes(quote)) {
      if (value.indexOf(quote, 1) !== -1) continue;
      // Node looks for the closing quote in the rest of the file: the value spans the lines between.
      const closing = lines.findIndex((later, at) => at > index && later.includes(quote));
      if (closing === -1) {
        problems.push({ line, message: `unterminated quote in the value of ${key} (read as \`${value}\`)` });
        continue;
      }
      const swallowed = lines.slice(index + 1, closing + 1).filter((later) => ASSIGNMENT.test(later));
      if (swallowed.length > 0) {
        problems.push({
          line,
          message: `the quote that opens the value of ${key} closes on line ${closing + 1}: lines ${line + 1}-${closing + 1} are part of that value`,
        });
      }
      index = closing; // Node resumes after the line of the closing quote
      continue;
    }
    // Node cuts an unquoted value at its first `#`, even inside a word (a URL's fragment, a password).
    const hash = value.indexOf('#');
    if (hash === 0 || (hash > 0 && !/\s/.test(value[hash - 1] ?? ''))) {
      problems.push({
        line,
        message: `\`#\` starts a comment: ${key} is \`${value.slice(0, hash).trim()}\`; quote the value to keep the \`#\``,
      });
    }
  }
  return problems;
}

/** A project's `.env` (missing is fine), read as `node --env-file` reads it; surprising lines are reported by number. */
export function loadEnvFile(path: string, warn: (line: string) => void): Record<string, string> {
  if (!existsSync(path)) return {};
  const { values, problems } = parseEnvFile(readFileSync(path, 'utf8'));
  for (const problem of problems) warn(`.env line ${problem.line}: ${problem.message}`);
  return values;
}
