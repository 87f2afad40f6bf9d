import { describe, expect, it } from 'vitest';
import { ConnectionPool, type PooledConnection } from '../../../src/bench/engine/connection-pool.js';

/** A connection as the pool sees it; `send` and `answer` change it as the engine would. */
class FakeConnection implements PooledConnection {
  open = true;
  connected = true;
  inFlight = 0;
  starts = 0;
  constructor(readonly name: string) {}
  start(): void {
    this.starts += 1;
    this.open = true;
  }
}

function connections(n: number): FakeConnection[] {
  return Array.from({ length: n }, (_, i) => new FakeConnection(`c${i}`));
}

/** Takes a connection and sends one request on it, as the engine's dispatch does. */
function send(pool: ConnectionPool<FakeConnection>): FakeConnection | undefined {
  const c = pool.take();
  if (c === undefined) return undefined;
  c.inFlight += 1;
  pool.release(c);
  return c;
}

describe('ConnectionPool', () => {
  it('reuses the connection freed last, so a light load keeps to a few warm connections however many are open', () => {
    const pool = new ConnectionPool<FakeConnection>(1);
    const all = connections(1_000);
    for (const c of all) pool.release(c);
    const used = new Set<string>();
    // At most three in flight at a time: a request, then answers in the order they were sent.
    const inFlight: FakeConnection[] = [];
    for (let i = 0; i < 10_000; i++) {
      const c = send(pool)!;
      used.add(c.name);
      inFlight.push(c);
      if (inFlight.length === 3) {
        const done = inFlight.shift()!;
        done.inFlight -= 1;
        pool.release(done);
      }
    }
    expect(used.size).toBe(3);
  });

  it('gives out each connection once until it is released again, then says there is none', () => {
    const pool = new ConnectionPool<FakeConnection>(1);
    const all = connections(3);
    for (const c of all) pool.release(c);
    pool.release(all[1]!); // filing twice does not hand it out twice
    const taken = [send(pool), send(pool), send(pool)].map((c) => c?.name);
    expect(taken.sort()).toEqual(['c0', 'c1', 'c2']);
    expect(pool.take()).toBeUndefined();
  });

  it('skips connections that closed or filled up since they were filed', () => {
    const pool = new ConnectionPool<FakeConnection>(1);
    const [a, b, c] = connections(3) as [FakeConnection, FakeConnection, FakeConnection];
    for (const x of [a, b, c]) pool.release(x);
    c.open = false;
    c.connected = false;
    b.inFlight = 1; // written to by another path
    expect(pool.take()).toBe(a);
    expect(pool.take()).toBeUndefined();
  });

  it('prefers an idle connection to pipelining behind a busy one, and pipelines before giving up', () => {
    const pool = new ConnectionPool<FakeConnection>(2);
    const [a, b] = connections(2) as [FakeConnection, FakeConnection];
    pool.release(a);
    pool.release(b);
    expect([send(pool), send(pool)]).toEqual([b, a]);
    expect(send(pool)).toBe(a); // both busy: a has a free slot (filed last)
    expect(send(pool)).toBe(b);
    expect(pool.take()).toBeUndefined();
  });

  it('falls back to a connecting connection, then reopens one the server closed while idle', () => {
    const pool = new ConnectionPool<FakeConnection>(1);
    const [connecting, sleeping] = connections(2) as [FakeConnection, FakeConnection];
    connecting.connected = false;
    pool.release(connecting);
    sleeping.open = false;
    sleeping.connected = false;
    pool.dormant(sleeping);
    expect(send(pool)).toBe(connecting);
    expect(sleeping.starts).toBe(0);
    expect(send(pool)).toBe(sleeping);
    expect(sleeping.starts).toBe(1);
    expect(pool.take()).toBeUndefined();
  });

  it('hands out a connection that went dormant and came back only once', () => {
    const pool = new ConnectionPool<FakeConnection>(1);
    const [a] = connections(1) as [FakeConnection];
    pool.release(a); // idle
    a.open = false;
    a.connected = false;
    pool.dormant(a); // the server closed it
    a.open = true;
    a.connected = true;
    pool.release(a); // reopened and connected again
    expect(send(pool)).toBe(a);
    expect(pool.take()).toBeUndefined();
    expect(a.starts).toBe(0);
  });
});
