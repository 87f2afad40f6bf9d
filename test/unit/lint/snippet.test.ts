import { describe, expect, it } from 'vitest';
import { snippet } from '../../../src/lint/plugin/utils/snippet.js';

describe('snippet', () => {
  it('joins a chain broken over lines', () => {
    expect(snippet('db\n    .select()\n    .from(users)')).toBe('db.select().from(users)');
  });

  it('collapses runs of spaces and trims', () => {
    expect(snippet('  new   Pool ')).toBe('new Pool');
  });

  it('cuts long source with an ellipsis', () => {
    const long = `fetch${'x'.repeat(100)}`;
    expect(snippet(long, 20)).toBe(`fetch${'x'.repeat(14)}…`);
    expect(snippet(long, 20)).toHaveLength(20);
  });
});
