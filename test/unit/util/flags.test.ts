import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/util/errors.js';
import { httpUrl, nonNegativeInteger, parseDuration, portNumber, positiveInteger } from '../../../src/util/flags.js';

describe('shared flag parsers', () => {
  it('positiveInteger takes 1 and up, nothing else', () => {
    expect(positiveInteger('1', '--connections')).toBe(1);
    expect(positiveInteger('50', '--connections')).toBe(50);
    for (const raw of ['0', '-1', '1.5', '1e3', '', ' 2', '99999999999999999999']) {
      expect(() => positiveInteger(raw, '--connections')).toThrow(UsageError);
    }
    expect(() => positiveInteger('0', '--connections')).toThrow('Expected `--connections` to be a positive integer, got `0`.');
  });

  it('nonNegativeInteger also takes 0', () => {
    expect(nonNegativeInteger('0', '--max-warnings')).toBe(0);
    expect(() => nonNegativeInteger('1.5', '--max-warnings')).toThrow('Expected `--max-warnings` to be a non-negative integer, got `1.5`.');
  });

  it('portNumber takes 0-65535', () => {
    expect(portNumber('0', '--port')).toBe(0);
    expect(portNumber('65535', '--port')).toBe(65535);
    expect(() => portNumber('65536', '--port')).toThrow('Expected `--port` to be a port number (0-65535), got `65536`.');
    expect(() => portNumber('http', '--port')).toThrow(UsageError);
  });

  it('parseDuration needs a unit', () => {
    expect(parseDuration('250us', '--warmup')).toBe(0.25);
    expect(parseDuration('1.5s', '--warmup')).toBe(1500);
    expect(parseDuration('2m', '--warmup')).toBe(120_000);
    expect(() => parseDuration('100', '--warmup')).toThrow('Expected `--warmup` to be a duration like 100ms, 3s or 1m, got `100`.');
  });

  it('httpUrl takes absolute http:// URLs only', () => {
    expect(httpUrl('http://127.0.0.1:3000', '--url')).toBe('http://127.0.0.1:3000/');
    expect(() => httpUrl('https://example.com', '--url')).toThrow('Expected `--url` to be an http:// URL, got `https://example.com`.');
    expect(() => httpUrl('localhost:3000/x', '--url')).toThrow(UsageError);
    expect(() => httpUrl('/json', '--url')).toThrow(UsageError);
  });
});
