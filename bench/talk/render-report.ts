import { warmupFor } from './config.js';
import { formatRps, type Bar } from './render-svg.js';
import type { Measurement, Row, TalkReport, TargetResult } from './types.js';

const columns = ['#', 'row', 'conns', 'req/s', 'p50', 'p99', 'non-2xx (504)', 'failed', 'RSS MB', 'srv CPU', 'new upstream conns', 'vs'] as const;

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
  const line = (r: readonly string[]): string => r.map((c, i) => (i === 1 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(columns), ...body.map(line), '', ...report.targets.map(targetLine), ...report.notes.map((n) => `note: ${n}`)].join('\n');
}

function describeLoad(report: TalkReport): string {
  const { load } = report;
  const highWarmup = warmupFor(load.highConnections, load.warmupMs);
  return `closed model on keep-alive connections (our engine), ${load.durationMs / 1000} s per row after ${load.warmupMs / 1000} s warm-up (${highWarmup / 1000} s at ${load.highConnections} connections), ` +
    `${load.connections} connections (${load.highConnections} for the Little's-law and memory rows), mock upstream latency ${load.upstreamLatencyMs} ms, everything on 127.0.0.1`;
}

/** docs/benchmarks.md: machine, load, the table, targets and one line per row in the talk's terms. */
export function renderMarkdown(report: TalkReport): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|');
  const { machine } = report;
  return [
    '# Benchmarks: the talk\'s table on this machine',
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
  ].join('\n');
}

/** One bar per row that measures throughput (the memory row repeats another row's run). */
export function barsOf(rows: readonly Row[]): Bar[] {
  return rows.filter((row) => row.group !== '5').map((row) => ({ label: `${row.group} ${row.label}`, value: row.measurement.requestsPerSecond, tone: row.kind }));
}
