import { describe, expect, it } from 'vitest';
import { createRequestPicker, encodeRequest, resolveLoadOptions } from '../../../src/bench/engine/options.js';
import { LoadRecorder } from '../../../src/bench/engine/recorder.js';
import { UsageError } from '../../../src/util/errors.js';

describe('encodeRequest', () => {
  it('writes the request line, a Host header, user headers and a Content-Length for a body', () => {
    const bytes = encodeRequest(
      { url: 'http://127.0.0.1:8080/a?b=1', method: 'post', headers: { 'content-type': 'application/json' }, body: '{"x":1}' },
      new URL('http://127.0.0.1:8080/a?b=1'),
    );
    expect(bytes.toString()).toBe(
      'POST /a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\ncontent-type: application/json\r\nContent-Length: 7\r\n\r\n{"x":1}',
    );
  });

  it('refuses header values that would split the request', () => {
    expect(() => encodeRequest({ url: 'http://h/', headers: { x: 'a\r\nEvil: 1' } }, new URL('http://h/'))).toThrow(UsageError);
  });
});

describe('resolveLoadOptions', () => {
  it('applies defaults', () => {
    const resolved = resolveLoadOptions({ target: { url: 'http://127.0.0.1:3000/json' }, connections: 10, duration: 1_000 });
    expect(resolved).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      pipelining: 1,
      timeout: 10_000,
      maxSendLag: 10,
      workers: 1,
      rate: undefined,
    });
  });

  it('explains each bad option in one line', () => {
    const base = { target: { url: 'http://127.0.0.1:3000/' }, connections: 1, amount: 1 };
    expect(() => resolveLoadOptions({ ...base, connections: 0 })).toThrow('Expected `connections` to be a positive integer, got `0`.');
    expect(() => resolveLoadOptions({ ...base, rate: -5 })).toThrow('Expected `rate` to be a positive number, got `-5`.');
    expect(() => resolveLoadOptions({ ...base, workers: 2 })).toThrow('Expected `workers` (2) to be at most `connections` (1).');
    expect(() => resolveLoadOptions({ ...base, target: [{ url: 'http://a:1/' }, { url: 'http://b:1/' }] })).toThrow('share one origin');
    expect(() => resolveLoadOptions({ ...base, target: { url: 'not a url' } })).toThrow('absolute http:// URL');
  });
});

describe('createRequestPicker', () => {
  it('interleaves a weighted mix evenly and deterministically', () => {
    const pick = createRequestPicker([5, 1, 1]);
    expect(Array.from({ length: 14 }, pick)).toEqual([0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0]);
  });
});

describe('LoadRecorder', () => {
  it('marks an open-model result invalid when the generator lagged beyond maxSendLag', () => {
    const recorder = new LoadRecorder(0);
    for (let i = 0; i < 100; i++) recorder.sendLag.record(i < 95 ? 100 : 50_000);
    const options = {
      model: 'open' as const,
      connections: 1,
      pipelining: 1,
      rate: 100,
      endedAt: 1_000,
      windowMs: 1_000,
      unfinished: 0,
      partial: false,
    };
    expect(recorder.toResult({ ...options, maxSendLag: 10 })).toMatchObject({
      valid: false,
      warnings: [expect.stringContaining('p99 send lag 50.0 ms > 10 ms')],
    });
    expect(recorder.toResult({ ...options, maxSendLag: 100 })).toMatchObject({ valid: true, warnings: [] });
  });

  it("reports the open model's rate over the schedule window and the closed model's over the elapsed time", () => {
    const recorder = new LoadRecorder(500);
    for (let i = 0; i < 160; i++) recorder.response(200, 600 + i * 12.5, 500 + i * 12.5, 510 + i * 12.5);
    const fields = { connections: 10, pipelining: 1, rate: 80, endedAt: 2_600, unfinished: 0, partial: false, maxSendLag: 10 };
    // 160 responses, 2 s of schedule, 2.1 s with the drain of the last response.
    const open = recorder.toResult({ ...fields, model: 'open', windowMs: 2_000 });
    expect(open).toMatchObject({ windowMs: 2_000, elapsedMs: 2_100, requestsPerSecond: 80 });
    const closed = recorder.toResult({ ...fields, model: 'closed', windowMs: undefined });
    expect(closed.requestsPerSecond).toBeCloseTo(160 / 2.1, 6);
    expect(closed.windowMs).toBeUndefined();
  });
});
