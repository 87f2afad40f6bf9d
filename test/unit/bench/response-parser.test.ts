import { describe, expect, it } from 'vitest';
import { ResponseParseError, ResponseParser } from '../../../src/bench/engine/response-parser.js';

function parse(chunks: Buffer[], head = false): Array<[number, boolean]> {
  const seen: Array<[number, boolean]> = [];
  const parser = new ResponseParser({ isHead: () => head, response: (status, close) => seen.push([status, close]) });
  for (const chunk of chunks) parser.execute(chunk);
  parser.finish();
  return seen;
}

/** The same bytes fed whole, and split at every possible position. */
function everySplit(text: string): Buffer[][] {
  const bytes = Buffer.from(text, 'latin1');
  const splits = [[bytes]];
  for (let i = 1; i < bytes.length; i++) splits.push([bytes.subarray(0, i), bytes.subarray(i)]);
  return splits;
}

const fixed = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';
const chunked =
  'HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n';
const empty = 'HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n';

describe('ResponseParser', () => {
  it('frames Content-Length, chunked (with extensions and trailers) and 204 responses split anywhere', () => {
    for (const chunks of everySplit(fixed + chunked + empty + fixed)) {
      expect(parse(chunks)).toEqual([
        [200, false],
        [500, false],
        [204, false],
        [200, false],
      ]);
    }
  });

  it('skips interim 100 responses and reads header names case-insensitively', () => {
    const text = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-LENGTH: 2\r\nCONNECTION: close\r\n\r\nok';
    expect(parse([Buffer.from(text)])).toEqual([[201, true]]);
  });

  it('ends a body without length at close, and treats HTTP/1.0 as closing', () => {
    expect(parse([Buffer.from('HTTP/1.0 200 OK\r\n\r\nsome body')])).toEqual([[200, true]]);
  });

  it('ignores the body length of a HEAD response', () => {
    expect(parse([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' + fixed)], true)).toEqual([
      [200, false],
      [200, false],
    ]);
  });

  it('rejects bytes that are not HTTP', () => {
    expect(() => parse([Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')])).toThrow(ResponseParseError);
    expect(() => parse([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')])).toThrow(ResponseParseError);
  });
});
