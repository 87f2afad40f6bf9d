import chalk from 'chalk';
import { formatBytes, formatMicroseconds, summarizeLoadResult, type LoadResult } from '../engine/index.js';
import type { MockUpstreamStats } from '../upstream/mock-upstream.js';
import type { ServerFigures } from '../server-metrics/index.js';
import type { CapacityResult } from '../capacity/types.js';
import type { LatencyMs } from './latency-ms.js';
import type { ScenarioTimeline } from './timeline.js';

/** One scenario's measurements: the load result, the server's usage, the upstream's view. */
export interface ScenarioReport {
  name: string;
  paths: string[];
  result: LoadResult;
  /** Percentiles of `result`'s histograms in milliseconds (absent from reports written before it was added). */
  latencyMs?: LatencyMs;
  server?: { rssPeakBytes: number; rssLastBytes: number; cpuSeconds: number; cpuCores: number };
  /** Upstream activity during this scenario only. */
  upstream?: { requests: number; connectionsOpened: number; maxConnectionsOpen: number; aborted: number };
  /** What the server's own /metrics said during this scenario (when it exposes them). */
  serverMetrics?: ServerFigures;
  /** The scenario over time (client per second, server per sample), for the charts. */
  timeline?: ScenarioTimeline;
  /** `--find-capacity`: the highest sustainable rate, its bottleneck, recommendations; `result` is then the run at that rate. */
  capacity?: CapacityResult;
}

export interface BenchReport {
  schema: 'asyncsrv-bench/1';
  startedAt: string;
  target: string;
  load: { connections: number; durationMs?: number; amount?: number; rate?: number; pipelining: number; workers: number; warmupMs: number };
  upstream?: { latencyMs: number; jitterMs: number; faults: string };
  partial: boolean;
  scenarios: ScenarioReport[];
}

/** Upstream counters of a scenario: the difference of two snapshots. */
export function upstreamDelta(before: MockUpstreamStats, after: MockUpstreamStats): NonNullable<ScenarioReport['upstream']> {
  return {
    requests: after.requests - before.requests,
    connectionsOpened: after.connectionsOpened - before.connectionsOpened,
    maxConnectionsOpen: after.maxConnectionsOpen,
    aborted: after.aborted - before.aborted,
  };
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The report a person reads: one block per scenario, then a summary table. Pure: returns a string. */
export function formatBenchReport(report: BenchReport): string {
  const lines: string[] = [];
  const load = report.load;
  const length = load.amount ? `${integer.format(load.amount)} requests` : `${((load.durationMs ?? 0) / 1000).toFixed(0)} s`;
  lines.push(chalk.bold(`asyncsrv bench  ${report.target}`));
  lines.push(
    chalk.dim(
      `${load.rate ? `open model ${integer.format(load.rate)} req/s` : 'closed model'}, ${load.connections} connections, ${length} per scenario, ${load.workers} worker(s)` +
        (report.upstream
          ? `, upstream ${report.upstream.latencyMs} ms ± ${report.upstream.jitterMs} ms${report.upstream.faults ? `, faults ${report.upstream.faults}` : ''}`
          : ''),
    ),
  );
  lines.push('');
  const header = ['scenario', 'req/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'errors', 'non-2xx', 'server RSS', 'CPU', 'upstream conns'];
  const rows = report.scenarios.map((scenario) => summaryRow(scenario));
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => stripAnsi(row[i] ?? '').length)));
  const render = (cells: string[]): string =>
    cells.map((cell, i) => (i === 0 ? pad(cell, widths[i] ?? 0, 'end') : pad(cell, widths[i] ?? 0, 'start'))).join('  ');
  lines.push(chalk.dim(render(header)));
  for (const row of rows) lines.push(render(row));
  const inside = report.scenarios.filter((scenario) => scenario.serverMetrics !== undefined);
  if (inside.length > 0) lines.push('', ...insideTable(inside));
  const warnings = report.scenarios.flatMap((scenario) => scenario.result.warnings.map((warning) => `${scenario.name}: ${warning}`));
  if (warnings.length > 0) lines.push('', ...warnings.map((warning) => chalk.yellow(`warning ${warning}`)));
  if (report.partial) lines.push('', chalk.yellow('Interrupted: these are partial results.'));
  return `${lines.join('\n')}\n`;
}

function summaryRow(scenario: ScenarioReport): string[] {
  const { result } = scenario;
  const latency = summarizeLoadResult(result).latency;
  const errors = Object.values(result.errors).reduce((sum, n) => sum + n, 0);
  const non2xx = Object.entries(result.statusCounts)
    .filter(([status]) => !status.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  const bad = (n: number): string => (n > 0 ? chalk.red(integer.format(n)) : '0');
  return [
    scenario.name + (result.partial ? '*' : ''),
    integer.format(result.requestsPerSecond),
    formatMicroseconds(latency.p50),
    formatMicroseconds(latency.p90),
    formatMicroseconds(latency.p99),
    formatMicroseconds(latency.p999),
    formatMicroseconds(latency.max),
    bad(errors),
    bad(non2xx),
    scenario.server ? formatBytes(scenario.server.rssPeakBytes) : '-',
    scenario.server ? `${(scenario.server.cpuCores * 100).toFixed(0)}%` : '-',
    scenario.upstream && scenario.upstream.requests > 0
      ? `${scenario.upstream.connectionsOpened} new / ${integer.format(scenario.upstream.requests)} calls`
      : '-',
  ];
}

/** Why the numbers are what they are, from the server's /metrics: its event loop, its pools, what it refused. */
function insideTable(scenarios: ScenarioReport[]): string[] {
  const header = [
    'inside the server',
    'loop delay p99',
    'DB pool wait p99',
    'upstream pending max',
    '503 shed',
    '504 deadline',
    '502 upstream',
  ];
  const ms = (value: number | undefined): string => (value === undefined ? '-' : `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`);
  const count = (value: number | undefined, bad = true): string =>
    value === undefined ? '-' : value > 0 && bad ? chalk.red(integer.format(value)) : integer.format(value);
  const rows = scenarios.map(({ name, serverMetrics: m }) => [
    name,
    ms(m?.eventLoopDelayP99Ms),
    ms(m?.dbPoolWaitP99Ms),
    count(m?.upstreamPendingMax, false),
    count(m?.shed),
    count(m?.deadline504),
    count(m?.badGateway502),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => stripAnsi(row[i] ?? '').length)));
  const render = (cells: string[]): string => cells.map((cell, i) => pad(cell, widths[i] ?? 0, i === 0 ? 'end' : 'start')).join('  ');
  return [chalk.dim(render(header)), ...rows.map(render)];
}

function pad(text: string, width: number, side: 'start' | 'end'): string {
  const missing = Math.max(0, width - stripAnsi(text).length);
  return side === 'start' ? ' '.repeat(missing) + text : text + ' '.repeat(missing);
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
