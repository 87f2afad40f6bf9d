import { LatencyHistogram, type HistogramData, type LatencySummary } from './histogram.js';
import type { LoadResult, LoadSummary } from './types.js';

/** Percentiles and moments of each histogram of a result. */
export function summarizeLoadResult(result: LoadResult): LoadSummary {
  const summarize = (data: HistogramData): LatencySummary => LatencyHistogram.fromData(data).summary();
  const summary: LoadSummary = { latency: summarize(result.latency) };
  if (result.serviceTime !== undefined) summary.serviceTime = summarize(result.serviceTime);
  if (result.sendLag !== undefined) summary.sendLag = summarize(result.sendLag);
  return summary;
}

/** A duration in microseconds, in the unit that keeps it readable: `850 µs`, `12.34 ms`, `1.20 s`. */
export function formatMicroseconds(us: number): string {
  if (us < 1_000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1_000).toFixed(2)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const columns = ['p50', 'p90', 'p99', 'p99.9', 'max', 'mean', 'stdev'] as const;

function latencyRow(label: string, s: LatencySummary): string {
  const values = [s.p50, s.p90, s.p99, s.p999, s.max, s.mean, s.stdev];
  return label.padEnd(26) + values.map((v) => formatMicroseconds(v).padStart(10)).join('');
}

/**
 * The human-readable report of one run, as a string (the caller prints it; colour comes later).
 *
 * @example
 * process.stdout.write(formatLoadResult(await runLoad(options, signal)));
 */
export function formatLoadResult(result: LoadResult): string {
  const summary = summarizeLoadResult(result);
  const open = result.model === 'open';
  const model = open ? `open model at ${integer.format(result.rate ?? 0)} req/s` : 'closed model';
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  // Open model: the rate is over the schedule window; the drain of the last responses comes after it.
  const length =
    open && result.windowMs !== undefined
      ? `${seconds(result.windowMs)} schedule, ${seconds(result.elapsedMs)} to the last response`
      : seconds(result.elapsedMs);
  const lines = [
    `${model}, ${result.connections} connections, pipelining ${result.pipelining}, ${result.workers} worker${result.workers === 1 ? '' : 's'}, ${length}${result.partial ? ' (partial: stopped early)' : ''}`,
    '',
    'Latency'.padEnd(26) + columns.map((c) => c.padStart(10)).join(''),
    latencyRow(open ? 'from intended send' : 'from send', summary.latency),
  ];
  if (summary.serviceTime !== undefined) lines.push(latencyRow('service time (uncorrected)', summary.serviceTime));
  if (summary.sendLag !== undefined) lines.push(latencyRow('generator send lag', summary.sendLag));
  lines.push('');
  lines.push(
    `Requests/s  ${integer.format(result.requestsPerSecond)}  (${integer.format(result.completed)} responses, ${integer.format(result.sent)} sent, ${formatBytes(result.bytesRead)} read)`,
  );
  const statuses = Object.entries(result.statusCounts).map(([status, n]) => `${status}: ${integer.format(n)}`);
  lines.push(`Status      ${statuses.length === 0 ? 'none' : statuses.join('  ')}`);
  const e = result.errors;
  lines.push(
    `Errors      timeout ${e.timeout}  reset ${e.reset}  refused ${e.refused}  other ${e.other}${result.unfinished > 0 ? `  (unfinished ${result.unfinished})` : ''}`,
  );
  if (open) lines.push(`Late        ${integer.format(result.late ?? 0)} requests found no free connection at their intended time`);
  for (const warning of result.warnings) lines.push(`Warning     ${warning}`);
  if (!result.valid) lines.push('INVALID     this measurement cannot be trusted (see the warning above)');
  return `${lines.join('\n')}\n`;
}
