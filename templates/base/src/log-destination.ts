import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

export interface LineBatchOptions {
  /** Where the lines go: `process.stdout`. */
  stream: Pick<Writable, 'write' | 'writableLength' | 'on'>;
  /** Its file descriptor, for `flushSync` (1 for standard output). */
  fd: number;
  /** A write starts once this many bytes have gathered (or at the next periodic flush). */
  minBytes: number;
  /**
   * At most this many bytes per write, cut between lines: up to PIPE_BUF (4 KiB) a write to a pipe
   * is atomic, so processes sharing one stdout (`asyncsrv start`'s workers) never cut into each other's lines.
   */
  maxBytes: number;
  /** Lines gathered for longer than this are written even if fewer than `minBytes`. */
  flushIntervalMs: number;
  /** What may wait in memory while the reader is stuck; beyond it new lines are dropped and counted. */
  maxPendingBytes: number;
}

/**
 * pino's destination for the server's JSON lines: they gather in a list and leave as one write of
 * whole lines once `minBytes` have come (or every `flushIntervalMs`). The write goes to the stream
 * (stdout), which on a pipe with room is one system call made at once on this thread; while the
 * pipe is full, lines wait here and the next write follows the stream's callback for the one it
 * holds, so at most one batch is ever queued in the stream and batches never interleave (with
 * `maxBytes` at most PIPE_BUF, 4 KiB, each is also one atomic write). It stands in for
 * pino.destination (sonic-boom), which measures its growing batch string again for each line and
 * hands every batch to a thread-pool thread: under load, several times the cost.
 * @example
 * const logger = pino({}, new LineBatch({ stream: process.stdout, fd: 1, minBytes: 3072, maxBytes: 4096, flushIntervalMs: 100, maxPendingBytes: 16 << 20 }));
 */
export class LineBatch {
  readonly #options: LineBatchOptions;
  #lines: string[] = [];
  #sizes: number[] = [];
  /** Index of the first line not yet written (lines before it are dropped from the list in bulk). */
  #head = 0;
  #pendingBytes = 0;
  /** A batch waits in the stream (the pipe was full): nothing more goes to it until its write is done. */
  #waitingForWrite = false;
  /** Every write's callback: once the stream wrote a batch it was holding, the next may go. */
  readonly #written = (): void => {
    if (!this.#waitingForWrite) return;
    this.#waitingForWrite = false;
    this.#writeReady();
  };
  #dropped = 0;
  #waiters: Array<(error?: Error) => void> = [];
  /** The stream failed (EPIPE: nothing reads stdout any more): lines have nowhere to go. */
  #broken = false;
  readonly #timer: NodeJS.Timeout;

  constructor(options: LineBatchOptions) {
    this.#options = options;
    this.#timer = setInterval(() => this.#writeReady(true), options.flushIntervalMs).unref();
    options.stream.on('error', () => {
      this.#broken = true; // a logger must not crash the server it logs for
      this.#clear();
      this.#pendingBytes = 0;
      this.#settleWaiters();
    });
  }

  /** pino calls it with one whole line (ending in a newline). */
  write(line: string): void {
    if (this.#broken) return;
    const size = Buffer.byteLength(line);
    if (this.#pendingBytes + size > this.#options.maxPendingBytes) {
      this.#dropped += 1;
      return;
    }
    this.#lines.push(line);
    this.#sizes.push(size);
    this.#pendingBytes += size;
    if (this.#pendingBytes >= this.#options.minBytes) this.#writeReady();
  }

  /** Calls `done` once the stream has written every line written here so far (pino's `logger.flush(done)`). */
  flush(done: (error?: Error) => void = () => undefined): void {
    this.#waiters.push(done);
    this.#writeReady();
  }

  /** Writes, blocking, every line not yet handed to the stream: for the last moments of a process (after `flush` had its chance). */
  flushSync(): void {
    clearInterval(this.#timer);
    if (this.#broken) return;
    let data = Buffer.from(this.#takeLines(Number.POSITIVE_INFINITY));
    const giveUpAt = performance.now() + 1_000; // a stuck reader must not hold up an exit
    while (data.length > 0 && performance.now() < giveUpAt) {
      try {
        data = data.subarray(writeSync(this.#options.fd, data));
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'EAGAIN') return;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // the pipe is full: let the reader catch up
      }
    }
  }

  /**
   * Writes batches while `minBytes` wait (any at all for `everything`, or while someone waits on
   * `flush`) and the stream holds none; settles the flush waiters once all is out.
   */
  #writeReady(everything = false): void {
    const { stream } = this.#options;
    const threshold = everything || this.#waiters.length > 0 ? 1 : this.#options.minBytes;
    while (!this.#waitingForWrite && !this.#broken) {
      const due = this.#dropped > 0 || this.#pendingBytes >= threshold;
      const unsettled = this.#waiters.length > 0 && stream.writableLength > 0;
      if (!due && !unsettled) break;
      if (stream.writableLength > 0) {
        // The reader is behind: a batch waits in the stream, and its write's callback wakes us. One
        // at a time, so a batch the pipe takes in parts is all written before the next begins. (Not
        // 'drain': it comes only for a stream that held more than its high-water mark, 16 KiB for
        // stdout, so the workers' 4 KiB batches would never see it; the callback comes for any size.)
        this.#waitingForWrite = true;
        return;
      }
      stream.write(this.#takeLines(this.#options.maxBytes), this.#written);
    }
    if (this.#broken || (!this.#waitingForWrite && this.#pendingBytes === 0)) this.#settleWaiters();
  }

  #settleWaiters(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const done of waiters) process.nextTick(done);
  }

  /**
   * Whole lines from the front, up to `maxBytes` with the dropped-lines notice if one is due (at
   * least one line, however long), as one string.
   */
  #takeLines(maxBytes: number): string {
    const notice = this.#dropped > 0 ? this.#droppedLine() : '';
    const start = this.#head;
    let end = start;
    let bytes = 0;
    let size = Buffer.byteLength(notice);
    while (end < this.#lines.length && (end === start || size + this.#sizes[end]! <= maxBytes)) {
      bytes += this.#sizes[end]!;
      size += this.#sizes[end]!;
      end += 1;
    }
    const text = notice + this.#lines.slice(start, end).join('');
    this.#pendingBytes -= bytes;
    if (end === this.#lines.length) {
      this.#clear();
    } else if (end > 1_024 && end * 2 > this.#lines.length) {
      this.#lines.splice(0, end); // a backlog that never empties must not keep every written line
      this.#sizes.splice(0, end);
      this.#head = 0;
    } else {
      this.#head = end;
    }
    return text;
  }

  #clear(): void {
    this.#lines = [];
    this.#sizes = [];
    this.#head = 0;
  }

  /** Says, in the log itself, how many lines a stuck reader cost. */
  #droppedLine(): string {
    const line = JSON.stringify({
      level: 'warn',
      time: Date.now(),
      msg: `dropped ${this.#dropped} log lines: standard output was not read fast enough`,
    });
    this.#dropped = 0;
    return `${line}\n`;
  }
}
