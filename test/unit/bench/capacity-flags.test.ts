import { describe, expect, it } from 'vitest';
import { makeBenchCommand, parseBenchOptions, type RawBenchFlags } from '../../../src/commands/bench.js';

/** The flags as commander hands them to the action, without running it. */
function parse(argv: string[]): ReturnType<typeof parseBenchOptions> {
  let seen: { args: string[]; raw: RawBenchFlags } | undefined;
  const command = makeBenchCommand();
  command.exitOverride().action((...params: unknown[]) => {
    seen = { args: params.slice(0, -2).flat() as string[], raw: params.at(-2) as RawBenchFlags };
  });
  command.parse(argv, { from: 'user' });
  if (!seen) throw new Error('action did not run');
  return parseBenchOptions(seen.args, seen.raw, '/project');
}

describe('asyncsrv bench --find-capacity flags → BenchOptions', () => {
  it('has no search without the flag, and defaults with it: SLO from the deadline, 0.1% errors, 3 s steps, 2 minutes', async () => {
    expect((await parse([])).capacity).toBeUndefined();
    const options = await parse(['external', '--find-capacity', '--markdown', 'pr.md']);
    expect(options.capacity).toEqual({ sloP99Ms: undefined, sloErrorShare: 0.001, stepMs: 3_000, maxDurationMs: 120_000 });
    expect(options).toMatchObject({ durationMs: 3_000, markdownFile: 'pr.md', scenarios: ['external'] });
  });

  it('takes the SLO and the budget', async () => {
    const options = await parse(['--find-capacity', '--slo-p99', '150ms', '--slo-errors', '1%', '--step', '2s', '--max-duration', '30s']);
    expect(options.capacity).toEqual({ sloP99Ms: 150, sloErrorShare: 0.01, stepMs: 2_000, maxDurationMs: 30_000 });
  });

  it('refuses what contradicts the search or cannot hold it', async () => {
    await expect(parse(['--find-capacity', '-r', '100'])).rejects.toThrow('`--find-capacity` chooses the rates and lengths itself');
    await expect(parse(['--find-capacity', '-d', '5s'])).rejects.toThrow('`--find-capacity` chooses the rates and lengths itself');
    await expect(parse(['--slo-p99', '100ms'])).rejects.toThrow('`--slo-p99` only applies with `--find-capacity`.');
    await expect(parse(['--find-capacity', '--step', '500ms'])).rejects.toThrow('Expected `--step` to be at least 1s, got `500ms`.');
    await expect(parse(['--find-capacity', '--slo-errors', '5'])).rejects.toThrow('Expected `--slo-errors` to hold a percentage');
    await expect(parse(['--find-capacity', '--max-duration', '5s'])).rejects.toThrow(
      'Expected `--max-duration` to hold at least three steps (9s), got `5s`.',
    );
  });
});
