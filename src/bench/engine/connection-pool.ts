/** What the pool needs to know of a connection (Connection has it; tests use plain objects). */
export interface PooledConnection {
  /** The socket may be written to (connecting or connected). */
  readonly open: boolean;
  readonly connected: boolean;
  readonly inFlight: number;
  /** Opens the socket again (writes are buffered until it connects). */
  start(): void;
}

type Place = 'idle' | 'partial' | 'connecting' | 'dormant';

/**
 * Open model: which connection a due request goes to, in O(1) however many connections there are.
 *
 * Order of preference: a connected idle one, the most recently freed first (so a run uses as few
 * connections as its load needs, and those stay warm); then a connected one with a free
 * pipelining slot; then one still connecting; last, one the server closed while idle, reopened.
 * Idle connections below the top of the stack are never touched: with 1000 connections and 10
 * busy, the other 990 cost nothing. Entries go stale when a connection changes state; `take`
 * skips them, so each connection is remembered in one place only, the last it was put in.
 */
export class ConnectionPool<C extends PooledConnection> {
  private readonly stacks: Record<Place, C[]> = { idle: [], partial: [], connecting: [], dormant: [] };
  private readonly placeOf = new Map<C, Place>();

  constructor(private readonly pipelining: number) {}

  /** Files a connection by its state, if it can take a request: call after it starts, connects, answers or is sent on. */
  release(connection: C): void {
    if (!connection.open || connection.inFlight >= this.pipelining) return;
    if (!connection.connected) this.put(connection, 'connecting');
    else this.put(connection, connection.inFlight === 0 ? 'idle' : 'partial');
  }

  /** A connection the server closed while idle: reopened only when a request finds nothing better. */
  dormant(connection: C): void {
    this.put(connection, 'dormant');
  }

  /** The connection to write the next request to, or undefined when every one is full or closed. */
  take(): C | undefined {
    const full = (c: C): boolean => c.inFlight >= this.pipelining;
    const found =
      this.pop('idle', (c) => c.connected && c.inFlight === 0) ??
      this.pop('partial', (c) => c.connected && !full(c)) ??
      this.pop('connecting', (c) => c.open && !c.connected && !full(c));
    if (found !== undefined) return found;
    const sleeper = this.pop('dormant', (c) => !c.open);
    sleeper?.start();
    return sleeper;
  }

  private put(connection: C, place: Place): void {
    if (this.placeOf.get(connection) === place) return;
    this.placeOf.set(connection, place);
    this.stacks[place].push(connection);
  }

  private pop(place: Place, usable: (connection: C) => boolean): C | undefined {
    const stack = this.stacks[place];
    for (let c = stack.pop(); c !== undefined; c = stack.pop()) {
      if (this.placeOf.get(c) !== place) continue; // stale: it was filed elsewhere since
      this.placeOf.delete(c);
      if (usable(c)) return c;
    }
    return undefined;
  }
}
