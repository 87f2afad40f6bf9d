import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { LineBatch, type LineBatchOptions } from '../src/log-destination.js';

/**
 * A stream that takes each write only when the test says so, as a pipe whose reader is behind. Its
 * high-water mark is process.stdout's (16 KiB): a held batch of a few hundred bytes never makes it emit 'drain'.
 */
function slowReader() {
  const taken: string[] = [];
  const held: Array<() => void> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      taken.push(chunk.toString());
      held.push(done);
    },
  });
  return { stream, taken, release: () => held.splice(0).forEach((done) => done()) };
}

const line = (n: number) => `${JSON.stringify({ n: String(n).padStart(3, '0'), pad: 'x'.repeat(79) })}\n`; // 100 bytes
const batches: LineBatch[] = [];
function lineBatch(options: Partial<LineBatchOptions> & Pick<LineBatchOptions, 'stream'>): LineBatch {
  const batch = new LineBatch({ fd: -1, minBytes: 300, maxBytes: 450, flushIntervalMs: 60_000, maxPendingBytes: 1_000, ...options });
  batches.push(batch);
  return batch;
}
afterEach(() => batches.splice(0).forEach((batch) => batch.flushSync()));

describe('LineBatch', () => {
  it('writes whole lines once minBytes gathered, at most maxBytes a write, and one batch at a time while the reader is behind', async () => {
    const reader = slowReader();
    const batch = lineBatch({ stream: reader.stream });
    batch.write(line(1));
    batch.write(line(2));
    expect(reader.taken).toEqual([]); // 200 bytes: below minBytes
    for (let n = 3; n <= 9; n += 1) batch.write(line(n));
    expect(reader.taken).toEqual([line(1) + line(2) + line(3)]); // the stream holds it: the rest waits here
    reader.release();
    await new Promise(setImmediate);
    expect(reader.taken.slice(1)).toEqual([line(4) + line(5) + line(6) + line(7)]); // 400 bytes fit in 450; a fifth would not
    reader.release();
    await new Promise(setImmediate);
    expect(reader.taken).toHaveLength(2); // 200 bytes left: below minBytes

    let flushed = false;
    batch.flush(() => (flushed = true));
    expect(reader.taken.at(-1)).toBe(line(8) + line(9));
    await new Promise(setImmediate);
    expect(flushed).toBe(false); // handed over, not yet taken by the reader
    reader.release();
    await new Promise(setImmediate);
    expect(flushed).toBe(true);
  });

  it('drops lines past maxPendingBytes while the reader is stuck, and says how many once it reads again', async () => {
    const reader = slowReader();
    const batch = lineBatch({ stream: reader.stream });
    for (let n = 1; n <= 20; n += 1) batch.write(line(n)); // 3 lines in the stream, 10 wait, 7 dropped
    reader.release();
    await new Promise(setImmediate);
    const notice = JSON.parse(reader.taken[1]!.split('\n')[0]!) as Record<string, unknown>;
    expect(notice).toMatchObject({ level: 'warn', msg: 'dropped 7 log lines: standard output was not read fast enough' });
    batch.flush();
    for (let i = 0; i < 5; i += 1) {
      reader.release();
      await new Promise(setImmediate);
    }
    for (const text of reader.taken) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(450); // the notice too stays within maxBytes
    const written = reader.taken.join('').split('\n').filter(Boolean);
    expect(written.filter((text) => !text.includes('dropped')).map((text) => Number((JSON.parse(text) as { n: string }).n))).toEqual(
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
  });

  it('flushSync writes what waits straight to the file descriptor, for the last moments of a process', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'line-batch-')), 'out.log');
    const fd = openSync(file, 'w');
    const batch = lineBatch({ stream: slowReader().stream, fd, minBytes: 10_000 });
    batch.write(line(1));
    batch.write(line(2));
    batch.flushSync();
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe(line(1) + line(2));
  });

  it('stops writing, without throwing, once the stream fails (nothing reads stdout any more)', async () => {
    const stream = new Writable({ write: (_chunk, _encoding, done) => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
    const batch = lineBatch({ stream, minBytes: 1 });
    batch.write(line(1));
    await new Promise(setImmediate);
    expect(() => batch.write(line(2))).not.toThrow();
    await new Promise<void>((resolve) => batch.flush(() => resolve()));
  });

  it('through a real pipe whose reader pauses: every line arrives whole and in order, and flush waits for the last', async () => {
    // 3,000 lines of ~220 bytes: ten times what a pipe holds, so the writer meets a full pipe.
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/log-burst.ts', '3000'], {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the reader is away; the pipe fills
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdout.resume();
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code).toBe(0);
    const lines = Buffer.concat(chunks).toString().split('\n');
    expect(lines.pop()).toBe(''); // ends with a whole line
    expect(lines.map((line) => (JSON.parse(line) as { n: number }).n)).toEqual(Array.from({ length: 3_000 }, (_, i) => i + 1));
  });
});
