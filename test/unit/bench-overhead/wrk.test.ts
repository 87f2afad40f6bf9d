import { describe, expect, it } from 'vitest';
import { errorsOf, parseWrkOutput, parseWrkTime, wrkArgs } from '../../../bench/overhead/wrk.js';

const clean = `Running 1s test @ http://127.0.0.1:18099/
  1 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.34ms    4.23ms  58.20ms   95.73%
    Req/Sec    16.77k    13.71k   36.54k    66.67%
  Latency Distribution
     50%  283.00us
     75%  775.00us
     90%    2.51ms
     99%   24.28ms
  9980 requests in 1.00s, 1.19MB read
  Non-2xx or 3xx responses: 980
Requests/sec:   9930.96
Transfer/sec:      1.18MB
`;

const withErrors = `Running 5s test @ http://127.0.0.1:4000/external
  2 threads and 1000 connections
  Latency Distribution
     50%  310.12ms
     75%  402.00ms
     90%  780.00ms
     99%    1.92s
  10521 requests in 5.02s, 2.10MB read
  Socket errors: connect 0, read 3, write 0, timeout 190
Requests/sec:   2095.81
Transfer/sec:    428.00KB
`;

describe('parseWrkOutput', () => {
  it('reads requests, req/s, percentiles and non-2xx of a run without socket errors', () => {
    expect(parseWrkOutput(clean)).toEqual({
      requests: 9980,
      durationSeconds: 1,
      requestsPerSecond: 9930.96,
      socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
      non2xx: 980,
      p50Ms: 0.283,
      p99Ms: 24.28,
    });
  });

  it('reads socket errors, timeouts included, and percentiles in seconds', () => {
    const result = parseWrkOutput(withErrors);
    expect(result.socketErrors).toEqual({ connect: 0, read: 3, write: 0, timeout: 190 });
    expect(result.p99Ms).toBe(1920);
    expect(result.durationSeconds).toBeCloseTo(5.02);
    expect(errorsOf(result)).toBe(193);
    expect(errorsOf(parseWrkOutput(clean))).toBe(980);
  });

  it('refuses output that is not a wrk report', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:9 Connection refused')).toThrow('Unexpected wrk output');
  });
});

describe('parseWrkTime', () => {
  it('turns wrk units into milliseconds', () => {
    expect(parseWrkTime('812.00us')).toBeCloseTo(0.812);
    expect(parseWrkTime('2.10ms')).toBe(2.1);
    expect(parseWrkTime('1.50s')).toBe(1500);
    expect(parseWrkTime('1.00m')).toBe(60_000);
    expect(parseWrkTime('fast')).toBeUndefined();
  });
});

describe('wrkArgs', () => {
  it('runs whole seconds with a 2 s timeout and latency percentiles, never more threads than connections', () => {
    expect(wrkArgs({ url: 'http://127.0.0.1:1/json', threads: 2, connections: 1000, durationSeconds: 4.6 })).toEqual([
      '-t',
      '2',
      '-c',
      '1000',
      '-d',
      '5s',
      '--timeout',
      '2s',
      '--latency',
      'http://127.0.0.1:1/json',
    ]);
    expect(wrkArgs({ url: 'u', threads: 2, connections: 1, durationSeconds: 0.2 }).slice(0, 6)).toEqual(['-t', '1', '-c', '1', '-d', '1s']);
  });
});
