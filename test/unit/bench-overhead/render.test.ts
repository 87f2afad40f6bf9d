import { describe, expect, it } from 'vitest';
import { ladderDeltas, LADDER_LAYERS, LAYER_NOTES, rungName } from '../../../bench/overhead/middleware-ladder.js';
import {
  contenderTable,
  formatMarkdown,
  formatTerminalReport,
  formatText,
  instructionsNote,
  instructionTable,
  issueTable,
  ladderTable,
  OVERHEAD_MARKERS,
  renderOverheadMarkdown,
  renderOverheadSection,
  statusesCell,
} from '../../../bench/overhead/render.js';
import { countStatuses, statusDelta } from '../../../bench/overhead/servers.js';
import { evaluateTargets, roundRatios, summariseRuns } from '../../../bench/overhead/stats.js';
import { ladder, report, threeRounds, waiting } from './fixtures.js';

function fullReport() {
  const runs = threeRounds();
  const summaries = summariseRuns(runs);
  const ratios = roundRatios(runs);
  return report(runs, { summaries, ratios, targets: evaluateTargets(summaries, ratios, waiting) });
}

describe('formatText and formatMarkdown', () => {
  it('pads columns to their widest cell, the first to the left', () => {
    expect(
      formatText({
        head: ['a', 'bb'],
        rows: [
          ['long', '1'],
          ['x', '123'],
        ],
      }),
    ).toBe('a      bb\n----  ---\nlong    1\nx     123');
  });

  it('writes a GitHub table with numbers aligned right', () => {
    expect(formatMarkdown({ head: ['a', 'b'], rows: [['x', '1']] })).toBe('| a | b |\n| --- | ---: |\n| x | 1 |');
  });
});

describe('report tables', () => {
  it('shows every contender with its rounds, ratio and errors', () => {
    const table = contenderTable(fullReport());
    expect(table.rows).toHaveLength(6);
    expect(table.rows[1]).toEqual(
      expect.arrayContaining(['/json c=50, generated, LOG_FORMAT=silent', '27,000', '24,300 / 27,000 / 29,700', '0.90x']),
    );
    expect(table.rows[2]).toEqual(expect.arrayContaining(['/json c=50, generated, silent, METRICS=off', '27,500']));
    expect(table.rows[3]).toEqual(expect.arrayContaining(['180', '200: 3,000']));
    expect(table.rows[5]).toEqual(expect.arrayContaining(['12 (12 timeouts, 0 non-2xx)']));
  });

  it("puts the issue's rows side by side with the ratio", () => {
    const rows = issueTable(fullReport()).rows;
    expect(rows[0]).toEqual([
      '/json, c=50, default production access log to a pipe',
      '24,000 2xx/s, 0 errors',
      '30,000 2xx/s, 0 errors',
      '0.80x',
    ]);
    expect(rows.at(-1)).toEqual(['RSS with 1000 requests waiting on a 2 s upstream', '141 MB', '132 MB', '1.07x']);
  });

  it('gives each middleware its cumulative cost and delta, then the two real servers', () => {
    const rows = ladderTable(fullReport()).rows;
    expect(rows.slice(0, 3).map((row) => [row[0], row[2], row[3]])).toEqual([
      ['none', '24.0', ''],
      ['+ serviceResponse', '25.0', '+1.0'],
      ['+ requestHandler', '31.5', '+6.5'],
    ]);
    expect(rows.at(-2)?.[0]).toBe('(generated server, silent)');
  });

  it('renders the terminal report and the markdown with every section', () => {
    const text = formatTerminalReport(fullReport());
    expect(text).toContain('Targets');
    expect(text).toContain('MISS');
    const markdown = renderOverheadMarkdown(fullReport());
    for (const heading of [
      '## Targets',
      "## The issue's table on this run",
      '## Every contender',
      '## RSS with 1000 requests waiting',
      '## Cost of each piece',
    ]) {
      expect(markdown).toContain(heading);
    }
    expect(markdown).toContain('2 CPUs');
  });
});

