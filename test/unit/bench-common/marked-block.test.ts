import { describe, expect, it } from 'vitest';
import { extractBlock, spliceBlock } from '../../../bench/marked-block.js';

const markers = { start: '<!-- a -->', end: '<!-- /a -->' };

describe('marked blocks of a generated markdown file', () => {
  it('replaces the section between its markers and keeps the rest, or appends it once', () => {
    const file = '# Title\n\nintro\n<!-- a -->\nold\n<!-- /a -->\n## After\n';
    expect(extractBlock(file, markers)).toBe('<!-- a -->\nold\n<!-- /a -->\n');
    expect(spliceBlock(file, markers, '<!-- a -->\nnew\n<!-- /a -->\n')).toBe('# Title\n\nintro\n<!-- a -->\nnew\n<!-- /a -->\n## After\n');
    const appended = spliceBlock('# Title\n', markers, '<!-- a -->\nnew\n<!-- /a -->\n');
    expect(appended).toBe('# Title\n\n<!-- a -->\nnew\n<!-- /a -->\n');
    expect(spliceBlock(appended, markers, '<!-- a -->\nnewer\n<!-- /a -->\n')).toBe('# Title\n\n<!-- a -->\nnewer\n<!-- /a -->\n');
    expect(extractBlock('<!-- a --> without its end', markers)).toBeUndefined();
  });
});
