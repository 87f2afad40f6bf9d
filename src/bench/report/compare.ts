import chalk from 'chalk';
import { summarizeLoadResult } from '../engine/index.js';
import type { BenchReport, ScenarioReport } from './format-report.js';

/** Changes smaller than this share are noise on a shared machine, not regressions. */
const NOISE = 0.05;

interface Row {
  label: string;
  baseline: number;
  current: number;
  /** Which direction is better. */
  better: 'higher' | 'lower';
  unit: 'rps' | 'ms';
}

/** Side-by-side table of a baseline report and this one, per scenario both have, with deltas. */
export function formatComparison(baseline: BenchReport, current: BenchReport): string {
  const lines = [chalk.bold('compared with the baseline of ' + baseline.startedAt)];
  lines.push(
    chalk.dim(`${'scenario'.padEnd(12)}${'metric'.padEnd(8)}${'baseline'.padStart(12)}${'now'.padStart(12)}${'change'.padStart(10)}`),
  );
  for (const scenario of current.scenarios) {
    const before = baseline.scenarios.find((candidate) => candidate.name === scenario.name);
    if (!before) {
      lines.push(`${scenario.name.padEnd(12)}${chalk.dim('not in the baseline')}`);
      continue;
    }
    for (const row of comparisonRows(before, scenario)) {
      const change = row.baseline === 0 ? 0 : (row.current - row.baseline) / row.baseline;
      const worse = row.better === 'higher' ? change < -NOISE : change > NOISE;
      const improved = row.better === 'higher' ? change > NOISE : change < -NOISE;
      const text = `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
      const coloured = worse ? chalk.red(text) : improved ? chalk.green(text) : text;
      lines.push(
        `${scenario.name.padEnd(12)}${row.label.padEnd(8)}${format(row.baseline, row.unit).padStart(12)}${format(row.current, row.unit).padStart(12)}${' '.repeat(Math.max(0, 10 - text.length))}${coloured}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function comparisonRows(before: ScenarioReport, after: ScenarioReport): Row[] {
  const a = summarizeLoadResult(before.result).latency;
  const b = summarizeLoadResult(after.result).latency;
  return [
    { label: 'req/s', baseline: before.result.requestsPerSecond, current: after.result.requestsPerSecond, better: 'higher', unit: 'rps' },
    { label: 'p50', baseline: a.p50 / 1000, current: b.p50 / 1000, better: 'lower', unit: 'ms' },
    { label: 'p99', baseline: a.p99 / 1000, current: b.p99 / 1000, better: 'lower', unit: 'ms' },
  ];
}

function format(value: number, unit: Row['unit']): string {
  return unit === 'rps' ? value.toFixed(0) : `${value.toFixed(2)} ms`;
}
