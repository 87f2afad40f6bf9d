import { extractBlock, spliceBlock } from '../marked-block.js';
import { warmupFor } from './config.js';
import { formatRps, type Bar, type GoodputSeries } from './render-svg.js';
import type { Measurement, OverloadPoint, OverloadSection, Row, TalkReport, TargetResult } from './types.js';

const columns = [
  '#',
  'row',
  'conns',
  'req/s',
  'p50',
  'p99',
  'non-2xx (504)',
  'failed',
  'RSS MB',
  'srv CPU',
  'new upstream conns',
  'vs',
] as const;

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms >= 10 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
}

export { formatRps };

function cells(row: Row): string[] {
  const m: Measurement = row.measurement;
  return [
    row.group,
    row.label,
    String(row.connections),
    formatRps(m.requestsPerSecond),
    m.completed > 0 ? formatMs(m.p50Ms) : '-',
    m.completed > 0 ? formatMs(m.p99Ms) : '-',
    `${m.non2xx} (${m.gatewayTimeouts})`,
    String(m.failed),
    m.rssPeakMb === undefined ? '-' : m.rssPeakMb.toFixed(0),
    m.serverCores === undefined ? '-' : m.serverCores.toFixed(2),
    m.upstreamConnections === undefined ? '-' : String(m.upstreamConnections),
    row.ratio ?? '',
  ];
}

const targetLine = (t: TargetResult): string => `${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.actual}, target ${t.goal}`;

/** The table as aligned plain text for the terminal, targets below it. */
export function formatTable(report: TalkReport): string {
  const body = report.rows.map(cells);
  const widths = columns.map((title, i) => Math.max(title.length, ...body.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => (i === 1 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns), ...body.map(line), '', ...report.targets.map(targetLine), ...report.notes.map((n) => `note: ${n}`)].join('\n');
}

function describeLoad(report: TalkReport): string {
  const { load } = report;
  const highWarmup = warmupFor(load.highConnections, load.warmupMs);
  return (
    `closed model on keep-alive connections (our engine), ${load.durationMs / 1000} s per row after ${load.warmupMs / 1000} s warm-up (${highWarmup / 1000} s at ${load.highConnections} connections), ` +
    `${load.connections} connections (${load.highConnections} for the Little's-law and memory rows), mock upstream latency ${load.upstreamLatencyMs} ms, everything on 127.0.0.1`
  );
}

/** docs/benchmarks.md: machine, load, the table, targets and one line per row in the talk's terms. */
export function renderMarkdown(report: TalkReport): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|');
  const { machine } = report;
  return [
    "# Benchmarks: the talk's table on this machine",
    '',
    'Written by `npm run bench:talk` (bench/talk.ts); regenerate it rather than editing it. Figures come from one shared,',
    'noisy machine: read the ratios between rows of the same run, not the absolute numbers.',
    '',
    `- machine: ${machine.cpus} CPUs (\`nproc\`), Node ${machine.node}, ${machine.platform}, ${machine.date}`,
    `- load: ${describeLoad(report)}`,
    ...report.notes.map((note) => `- ${note}`),
    '',
    '![requests/s per row](benchmarks.svg)',
    '',
    `| ${columns.join(' | ')} |`,
    `|${columns.map((_, i) => (i === 1 || i === columns.length - 1 ? '---' : '---:')).join('|')}|`,
    ...report.rows.map((row) => `| ${cells(row).map(escape).join(' | ')} |`),
    '',
    '## Targets',
    '',
    ...report.targets.map((t) => `- **${t.pass ? 'PASS' : 'MISS'}** ${escape(t.name)}: ${escape(t.actual)}; target ${escape(t.goal)}`),
    '',
    '## What each row shows',
    '',
    ...report.rows.map((row) => `- **${row.group} ${escape(row.label)}**: ${row.shows}`),
    '',
    ...(report.overload ? [renderOverloadMarkdown(report.overload)] : []),
  ].join('\n');
}

/** One bar per row that measures throughput (the memory row repeats another row's run). */
export function barsOf(rows: readonly Row[]): Bar[] {
  return rows
    .filter((row) => row.group !== '5')
    .map((row) => ({ label: `${row.group} ${row.label}`, value: row.measurement.requestsPerSecond, tone: row.kind }));
}

const overloadColumns = [
  'load',
  'variant',
  'offered req/s',
  'goodput req/s',
  'x capacity',
  'served p50',
  'served p99',
  'shed (503)',
  'shed p99',
  'other errors',
] as const;

/** Anything but a 2xx or a 503, most frequent first, e.g. `504: 120, ECONNRESET: 2`. */
export function formatOtherErrors(other: Readonly<Record<string, number>>): string {
  const entries = Object.entries(other)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length === 0 ? '0' : entries.map(([what, n]) => `${what}: ${n}`).join(', ');
}

