import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBenchCommand, parseBenchOptions, type RawBenchFlags } from '../../../src/commands/bench.js';
import { makeDevCommand, parseDevOptions, type RawDevFlags } from '../../../src/commands/dev.js';
import { makeStartCommand, parseStartOptions, type RawStartFlags } from '../../../src/commands/start.js';
import { UsageError } from '../../../src/util/errors.js';

/** The raw flags commander hands the action of the real command definition, without running it. */
function rawFlags<Raw>(command: Command, argv: string[]): { args: string[]; raw: Raw } {
  let seen: { args: string[]; raw: Raw } | undefined;
  command.exitOverride().action((...params: unknown[]) => {
    const raw = params.at(-2) as Raw;
    const args = params.slice(0, -2).flat() as string[];
    seen = { args, raw };
  });
  command.parse(argv, { from: 'user' });
  if (!seen) throw new Error('action did not run');
  return seen;
}

describe('asyncsrv dev flags → DevOptions', () => {
  const parse = (argv: string[]) => parseDevOptions(rawFlags<RawDevFlags>(makeDevCommand(), argv).raw, '/project');

  it('defaults', () => {
    expect(parse([])).toEqual({ cwd: '/project', port: undefined, strictPort: false, inspect: undefined, clear: true, quiet: false });
  });

  it('takes every flag', () => {
    expect(parse(['-p', '0', '--strict-port', '--inspect', '--no-clear', '-q'])).toEqual({
      cwd: '/project',
      port: 0,
      strictPort: true,
      inspect: true,
      clear: false,
      quiet: true,
    });
    expect(parse(['--inspect=127.0.0.1:9230']).inspect).toBe('127.0.0.1:9230');
  });

  it('refuses a port out of range', () => {
    expect(() => parse(['--port', '70000'])).toThrow('Expected `--port` to be a port number (0-65535), got `70000`.');
  });
});

describe('asyncsrv start flags → StartOptions', () => {
  const parse = (argv: string[]) => parseStartOptions(rawFlags<RawStartFlags>(makeStartCommand(), argv).raw, '/project');

  it('one worker by default, a count or auto', () => {
    expect(parse([])).toEqual({ cwd: '/project', workers: 1 });
    expect(parse(['-w', '4']).workers).toBe(4);
    expect(parse(['--workers', 'auto']).workers).toBe('auto');
  });

  it('refuses 0 and more than 256', () => {
    expect(() => parse(['-w', '0'])).toThrow(UsageError);
    expect(() => parse(['-w', '257'])).toThrow('Expected `--workers` to be a count from 1 to 256 or `auto`, got `257`.');
  });
});

describe('asyncsrv bench flags → BenchOptions', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cas-bench-flags-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const parse = (argv: string[]) => {
    const { args, raw } = rawFlags<RawBenchFlags>(makeBenchCommand(), argv);
    return parseBenchOptions(args, raw, '/project');
  };

  it('defaults: 50 connections for 10 s each, 2 s warm-up, a 100 ms upstream', async () => {
    const options = await parse([]);
    expect(options).toMatchObject({
      cwd: '/project',
      scenarios: [],
      url: undefined,
      connections: 50,
      durationMs: 10_000,
      amount: undefined,
      pipelining: 1,
      workers: 1,
      warmupMs: 2000,
      baseline: undefined,
      thresholds: [],
    });
    expect(options.upstream).toEqual({ latencyMs: 100, jitterMs: 0, faults: [], spec: '' });
  });

  it('takes scenarios, the load model and the upstream faults', async () => {
    const options = await parse(['json', 'db', '-a', '500', '-r', '200', '--upstream-fault', 'reset@1%', '--fail-on', 'p99>200ms']);
    expect(options).toMatchObject({ scenarios: ['json', 'db'], amount: 500, durationMs: undefined, rate: 200 });
    expect(options.upstream.faults).toEqual([{ kind: 'reset', share: 0.01 }]);
    expect(options.thresholds).toHaveLength(1);
  });

  it('refuses what contradicts itself or is malformed', async () => {
    await expect(parse(['-a', '10', '-d', '1s'])).rejects.toThrow('Give either `--duration` or `--amount`, not both.');
    await expect(parse(['-d', '50ms'])).rejects.toThrow('Expected `--duration` to be at least 100ms, got `50ms`.');
    await expect(parse(['json', '--url', 'http://127.0.0.1:1/'])).rejects.toThrow(UsageError);
    await expect(parse(['-c', '0'])).rejects.toThrow('Expected `--connections` to be a positive integer, got `0`.');
  });

  it('reads the --compare baseline, and refuses a file that is not a bench report', async () => {
    const good = join(dir, 'good.json');
    const report = { schema: 'asyncsrv-bench/1', scenarios: [] };
    await writeFile(good, JSON.stringify(report));
    expect((await parse(['--compare', good])).baseline).toEqual(report);
    const other = join(dir, 'other.json');
    await writeFile(other, '{"schema":"k6"}');
    await expect(parse(['--compare', other])).rejects.toThrow(
      `The baseline \`${other}\` is not an asyncsrv bench report (schema asyncsrv-bench/1).`,
    );
    await expect(parse(['--compare', join(dir, 'missing.json')])).rejects.toThrow('Cannot read the baseline');
  });
});
