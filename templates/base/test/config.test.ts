import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configVariables, loadConfig } from '../src/config.js';

const databaseUrl = 'postgres://postgres@127.0.0.1:5432/app';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const result = loadConfig({ DATABASE_URL: databaseUrl });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({ host: '127.0.0.1', port: 3000, logFormat: 'pretty' });
    expect(result.config.upstream.url.href).toBe('http://127.0.0.1:3000/upstream');
    expect(result.config.http.deadlineMs).toBe(5_000);
    expect(result.config.http.headersTimeoutMs).toBeGreaterThan(result.config.http.keepAliveTimeoutMs);
  });

  it('logs JSON in production, and serves no demo upstream there', () => {
    const result = loadConfig({ DATABASE_URL: databaseUrl, NODE_ENV: 'production', UPSTREAM_URL: 'http://upstream.internal:8080' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.logFormat).toBe('json');
    expect(result.config.upstreamEcho).toBe(false);
    expect(result.config.upstream.url.href).toBe('http://upstream.internal:8080/');
  });

  it('serves the built-in echo upstream outside production only', () => {
    const result = loadConfig({ DATABASE_URL: databaseUrl });
    expect(result.ok && result.config.upstreamEcho).toBe(true);
  });

  it('requires UPSTREAM_URL in production, in one line', () => {
    const result = loadConfig({ DATABASE_URL: databaseUrl, NODE_ENV: 'production' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.stringMatching(/^`UPSTREAM_URL` is not set: in production \(NODE_ENV=production\) point it at/),
    ]);
  });

  it('explains how to get a database when DATABASE_URL is missing', () => {
    const result = loadConfig({});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/^`DATABASE_URL` is not set\. .+/);
  });

  it('reports one line per bad variable', () => {
    const result = loadConfig({
      DATABASE_URL: 'mysql://x',
      PORT: 'eighty',
      REQUEST_DEADLINE_MS: '0',
      LOG_FORMAT: 'xml',
      UPSTREAM_URL: 'ftp://x',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      'Expected `PORT` to be an integer from 0 to 65535, got `eighty`.',
      'Expected `LOG_FORMAT` to be one of pretty, json, silent, got `xml`.',
      'Expected `DATABASE_URL` to be a postgres:// URL, got `mysql://x`.',
      'Expected `REQUEST_DEADLINE_MS` to be a positive integer, got `0`.',
      'Expected `UPSTREAM_URL` to be an http(s) URL, got `ftp://x`.',
    ]);
  });

  it('derives the overload thresholds from the deadline, and lets each be set', () => {
    const base = { DATABASE_URL: 'postgres://x@127.0.0.1/db', UPSTREAM_URL: 'http://127.0.0.1:4000' };
    const derived = loadConfig({ ...base, REQUEST_DEADLINE_MS: '2000' });
    expect(derived.ok && derived.config.overload).toEqual({ queueTargetMs: 1, queueIntervalMs: 400, maxEventLoopDelayMs: 200 });
    expect(derived.ok && derived.config.upstream).toMatchObject({ breakerFailures: 5, breakerCooldownMs: 2_000 });
    const set = loadConfig({ ...base, QUEUE_TARGET_MS: '10', QUEUE_INTERVAL_MS: '50', MAX_EVENT_LOOP_DELAY_MS: '0' });
    expect(set.ok && set.config.overload).toEqual({ queueTargetMs: 10, queueIntervalMs: 50, maxEventLoopDelayMs: 0 });
    const inverted = loadConfig({ ...base, QUEUE_TARGET_MS: '100', QUEUE_INTERVAL_MS: '50' });
    expect(!inverted.ok && inverted.problems).toEqual(['Expected `QUEUE_INTERVAL_MS` to be above `QUEUE_TARGET_MS` (100), got `50`.']);
  });

  it('is documented variable by variable in .env.example', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    for (const name of configVariables) expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});
