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
    const lines = await readAfterPause('test/support/log-burst.ts');
    expect(lines.map((line) => (JSON.parse(line) as { n: number }).n)).toEqual(upTo(3_000));
  });

  it("as two cluster workers sharing one stdout (asyncsrv start): a slow reader still gets every line whole, none cut into another's", async () => {
    // Each worker's batches stay within PIPE_BUF, what POSIX guarantees a pipe writes in one piece.
    // (Linux here kept 32 KiB writes whole too, even to a reader taking 512 bytes at a time, so this
    // checks the workers' logging end to end, not that limit.)
    const byWorker = new Map<number, number[]>();
    for (const line of await readAfterPause('test/support/log-burst-workers.ts')) {
      const { worker, n } = JSON.parse(line) as { worker: number; n: number };
      if (!byWorker.has(worker)) byWorker.set(worker, []);
      byWorker.get(worker)!.push(n);
    }
    expect([...byWorker.keys()].sort()).toEqual([1, 2]);
    for (const numbers of byWorker.values()) expect(numbers).toEqual(upTo(3_000));
  });
});

const upTo = (count: number): number[] => Array.from({ length: count }, (_, i) => i + 1);

/**
 * Runs `script` (3,000 lines through the server's stdout logger) with its stdout a pipe that
 * nobody reads for 1.5 s, so the pipe fills; then reads it all. Its lines, once it exited with 0.
 */
async function readAfterPause(script: string): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, '3000'], {
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
  return lines;
}
