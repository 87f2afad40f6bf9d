import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { patchNoDeadline, patchPerQueryConnection, patchPerRequestClient, patchSequentialFanOut, replaceOnce } from '../../../bench/talk/variants.js';

const templates = join(import.meta.dirname, '../../../templates/base');

describe('replaceOnce', () => {
  it('replaces the one match, handing the capture groups to the replacement', () => {
    expect(replaceOnce('a(1) b', /a\((\d)\)/, (n) => `x${n}`, 'f.ts')).toBe('x1 b');
  });

  it('throws naming the file when the anchor is missing or ambiguous', () => {
    expect(() => replaceOnce('abc', /z/, '', 'src/f.ts')).toThrow('in src/f.ts, found 0; did the template change?');
    expect(() => replaceOnce('a a', /a/, '', 'src/f.ts')).toThrow('found 2');
  });
});

describe('naive variant patches on the current templates', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  function copyOf(file: string): string {
    root = mkdtempSync(join(tmpdir(), 'cas-talk-variant-'));
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), readFileSync(join(templates, file), 'utf8'));
    return root;
  }

  it.each([
    ['src/resources/upstream-client.ts', patchPerRequestClient, 'const perCall = new Pool('],
    ['src/resources/database.ts', patchPerQueryConnection, 'const pending = queryOnNewConnection<Row>(options, text, values);'],
    ['src/routes/concurrent.ts', patchSequentialFanOut, 'for (const part of parts) calls.push(await c.var.upstream.getJson('],
    ['src/middleware/deadline.ts', patchNoDeadline, '2_147_483_647)'],
  ] as const)('%s gets its anti-pattern', (file, patch, expected) => {
    const dir = copyOf(file);
    const before = readFileSync(join(dir, file), 'utf8');
    patch(dir);
    const after = readFileSync(join(dir, file), 'utf8');
    expect(after).not.toBe(before);
    expect(after).toContain(expected);
  });
});
