import { describe, expect, it } from 'vitest';
import { barsOf, formatMs, formatRps, formatTable, renderMarkdown } from '../../../bench/talk/render-report.js';
import { escapeXml, renderBarChart } from '../../../bench/talk/render-svg.js';
import { report, row } from './fixtures.js';

const rows = [
  row('sync', 9.8, { group: '1', label: 'sync server' }, 'sync'),
  row('external-std', 960, { label: 'generated /external', ratio: '0.96x Little' }),
  row('per-request-client', 300, { group: '3', label: 'naive | client per request' }, 'naive'),
  row('memory', 5000, { group: '5', label: 'RSS' }),
];

describe('formatMs and formatRps', () => {
  it('switch units where they read best', () => {
    expect([formatMs(1.234), formatMs(99.6), formatMs(2500), formatMs(Number.NaN)]).toEqual(['1.2 ms', '100 ms', '2.50 s', '-']);
    expect([formatRps(9.84), formatRps(12345.6)]).toEqual(['9.8', '12,346']);
  });
});

describe('formatTable', () => {
  it('aligns one line per row under the header, then PASS/MISS lines and notes', () => {
    const lines = formatTable(report(rows)).split('\n');
    expect(lines[0]).toMatch(/^#\s+row\s+conns\s+req\/s\s+p50\s+p99/);
    expect(lines[1]).toContain('sync server');
    expect(lines[2]).toContain('960');
    expect(lines[2]).toContain('0.96x Little');
    expect(lines).toContain('PASS  shared client: 4.00x, target >= 3x');
    expect(lines).toContain('MISS  json: 0.80x, target >= 0.9x');
    expect(lines.at(-1)).toBe('note: UPSTREAM_CONNECTIONS=1000');
  });
});

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(report(rows));

  it('states the machine and the load', () => {
    expect(markdown).toContain('2 CPUs (`nproc`), Node v20.20.2, linux x64, 2026-11-25 17:00 UTC');
    expect(markdown).toContain(
      "5 s per row after 1 s warm-up (3 s at 1000 connections), 100 connections (1000 for the Little's-law and memory rows), mock upstream latency 100 ms",
    );
  });

  it('has a table row per row with pipes escaped, the chart, targets and one line per row', () => {
    const tableLines = markdown.split('\n').filter((line) => line.startsWith('| '));
    expect(tableLines).toHaveLength(1 + rows.length);
    expect(markdown).toContain('naive \\| client per request');
    expect(markdown).toContain('![requests/s per row](benchmarks.svg)');
    expect(markdown).toContain('- **PASS** shared client: 4.00x; target >= 3x');
    expect(markdown).toContain('- **MISS** json');
    expect(markdown).toContain('- **1 sync server**: what sync shows');
  });
});

describe('renderBarChart', () => {
  it('escapes text for XML', () => {
    expect(escapeXml('a < b & "c"')).toBe('a &#60; b &#38; &#34;c&#34;');
  });

  it('draws one bar per throughput row (not the memory row), longer for more req/s on a log scale', () => {
    const bars = barsOf(rows);
    expect(bars.map((b) => b.tone)).toEqual(['sync', 'generated', 'naive']);
    const svg = renderBarChart('Requests/s <talk>', bars);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Requests/s &#60;talk&#62;');
    expect(svg).not.toMatch(/<(script|image|foreignObject)/);
    const widths = [...svg.matchAll(/<rect x="330" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(3);
    // log scale over 3 decades: 9.8 req/s is about a third of 960's bar, not 1 %
    expect(widths[0]! / widths[1]!).toBeGreaterThan(0.3);
    expect(widths[1]).toBeGreaterThan(widths[2]!);
  });

  it('balances its tags', () => {
    const svg = renderBarChart('t', barsOf(rows));
    const opened = (svg.match(/<(svg|text)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|text)>/g) ?? []).length;
    expect(opened).toBe(closed);
  });
});
