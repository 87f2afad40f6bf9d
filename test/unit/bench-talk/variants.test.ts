import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  patchNoAdmissionLine,
  patchNoDeadline,
  patchPerQueryConnection,
  patchPerRequestClient,
  patchSequentialFanOut,
  replaceOnce,
} from '../../../bench/talk/variants.js';

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
    ['src/routes/concurrent.ts', patchSequentialFanOut, 'for (const part of parts) calls.push(await upstream.getJson('],
    ['src/http/deadline.ts', patchNoDeadline, 'place = -1; // bench fixture: the deadline never fires'],
    ['src/resources/upstream-client.ts', patchNoAdmissionLine, '// bench fixture: no admission line'],
  ] as const)('%s gets its anti-pattern', (file, patch, expected) => {
    const dir = copyOf(file);
    const before = readFileSync(join(dir, file), 'utf8');
    patch(dir);
    const after = readFileSync(join(dir, file), 'utf8');
    expect(after).not.toBe(before);
    expect(after).toContain(expected);
  });
});

describe('patchNoAdmissionLine', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const file = 'src/resources/upstream-client.ts';
  function patched(source: string): string {
    root = mkdtempSync(join(tmpdir(), 'cas-talk-variant-'));
    mkdirSync(join(root, 'src/resources'), { recursive: true });
    writeFileSync(join(root, file), source);
    patchNoAdmissionLine(root);
    return readFileSync(join(root, file), 'utf8');
  }

  it('leaves no wait in the line in the current template, and starts the call timeout before the wait', () => {
    const after = patched(readFileSync(join(templates, file), 'utf8'));
    expect(after).not.toMatch(/line\.(try)?[aA]cquire\(/);
    expect(after).toContain('slot.release();'); // the stand-in slot's
    expect(after).toContain('AbortSignal.any([deadline?.signal ?? (signal as AbortSignal), AbortSignal.timeout(timeoutMs)])');
  });

  it("bypasses the line, and starts the call's timeout before the wait as the code before admission control did", () => {
    const source = [
      '    const stop: StopSource | undefined = deadline ?? signal;',
      '    let slot = line.tryAcquire(stop);',
      '    if (!slot) {',
      '      slot = await line.acquire(stop);',
      '    }',
      '    retries.recordAttempt();',
      '      const failure = stopReason(stop) ?? describeFailure(error, path, timeoutMs);',
    ].join('\n');
    const out = patched(source);
    expect(out).toContain('const slot = { release: (): void => undefined }; // bench fixture: no admission line');
    expect(out).toContain('    retries.recordAttempt();');
    expect(out).toContain('AbortSignal.timeout(timeoutMs)]); // bench fixture: the timeout starts before the wait');
    expect(out).toContain('? new DependencyTimeoutError(`The upstream (${path})`, timeoutMs, { cause: error })');
  });

  it('fails loudly when the template changed under it', () => {
    expect(() => patched('const permit = await line.enter(signal);\n')).toThrow(`in ${file}, found 0; did the template change?`);
    expect(() => patched('let slot = line.acquire(stop);\n')).toThrow(
      'in src/resources/upstream-client.ts, found 0; did the template change?',
    );
  });
});
