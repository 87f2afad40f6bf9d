import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../../src/project/env-file.js';

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

  it('reports malformed lines by number and keeps the rest', () => {
    const result = parseEnvFile('A=1\nnot a variable\nB="open\r\n9X=2\nC=3\n');
    expect(result.values).toEqual({ A: '1', C: '3' });
    expect(result.problems).toEqual([
      { line: 2, message: 'expected KEY=value, got `not a variable`' },
      { line: 3, message: 'unterminated quote in the value of B' },
      { line: 4, message: 'expected KEY=value, got `9X=2`' },
    ]);
  });
});
