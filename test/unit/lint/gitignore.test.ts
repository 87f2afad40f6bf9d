import { describe, expect, it } from 'vitest';
import { gitignoreToIgnorePatterns } from '../../../src/lint/gitignore.js';

describe('gitignoreToIgnorePatterns', () => {
  it('matches unanchored names at any depth, as files or directories', () => {
    expect(gitignoreToIgnorePatterns('*.log\nbuild')).toEqual(['**/*.log', '**/*.log/**', '**/build', '**/build/**']);
  });

  it('keeps directory-only patterns as directories', () => {
    expect(gitignoreToIgnorePatterns('node_modules/\n.data/')).toEqual(['**/node_modules/', '**/.data/']);
  });

  it('anchors patterns with a leading or inner slash to the root', () => {
    expect(gitignoreToIgnorePatterns('/out\nsrc/generated/\ndocs/*.html')).toEqual([
      'out',
      'out/**',
      'src/generated/',
      'docs/*.html',
      'docs/*.html/**',
    ]);
  });

  it('skips comments and blank lines, keeps negations and escapes', () => {
    expect(gitignoreToIgnorePatterns('# comment\n\n!keep.ts\n\\#file\n  \n')).toEqual([
      '!**/keep.ts',
      '!**/keep.ts/**',
      '**/#file',
      '**/#file/**',
    ]);
  });

  it('handles CRLF and trailing spaces, and leaves ** patterns alone', () => {
    expect(gitignoreToIgnorePatterns('dist/  \r\n**/tmp\r\n')).toEqual(['**/dist/', '**/tmp', '**/tmp/**']);
  });
});
