import chalk from 'chalk';
import { resourceName } from '../capacity/bottleneck.js';
import type { CapacityResult, CapacityStep } from '../capacity/types.js';
import type { BenchReport } from './format-report.js';

const percent = (share: number): string => `${(share * 100).toFixed(share < 0.01 ? 2 : 1)}%`;

/** One line for a capacity: the rate, its p99, and how sure the search is. */
export function capacitySummary(capacity: CapacityResult): string {
  if (capacity.rate === 0) return `no rate met the SLO (down to ${capacity.failedRate ?? '?'} req/s)`;
  const at = `${capacity.rate} req/s at p99 ${capacity.p99Ms} ms`;
  if (capacity.failedRate === undefined) return `at least ${at} (no rate tried broke it before --max-duration ran out)`;
  const bound = capacity.converged ? '' : ' (--max-duration ran out before the search narrowed the gap to 5%)';
  return `${at}, ${capacity.failedRate} req/s did not${bound}`;
}

function stepCell(step: CapacityStep): string {
  if (step.rate === undefined) return `probe ${step.goodputRps}/s`;
  const mark = step.passed ? chalk.green('ok') : chalk.red('x');
  return `${step.rate}${step.phase === 'repeat' ? ' (again)' : ''} ${mark}`;
}

/**
 * The `--find-capacity` section a person reads: per scenario, the highest sustainable rate, the
 * SLO, the resource that saturated first and the settings to change, each with its reasoning.
 * Pure: returns a string.
 */
export function formatCapacity(report: BenchReport): string {
  const lines: string[] = [];
  for (const scenario of report.scenarios) {
    const capacity = scenario.capacity;
    if (!capacity) continue;
    lines.push(chalk.bold(`capacity of ${scenario.name}: ${capacitySummary(capacity)}`));
    lines.push(
      chalk.dim(
        `  SLO p99 <= ${capacity.slo.p99Ms} ms, errors <= ${percent(capacity.slo.errorShare)}; ${capacity.steps.length} steps in ${(capacity.elapsedMs / 1000).toFixed(0)} s: ${capacity.steps.map(stepCell).join(', ')}`,
      ),
    );
    const lastFail = [...capacity.steps].reverse().find((step) => step.passed === false && step.rate === capacity.failedRate);
    if (lastFail) lines.push(`  ${capacity.failedRate} req/s broke it: ${lastFail.reasons.join('; ')}`);
    lines.push(`  bottleneck: ${chalk.bold(resourceName(capacity.bottleneck.resource))}, ${capacity.bottleneck.evidence}`);
    for (const r of capacity.recommendations) {
      const now = r.current !== undefined ? ` (now ${r.current})` : '';
      const setting = r.setting.startsWith('--') ? `${r.setting} ${r.value}` : `${r.setting}=${r.value}`;
      lines.push(`  ${chalk.cyan(setting)}${now}: ${r.why}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
