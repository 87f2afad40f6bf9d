import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEnvFile, parseEnvFile } from '../../../src/project/env-file.js';

const dir = mkdtempSync(join(tmpdir(), 'asyncsrv-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `node --env-file` itself puts in process.env for `keys`. */
function readByNode(text: string, keys: string[]): Record<string, string | null> {
  const file = join(dir, `node-${keys.join('-')}.env`);
  writeFileSync(file, text);
  const script = `const keys = ${JSON.stringify(keys)}; console.log(JSON.stringify(Object.fromEntries(keys.map((k) => [k, process.env[k] ?? null]))));`;
  const output = execFileSync(process.execPath, [`--env-file=${file}`, '-e', script], { encoding: 'utf8', env: {} });
  return JSON.parse(output) as Record<string, string | null>;
}

function ours(text: string, keys: string[]): Record<string, string | null> {
  const { values } = parseEnvFile(text);
  return Object.fromEntries(keys.map((key) => [key, values[key] ?? null]));
}

describe('parseEnvFile', () => {
  it('reads KEY=value lines, comments, export and quotes', () => {
    const text = [
      '# comment',
      '',
      'PORT=3000',
      'export HOST=127.0.0.1',
      'DATABASE_URL="postgres://u:p@h:5432/db"',
      "GREETING='hello # not a comment'",
      'MULTI="a\\nb"',
      'TRAILING=value   # inline comment',
      'EMPTY=',
      '  SPACED = yes  ',
    ].join('\n');
    expect(parseEnvFile(text)).toEqual({
      values: {
        PORT: '3000',
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgres://u:p@h:5432/db',
        GREETING: 'hello # not a comment',
        MULTI: 'a\nb',
        TRAILING: 'value',
        EMPTY: '',
        SPACED: 'yes',
      },
      problems: [],
    });
  });

  it('cuts an unquoted value at `#` as node --env-file does, and says so', () => {
    const text = 'PASSWORD=abc#123\nURL=http://h/#frag\nQUOTED="abc#123"\nSPACED=abc #comment\n';
    const keys = ['PASSWORD', 'URL', 'QUOTED', 'SPACED'];
    expect(ours(text, keys)).toEqual(readByNode(text, keys));
    expect(ours(text, keys)).toEqual({ PASSWORD: 'abc', URL: 'http://h/', QUOTED: 'abc#123', SPACED: 'abc' });
    expect(parseEnvFile(text).problems).toEqual([
      { line: 1, message: '`#` starts a comment: PASSWORD is `abc`; quote the value to keep the `#`' },
      { line: 2, message: '`#` starts a comment: URL is `http://h/`; quote the value to keep the `#`' },
    ]);
  });

  it('reads multi-line quoted values, CRLF and escapes as node --env-file does', () => {
    const text = 'KEY="-----BEGIN\nabc\n-----END"\r\nA=1\r\nB=\'x\\ny\'\r\nC=`tick`\r\n';
    const keys = ['KEY', 'A', 'B', 'C'];
    expect(ours(text, keys)).toEqual(readByNode(text, keys));
    expect(parseEnvFile(text).problems).toEqual([]);
  });

  it('reports surprising lines by number, with the values Node gives them', () => {
    const text = 'A=1\nnot a variable\nB=2\nC="open\nD=3\nE="closes here"\nF=4\nZ="never closed\n';
    const keys = ['A', 'B', 'C', 'D', 'E', 'F', 'Z'];
    const result = parseEnvFile(text);
    expect(ours(text, keys)).toEqual(readByNode(text, keys));
    expect(result.values).toMatchObject({ A: '1', C: 'open\nD=3\nE=', F: '4', Z: '"never closed' });
    expect(result.problems).toEqual([
      { line: 2, message: 'expected KEY=value, got `not a variable`' },
      { line: 4, message: 'the quote that opens the value of C closes on line 6: lines 5-6 are part of that value' },
      { line: 8, message: 'unterminated quote in the value of Z (read as `"never closed`)' },
    ]);
  });
});

describe('loadEnvFile', () => {
  it('warns once per surprising line, and a missing file is no values', () => {
    const file = join(dir, 'load.env');
    writeFileSync(file, 'A=x#y\nB=2\n');
    const warnings: string[] = [];
    expect(loadEnvFile(file, (line) => warnings.push(line))).toEqual({ A: 'x', B: '2' });
    expect(warnings).toEqual(['.env line 1: `#` starts a comment: A is `x`; quote the value to keep the `#`']);
    expect(loadEnvFile(join(dir, 'missing.env'), (line) => warnings.push(line))).toEqual({});
  });
});
