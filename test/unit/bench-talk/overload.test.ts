import { describe, expect, it } from 'vitest';
import { readTalkSections } from '../../../bench/talk/config.js';
import { toOverloadPoint } from '../../../bench/talk/overload-rows.js';
import {
  extractOverloadBlock,
  formatOtherErrors,
  formatOverloadTable,
  goodputSeriesOf,
  OVERLOAD_END,
  OVERLOAD_START,
  renderMarkdown,
  renderOverloadMarkdown,
  spliceOverloadBlock,
} from '../../../bench/talk/render-report.js';
import { niceStep, renderGoodputChart } from '../../../bench/talk/render-svg.js';
import { evaluateOverloadTargets } from '../../../bench/talk/targets.js';
import type { OverloadPoint, OverloadSection } from '../../../bench/talk/types.js';
import { report, row } from './fixtures.js';

const latency = (count: number, p50Ms: number, p99Ms: number): OverloadPoint['served'] => ({ count, p50Ms, p99Ms, maxMs: p99Ms + 1 });
const none = latency(0, 0, 0);

function point(variant: OverloadPoint['variant'], factor: number, goodput: number, extra: Partial<OverloadPoint> = {}): OverloadPoint {
  return { variant, factor, offeredRate: factor * 100, goodput, served: latency(goodput * 5, 102, 110), shed: none, other: {}, ...extra };
}

const points = [
  point('protected', 0.5, 50),
  point('naive', 0.5, 50),
  point('protected', 3, 98, { served: latency(490, 103, 180), shed: latency(1010, 3, 4.2) }),
  point('naive', 3, 0, { served: none, other: { 504: 1500 } }),
];

function section(overrides: Partial<OverloadSection> = {}): OverloadSection {
  return {
    capacity: 100,
    upstreamConnections: 10,
    upstreamLatencyMs: 100,
    path: '/external',
    durationMs: 5000,
    warmupMs: 1000,
    measured: '2 CPUs, Node v20.20.2, linux x64, 2026-11-25 18:00 UTC',
    points,
    targets: evaluateOverloadTargets(points, 100),
    naiveAbout: 'calls queue FIFO | inside undici',
    ...overrides,
  };
}

describe('evaluateOverloadTargets', () => {
  it('judges the protected server at the highest load against capacity and its own unloaded p99, quoting the naive one', () => {
    const targets = evaluateOverloadTargets(points, 100);
    expect(targets.map((t) => [t.name, t.pass])).toEqual([
      ['overload: goodput at 3x capacity', true],
      ['overload: served p99 at 3x capacity', true],
      ['overload: shed (503) p99 at 3x capacity', true],
    ]);
    expect(targets[0]!.actual).toBe('98 req/s = 0.98x; naive: 0 req/s = 0.00x');
    expect(targets[0]!.goal).toBe('>= 0.95x capacity (95 req/s)');
    expect(targets[1]!.goal).toBe('<= 2x the served p99 at 0.5x (220 ms)');
    expect(targets[1]!.actual).toBe('180 ms = 1.64x; naive: nothing served');
    expect(targets[2]!.actual).toBe('4.2 ms over 1010 refusals');
  });

  it('misses each target on a collapsing or slow server', () => {
    const slow = [point('protected', 0.5, 50), point('protected', 3, 90, { served: latency(450, 150, 230), shed: latency(10, 8, 12) })];
    expect(evaluateOverloadTargets(slow, 100).map((t) => t.pass)).toEqual([false, false, false]);
  });

  it('leaves out what did not run', () => {
    expect(evaluateOverloadTargets([], 100)).toEqual([]);
    expect(evaluateOverloadTargets([point('naive', 3, 0)], 100)).toEqual([]);
    expect(evaluateOverloadTargets([point('protected', 3, 99)], 100).map((t) => t.name)).toEqual([
      'overload: goodput at 3x capacity',
      'overload: served p99 at 3x capacity',
      'overload: shed (503) p99 at 3x capacity',
    ]);
  });
});

describe('toOverloadPoint', () => {
  it('counts every figure over the answers that arrived in the window, whenever due', () => {
    // 10 req/s, 1 s warm-up then 1 s measured: requests due at 0, 100, ..., 1900 ms.
    const outcomes: Array<{ latencyMs: number; status?: number; error?: string }> = Array.from({ length: 20 }, () => ({
      latencyMs: 150,
      status: 200,
    }));
    outcomes[3] = { latencyMs: 1200, status: 200 }; // warm-up, due 300 ms, arrives 1500 ms: counts
    outcomes[12] = { latencyMs: 5, status: 503 };
    outcomes[13] = { latencyMs: 300, error: 'ECONNRESET' };
    outcomes[19] = { latencyMs: 2000, status: 504 }; // arrives after the window
    const sent = outcomes.map((o) => ({ ...o, serviceMs: o.latencyMs }));
    const p = toOverloadPoint({ variant: 'naive', factor: 0.5, rate: 10, warmupMs: 1000, durationMs: 1000, outcomes: sent });
    // 2xx arriving in [1000, 2000): index 3 and 9..18 but 12 and 13
    expect(p.goodput).toBe(9);
    expect(p.served).toEqual({ count: 9, p50Ms: 150, p99Ms: 1200, maxMs: 1200 });
    expect(p.shed).toMatchObject({ count: 1, p99Ms: 5 });
    expect(p.other).toEqual({ ECONNRESET: 1 });
    expect(p.offeredRate).toBe(10);
  });

  it('does not count a backlog served after the window', () => {
    const outcomes = Array.from({ length: 10 }, (_, i) => ({ latencyMs: 2000 - i * 100, serviceMs: 2000 - i * 100, status: 200 })); // all arrive at 2000 ms
    expect(toOverloadPoint({ variant: 'naive', factor: 1, rate: 10, warmupMs: 0, durationMs: 1000, outcomes }).goodput).toBe(0);
  });
});

