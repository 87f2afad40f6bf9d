/**
 * An incremental HTTP/1.1 response parser for the load generator: it finds where each response
 * ends (Content-Length, chunked, or close-delimited) and reports its status; it does not keep
 * headers or bodies. Pure: it is fed chunks and calls back, with no I/O of its own.
 */

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  Trailers,
  UntilClose,
}

const maxHeadBytes = 64 * 1024;
const headEnd = Buffer.from('\r\n\r\n', 'latin1');

/** Thrown for bytes that are not an HTTP/1.x response; the connection counts it as `other`. */
export class ResponseParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResponseParseError';
  }
}

export interface ResponseParserEvents {
  /** Called once per complete response; `close` when the server said `Connection: close` or HTTP/1.0. */
  response(status: number, close: boolean): void;
  /** Whether the response now being parsed answers a HEAD request (no body). */
  isHead(): boolean;
}

export class ResponseParser {
  private state = State.Head;
  private pending: Buffer | undefined;
  private remaining = 0;
  private status = 0;
  private close = false;

  constructor(private readonly events: ResponseParserEvents) {}

  /**
   * Parses `chunk[0..length)`; throws ResponseParseError on malformed input. The chunk may be
   * reused by the caller afterwards: an incomplete tail is copied.
   */
  execute(chunk: Buffer, length = chunk.length): void {
    // A view, so that searches stop at `length` (the caller's buffer holds stale bytes after it).
    let buf = length === chunk.length ? chunk : chunk.subarray(0, length);
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, buf]);
      this.pending = undefined;
    }
    const end = buf.length;
    let pos = 0;
    while (pos < end) {
      switch (this.state) {
        case State.Head: {
          const at = buf.indexOf(headEnd, pos);
          if (at === -1) {
            if (end - pos > maxHeadBytes) throw new ResponseParseError('Response head larger than 64 KiB.');
            this.pending = Buffer.from(buf.subarray(pos, end));
            return;
          }
          this.parseHead(buf.toString('latin1', pos, at));
          pos = at + 4;
          break;
        }
        case State.Body: {
          const take = Math.min(this.remaining, end - pos);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.complete();
          break;
        }
        case State.ChunkSize: {
          const at = buf.indexOf(13, pos); // '\r'
          if (at === -1 || at + 1 >= end) {
            this.keepLine(buf, pos, end);
            return;
          }
          const line = buf.toString('latin1', pos, at);
          const semicolon = line.indexOf(';');
          const size = Number.parseInt(semicolon === -1 ? line : line.slice(0, semicolon), 16);
          if (!Number.isFinite(size) || size < 0) throw new ResponseParseError(`Bad chunk size \`${line}\`.`);
          pos = at + 2;
          if (size === 0) this.state = State.Trailers;
          else {
            this.state = State.ChunkData;
            this.remaining = size + 2; // data and its CRLF
          }
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, end - pos);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = State.ChunkSize;
          break;
        }
        case State.Trailers: {
          const at = buf.indexOf(13, pos);
          if (at === -1 || at + 1 >= end) {
            this.keepLine(buf, pos, end);
            return;
          }
          const empty = at === pos;
          pos = at + 2;
          if (empty) this.complete();
          break;
        }
        case State.UntilClose:
          pos = end;
          break;
      }
    }
  }

  /** The connection ended: completes a close-delimited response. Returns false if a response was cut short. */
  finish(): boolean {
    if (this.state === State.UntilClose) {
      this.complete();
      return true;
    }
    return this.state === State.Head && this.pending === undefined;
  }

  /** True between responses: nothing half-parsed. */
  get idle(): boolean {
    return this.state === State.Head && this.pending === undefined;
  }

  private keepLine(buf: Buffer, pos: number, end: number): void {
    if (end - pos > maxHeadBytes) throw new ResponseParseError('Chunk line larger than 64 KiB.');
    this.pending = Buffer.from(buf.subarray(pos, end));
  }

  private parseHead(head: string): void {
    // "HTTP/1.1 200 OK": version at 0..7, status at 9..11
    if (!head.startsWith('HTTP/1.')) throw new ResponseParseError(`Expected an HTTP/1.x status line, got \`${head.slice(0, 40)}\`.`);
    const status = Number(head.slice(9, 12));
    if (!Number.isInteger(status) || status < 100) throw new ResponseParseError(`Bad status line \`${head.split('\r\n', 1)[0]}\`.`);
    let contentLength = -1;
    let chunked = false;
    let close = head.charCodeAt(7) === 48; // HTTP/1.0 closes unless told otherwise
    let lineStart = head.indexOf('\r\n') + 2;
    while (lineStart > 1 && lineStart < head.length) {
      let lineEnd = head.indexOf('\r\n', lineStart);
      if (lineEnd === -1) lineEnd = head.length;
      const first = head.charCodeAt(lineStart) | 0x20; // lower-cased first letter
      if (first === 99 /* c */ || first === 116 /* t */) {
        const colon = head.indexOf(':', lineStart);
        const nameLength = colon - lineStart; // only 10, 14 and 17 can be a name we need
        if (colon !== -1 && colon < lineEnd && (nameLength === 10 || nameLength === 14 || nameLength === 17)) {
          const name = head.slice(lineStart, colon).toLowerCase();
          if (name === 'content-length') contentLength = Number(head.slice(colon + 1, lineEnd).trim());
          else if (name === 'transfer-encoding')
            chunked = head
              .slice(colon + 1, lineEnd)
              .toLowerCase()
              .includes('chunked');
          else if (name === 'connection') {
            const value = head
              .slice(colon + 1, lineEnd)
              .trim()
              .toLowerCase();
            if (value === 'close') close = true;
            else if (value === 'keep-alive') close = false;
          }
        }
      }
      lineStart = lineEnd + 2;
    }
    this.status = status;
    this.close = close;
    if (status < 200 && status !== 101) return; // interim response (100 Continue): the real one follows
    if (this.events.isHead() || status === 204 || status === 304 || status === 101) this.complete();
    else if (chunked) this.state = State.ChunkSize;
    else if (contentLength >= 0) {
      if (!Number.isSafeInteger(contentLength)) throw new ResponseParseError('Bad Content-Length.');
      this.remaining = contentLength;
      if (contentLength === 0) this.complete();
      else this.state = State.Body;
    } else this.state = State.UntilClose;
  }

  private complete(): void {
    this.state = State.Head;
    this.events.response(this.status, this.close);
  }
}