function overloadCells(point: OverloadPoint, capacity: number): string[] {
  return [
    `${point.factor}x`,
    point.variant,
    formatRps(point.offeredRate),
    formatRps(point.goodput),
    `${(point.goodput / capacity).toFixed(2)}x`,
    point.served.count > 0 ? formatMs(point.served.p50Ms) : '-',
    point.served.count > 0 ? formatMs(point.served.p99Ms) : '-',
    String(point.shed.count),
    point.shed.count > 0 ? formatMs(point.shed.p99Ms) : '-',
    formatOtherErrors(point.other),
  ];
}

function describeOverload(section: OverloadSection): string {
  return (
    `open model (requests sent on a fixed schedule whatever the answers, latency from each one's due time), ${section.durationMs / 1000} s per run after ${section.warmupMs / 1000} s ` +
    `warm-up at the same rate (every figure counts the answers that arrived during the measured window, warm-up requests included, so a backlog answered after it does not inflate goodput), GET ${section.path} with UPSTREAM_CONNECTIONS=${section.upstreamConnections} against the mock upstream at ${section.upstreamLatencyMs} ms: capacity ` +
    `${section.upstreamConnections} / ${section.upstreamLatencyMs / 1000} s = ${formatRps(section.capacity)} req/s (Little's law); protected and naive alternate at each load`
  );
}

/** The overload table as aligned plain text for the terminal, its targets below it. */
export function formatOverloadTable(section: OverloadSection): string {
  const body = section.points.map((point) => overloadCells(point, section.capacity));
  const widths = overloadColumns.map((title, i) => Math.max(title.length, ...body.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => (i === 1 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    `overload: capacity ${formatRps(section.capacity)} req/s`,
    line(overloadColumns),
    ...body.map(line),
    '',
    ...section.targets.map(targetLine),
  ].join('\n');
}

export const OVERLOAD_START = '<!-- overload section: `BENCH_TALK_ONLY=overload npm run bench:talk` rewrites it alone -->';
export const OVERLOAD_END = '<!-- end of the overload section -->';

/** The overload section of docs/benchmarks.md, between markers so a run of that section alone can replace it. */
export function renderOverloadMarkdown(section: OverloadSection): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|');
  const at = (factor: number, variant: OverloadPoint['variant']): OverloadPoint | undefined =>
    section.points.find((p) => p.factor === factor && p.variant === variant);
  const top = Math.max(...section.points.map((p) => p.factor));
  const [guarded, naive] = [at(top, 'protected'), at(top, 'naive')];
  return [
    OVERLOAD_START,
    '## Overload: the failure slide, fixed',
    '',
    "The talk's server fell over when offered more than it could serve: every request waited in a FIFO line, most",
    'timed out there and the rest came late, so goodput fell as the load grew. The generated server puts an admission line (CoDel with adaptive LIFO,',
    'templates/base/src/resilience/admission-queue.ts) in front of its upstream pool and refuses what it cannot serve in',
    'time with a fast 503; the naive copy, made at bench time only, does not.',
    '',
    `- measured: ${section.measured}`,
    `- load: ${describeOverload(section)}`,
    `- naive variant: ${section.naiveAbout}`,
    '',
    '![goodput vs offered load, protected and naive](benchmarks-overload.svg)',
    '',
    `| ${overloadColumns.join(' | ')} |`,
    `|${overloadColumns.map((_, i) => (i === 1 || i === overloadColumns.length - 1 ? '---' : '---:')).join('|')}|`,
    ...section.points.map((point) => `| ${overloadCells(point, section.capacity).map(escape).join(' | ')} |`),
    '',
    ...(guarded && naive
      ? [
          `At ${top}x capacity the protected server served ${formatRps(guarded.goodput)} req/s (${(guarded.goodput / section.capacity).toFixed(2)}x capacity) and refused ${guarded.shed.count} requests; the naive one served ${formatRps(naive.goodput)} req/s.`,
          '',
        ]
      : []),
    '### Overload targets',
    '',
    ...section.targets.map((t) => `- **${t.pass ? 'PASS' : 'MISS'}** ${escape(t.name)}: ${escape(t.actual)}; target ${escape(t.goal)}`),
    '',
    OVERLOAD_END,
    '',
  ].join('\n');
}

/** One line per variant for the goodput chart, in the order of the offered load. */
export function goodputSeriesOf(section: OverloadSection): GoodputSeries[] {
  const line = (variant: OverloadPoint['variant'], label: string, tone: GoodputSeries['tone']): GoodputSeries => ({
    label,
    tone,
    points: section.points
      .filter((p) => p.variant === variant)
      .sort((a, b) => a.factor - b.factor)
      .map((p) => ({ offered: p.offeredRate, goodput: p.goodput })),
  });
  return [line('protected', 'protected (generated)', 'generated'), line('naive', 'naive (no admission line)', 'naive')];
}

const overloadMarkers = { start: OVERLOAD_START, end: OVERLOAD_END };

/** The marked overload section of a docs/benchmarks.md, if it has one. */
export function extractOverloadBlock(markdown: string): string | undefined {
  return extractBlock(markdown, overloadMarkers);
}

/** `markdown` with its overload section replaced by `block`, or `block` appended when it had none. */
export function spliceOverloadBlock(markdown: string, block: string): string {
  return spliceBlock(markdown, overloadMarkers, block);
}
