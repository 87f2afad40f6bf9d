/**
 * One keep-alive HTTP/1.1 connection on a raw `net` socket that writes prebuilt request bytes.
 *
 * Why raw sockets and not undici (chosen by measurement, `npm run bench:engine`, 2026-11-25,
 * 2 shared cores, 50 connections, closed model, one node:http server in a child process, five
 * runs): an undici Pool loop needed 1.6-1.9x the CPU per request of this engine (32k-47k vs
 * 61k-76k requests per CPU-second; autocannon 49k-68k, wrk 76k-85k) and reached 15-25 % fewer
 * requests/s (e.g. medians 26.0k vs 33.7k, wrk 36.2k). A load
 * generator shares the machine with its target, so its CPU per request is what counts: the
 * engine owns its sockets, reads into one reused buffer (`onread`), writes prebuilt request
 * bytes and parses only what it needs (status, Content-Length, chunked framing).
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ResponseParseError, ResponseParser } from './response-parser.js';
import type { ErrorKind } from './types.js';
import type { EncodedRequest } from './options.js';

/** What a connection reports to the run that owns it. */
export interface ConnectionOwner {
  readonly requests: readonly EncodedRequest[];
  /** A response arrived at `now` for a request sent at `sentAt`, intended for `intendedAt` (performance.now() ms). */
  onResponse(connection: Connection, status: number, now: number, sentAt: number, intendedAt: number): void;
  /** `lost` in-flight requests failed with `kind` (intended times given for open-model accounting). */
  onFailure(connection: Connection, kind: ErrorKind, intendedTimes: number[]): void;
  /** The connection can take requests again (after start or restart; writes are buffered until connected). */
  onReady(connection: Connection): void;
  /** The socket is connected: a request written now leaves at once. */
  onConnected(connection: Connection): void;
  /** The socket closed (before any reconnect); `idle`: nothing was in flight, the peer ended a kept-alive socket. */
  onClosed(connection: Connection, idle: boolean): void;
  /** Whether a socket the peer closed while idle reopens at once (else it stays closed until `start()`). */
  readonly reopenIdle: boolean;
  onBytes(count: number): void;
}

function errorKindOf(error: NodeJS.ErrnoException): ErrorKind {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'other';
  }
}