describe('middleware ladder', () => {
  it("names each rung after the generated app's middleware, in order, each with a note", () => {
    expect(rungName(0)).toBe('none');
    expect(rungName(LADDER_LAYERS.length)).toBe('accessLog');
    expect(['none', ...LADDER_LAYERS].every((name) => LAYER_NOTES[name])).toBe(true);
  });

  it("computes each rung's delta over the one before", () => {
    expect(ladderDeltas(ladder)).toEqual([24, 1, 6.5]);
  });
});

describe('access-log statuses', () => {
  it('counts the status of each JSON line and the difference between two counts', () => {
    const counts: Record<string, number> = {};
    countStatuses('{"msg":"request","status":200}\n{"status":503,"x":1}\n{"status":200}\nplain line\n', counts);
    expect(counts).toEqual({ 200: 2, 503: 1 });
    expect(statusDelta({ 200: 1 }, { 200: 2, 503: 1 })).toEqual({ 200: 1, 503: 1 });
    expect(statusesCell({ 503: 1200, 200: 5 })).toBe('200: 5, 503: 1,200');
    expect(statusesCell({})).toBe('–');
  });
});

describe('the section of docs/benchmarks.md', () => {
  it('sits between its markers with before and after side by side, the targets and the profile findings', () => {
    const section = renderOverheadSection(fullReport());
    expect(section.startsWith(OVERHEAD_MARKERS.start)).toBe(true);
    expect(section.trimEnd().endsWith(OVERHEAD_MARKERS.end)).toBe(true);
    expect(section).toContain(
      '| /json, c=50, LOG_FORMAT=silent | 0.62–0.84x (issue); 0.47x | 0.90x | 27,000 2xx/s, 0 errors | 30,000 2xx/s, 0 errors |',
    );
    expect(section).toContain('What the profiles showed');
    expect(section).toMatch(/none 24\.0, \+ serviceResponse 25\.0/);
  });
});

describe('instruction counts', () => {
  const counts = [
    { id: 'minimal', perRequest: 82_812.4, windows: [82_812.4] },
    { id: 'generated-silent', perRequest: 96_963, windows: [120_400, 96_963, 95_710] },
    { id: 'generated-https', perRequest: 98_800, windows: [98_800] },
    { id: 'generated-log', perRequest: 105_976, windows: [105_976] },
    { id: 'ladder-0', perRequest: 84_000, windows: [84_000] },
    { id: 'ladder-1', perRequest: 95_500, windows: [95_500] },
    { id: 'ladder-2', perRequest: 95_300, windows: [95_300] },
  ];

  it('tables each server against the minimal app, and adds counts and deltas to the ladder', () => {
    const counted = { ...fullReport(), instructions: { counts, valgrind: 'valgrind-3.19.0' } };
    expect(instructionTable(counted).rows).toEqual([
      ['minimal Hono', '82,812', '1.00x', '82.8k'],
      ['generated, LOG_FORMAT=silent', '96,963', '1.17x', '120.4k / 97.0k / 95.7k'],
      ['generated, silent, request with X-Forwarded-Proto: https (adds HSTS)', '98,800', '1.19x', '98.8k'],
      ['generated, access log to a pipe', '105,976', '1.28x', '106.0k'],
    ]);
    const ladder = ladderTable(counted);
    expect(ladder.head.slice(-2)).toEqual(['instructions/req', 'delta']);
    expect(ladder.rows.map((row) => row.slice(-2))).toEqual([
      ['84,000', ''],
      ['95,500', '+11,500'],
      ['95,300', '-200'],
      ['96,963', ''],
      ['82,812', ''],
    ]);
    expect(instructionsNote(counted)).toContain('the median of 3 windows of 10,000 requests counted after 50,000 not counted');
    expect(formatTerminalReport(counted)).toContain('generated, access log to a pipe');
    expect(renderOverheadMarkdown(counted)).toContain('## Instructions per request');
  });

  it('says why a run has none, and leaves the ladder without those columns', () => {
    const skipped = { ...fullReport(), instructions: { skipped: 'valgrind is not installed (apt-get install valgrind)' } };
    expect(instructionsNote(skipped)).toBe('No instruction counts on this run: valgrind is not installed (apt-get install valgrind).');
    expect(ladderTable(skipped).head).not.toContain('instructions/req');
    expect(renderOverheadMarkdown(skipped)).toContain('No instruction counts on this run');
  });
});