describe('overload table', () => {
  it('formats other errors most frequent first', () => {
    expect(formatOtherErrors({})).toBe('0');
    expect(formatOtherErrors({ ECONNRESET: 2, 504: 120, 500: 0 })).toBe('504: 120, ECONNRESET: 2');
  });

  it('prints one aligned line per run and the PASS/MISS lines', () => {
    const lines = formatOverloadTable(section()).split('\n');
    expect(lines[0]).toBe('overload: capacity 100 req/s');
    expect(lines[1]).toMatch(
      /^load\s+variant\s+offered req\/s\s+goodput req\/s\s+x capacity\s+served p50\s+served p99\s+shed \(503\)\s+shed p99\s+other errors$/,
    );
    expect(lines[4]).toMatch(/^\s*3x\s+protected\s+300\s+98\.0\s+0\.98x\s+103 ms\s+180 ms\s+1010\s+4\.2 ms\s+0$/);
    expect(lines[5]).toMatch(/^\s*3x\s+naive\s+300\s+0\.0\s+0\.00x\s+-\s+-\s+0\s+-\s+504: 1500$/);
    expect(lines).toContain(
      'PASS  overload: goodput at 3x capacity: 98 req/s = 0.98x; naive: 0 req/s = 0.00x, target >= 0.95x capacity (95 req/s)',
    );
  });

  it('renders a marked markdown section with the chart link, a row per run and its targets', () => {
    const markdown = renderOverloadMarkdown(section());
    expect(markdown.startsWith(`${OVERLOAD_START}\n## Overload`)).toBe(true);
    expect(markdown.trimEnd().endsWith(OVERLOAD_END)).toBe(true);
    expect(markdown).toContain('![goodput vs offered load, protected and naive](benchmarks-overload.svg)');
    expect(markdown).toContain('capacity 10 / 0.1 s = 100 req/s');
    expect(markdown).toContain('- naive variant: calls queue FIFO | inside undici');
    expect(markdown.split('\n').filter((line) => line.startsWith('| '))).toHaveLength(1 + points.length);
    expect(markdown).toContain('| 3x | naive | 300 | 0.0 | 0.00x | - | - | 0 | - | 504: 1500 |');
    expect(markdown).toContain('- **PASS** overload: shed (503) p99 at 3x capacity: 4.2 ms over 1010 refusals; target <= 10 ms');
  });

  it('is part of the full report when it ran, and only then', () => {
    const rows = [row('external-std', 960)];
    expect(renderMarkdown({ ...report(rows), overload: section() })).toContain(OVERLOAD_START);
    expect(renderMarkdown(report(rows))).not.toContain(OVERLOAD_START);
  });
});

describe('spliceOverloadBlock and extractOverloadBlock', () => {
  const block = renderOverloadMarkdown(section());
  const page = `# Benchmarks\n\n| table |\n\n${block}`;

  it('finds the section between its markers', () => {
    expect(extractOverloadBlock(page)).toBe(block);
    expect(extractOverloadBlock('# Benchmarks\n')).toBeUndefined();
  });

  it('replaces the section and keeps the rest, or appends it to a file without one', () => {
    const newer = renderOverloadMarkdown(section({ measured: 'later' }));
    const spliced = spliceOverloadBlock(`${page}\nafter\n`, newer);
    expect(spliced).toBe(`# Benchmarks\n\n| table |\n\n${newer}\nafter\n`);
    expect(spliced).not.toContain(section().measured);
    expect(spliceOverloadBlock('# Benchmarks\n\n| table |\n', block)).toBe(`# Benchmarks\n\n| table |\n\n${block}`);
  });
});

describe('renderGoodputChart', () => {
  const svg = renderGoodputChart('Goodput <overload>', 100, goodputSeriesOf(section()));

  it('picks round axis steps', () => {
    expect([niceStep(300), niceStep(100), niceStep(7)]).toEqual([50, 20, 2]);
  });

  it('draws a line and a point per run for each variant, capacity and the all-served diagonal', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Goodput &#60;overload&#62;');
    expect(svg).not.toMatch(/<(script|image|foreignObject)/);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(points.length);
    expect(svg).toContain('capacity 100 req/s');
    expect(svg).toContain('protected (generated)');
    expect(svg).toContain('naive (no admission line)');
    const opened = (svg.match(/<(svg|text)\b/g) ?? []).length;
    expect((svg.match(/<\/(svg|text)>/g) ?? []).length).toBe(opened);
  });

  it('puts the protected server high and the collapsed one on the floor at 3x', () => {
    const [protectedLine, naiveLine] = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) =>
      m[1]!.split(' ').map((xy) => xy.split(',').map(Number)),
    );
    const yAt3x = (line: number[][]): number => line.at(-1)![1]!;
    expect(protectedLine![0]![0]).toBe(naiveLine![0]![0]); // same offered load, same x
    expect(yAt3x(protectedLine!)).toBeLessThan(yAt3x(naiveLine!) - 50); // SVG y grows downwards
  });
});

describe('readTalkSections', () => {
  it('runs both sections by default, or the one BENCH_TALK_ONLY names', () => {
    expect([...readTalkSections({})]).toEqual(['table', 'overload']);
    expect([...readTalkSections({ BENCH_TALK_ONLY: 'overload' })]).toEqual(['overload']);
    expect(() => readTalkSections({ BENCH_TALK_ONLY: 'fast' })).toThrow(
      'Expected `BENCH_TALK_ONLY` to be one of `table`, `overload`, got `fast`.',
    );
  });
});