export class Connection {
  private socket: Socket | undefined;
  private parser: ResponseParser;
  // In-flight requests, oldest first, in a ring sized to the pipelining depth.
  private readonly sentAt: Float64Array;
  private readonly intendedAt: Float64Array;
  private readonly requestIndex: Uint16Array;
  private readonly readBuffer = Buffer.allocUnsafe(64 * 1024);
  /** performance.now() of the socket read being parsed, 0 outside one. */
  private readAt = 0;
  private head = 0;
  /** Requests written and not yet answered. */
  inFlight = 0;
  /** True while the socket may be written to. */
  open = false;
  /** True while the socket is connected (`open` is true from the start of connecting). */
  connected = false;
  private failureKind: ErrorKind | undefined;
  private connectedOnce = false;
  private refusals = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly host: string,
    private readonly port: number,
    readonly capacity: number,
  ) {
    this.sentAt = new Float64Array(capacity);
    this.intendedAt = new Float64Array(capacity);
    this.requestIndex = new Uint16Array(capacity);
    this.parser = this.createParser();
  }

  /** Opens the socket; writes may start at once (net buffers them until connected). */
  start(): void {
    if (this.stopped) return;
    this.parser = this.createParser();
    this.failureKind = undefined;
    // `onread` reads into one reused buffer, skipping the stream's per-chunk allocation and 'data' events.
    const socket: Socket = connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      onread: { buffer: this.readBuffer, callback: (length: number, buffer: Uint8Array) => this.onData(socket, buffer as Buffer, length) },
    });
    this.socket = socket;
    this.open = true;
    socket.on('connect', () => {
      this.connectedOnce = true;
      this.refusals = 0;
      this.connected = true;
      this.owner.onConnected(this);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.failureKind ??= errorKindOf(error);
    });
    socket.on('close', () => this.onClose(socket));
    this.owner.onReady(this);
  }

  /**
   * Writes request `index`, intended for `intendedAt` (performance.now() ms; closed model: -1).
   * Inside a response callback the read's timestamp is reused: one clock read per socket read.
   * Returns the send time it recorded.
   */
  send(index: number, intendedAt: number): number {
    const slot = (this.head + this.inFlight) % this.capacity;
    const now = this.readAt > 0 ? this.readAt : performance.now();
    this.sentAt[slot] = now;
    this.intendedAt[slot] = intendedAt < 0 ? now : intendedAt;
    this.requestIndex[slot] = index;
    this.inFlight += 1;
    this.socket!.write(this.owner.requests[index]!.bytes);
    return now;
  }

  /** Send time of the oldest unanswered request, or undefined. */
  oldestSentAt(): number | undefined {
    return this.inFlight === 0 ? undefined : this.sentAt[this.head];
  }

  /** Fails the in-flight requests with `kind` and reconnects. */
  destroy(kind: ErrorKind): void {
    this.failureKind = kind;
    this.socket?.destroy();
  }

  /** Closes for good; in-flight requests are neither answered nor failed (the run counts them unfinished). */
  stop(): void {
    this.stopped = true;
    this.open = false;
    this.connected = false;
    clearTimeout(this.reconnectTimer);
    this.socket?.destroy();
  }

  private createParser(): ResponseParser {
    return new ResponseParser({
      isHead: this.owner.requests.some((r) => r.head) ? () => this.owner.requests[this.requestIndex[this.head]!]!.head : () => false,
      response: (status, close) => this.onParsed(status, close),
    });
  }

  private onData(socket: Socket, buffer: Buffer, length: number): true {
    if (socket !== this.socket) return true;
    this.owner.onBytes(length);
    this.readAt = performance.now();
    const cork = this.capacity > 1; // pipelined requests written while parsing leave in one write
    if (cork) socket.cork();
    try {
      this.parser.execute(buffer, length);
    } catch (error) {
      if (!(error instanceof ResponseParseError)) throw error;
      this.destroy('other');
    } finally {
      if (cork) socket.uncork();
      this.readAt = 0;
    }
    return true;
  }

  private onParsed(status: number, close: boolean): void {
    if (this.inFlight === 0) {
      this.destroy('other'); // a response nobody asked for
      return;
    }
    const sentAt = this.sentAt[this.head]!;
    const intendedAt = this.intendedAt[this.head]!;
    this.head = (this.head + 1) % this.capacity;
    this.inFlight -= 1;
    if (close) {
      this.open = false; // the server ends this socket; pipelined requests behind it fail as reset
      this.failureKind = 'reset';
      this.socket?.end();
    }
    this.owner.onResponse(this, status, this.readAt > 0 ? this.readAt : performance.now(), sentAt, intendedAt);
  }

  private onClose(socket: Socket): void {
    if (socket !== this.socket) return;
    this.open = false;
    this.connected = false;
    if (!this.stopped) this.parser.finish();
    if (this.stopped) return;
    const kind = this.failureKind ?? 'reset';
    const idle = this.inFlight === 0 && this.connectedOnce && this.failureKind === undefined;
    this.owner.onClosed(this, idle);
    if (idle && !this.owner.reopenIdle) {
      this.connectedOnce = false;
      return;
    }
    if (this.inFlight > 0) {
      const lost: number[] = [];
      for (let i = 0; i < this.inFlight; i++) lost.push(this.intendedAt[(this.head + i) % this.capacity]!);
      this.head = 0;
      this.inFlight = 0;
      this.owner.onFailure(this, kind, lost);
    }
    if (this.stopped) return;
    // Refused connects back off (10 ms doubling to 1 s) so a dead target does not spin the CPU.
    const delay = kind === 'refused' || !this.connectedOnce ? Math.min(1_000, 10 * 2 ** this.refusals++) : 0;
    this.connectedOnce = false;
    this.reconnectTimer = setTimeout(() => this.start(), delay);
  }
}
