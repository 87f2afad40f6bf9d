import { resourceName } from '../capacity/bottleneck.js';
import { summarizeLoadResult, type LoadResult } from '../engine/index.js';
import type { BenchReport, ScenarioReport } from './format-report.js';

/** Changes smaller than this share are noise on a shared machine (as in compare.ts). */
const NOISE = 0.05;
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Failed requests (no answer, or 4xx/5xx) as a share of those that ended. */
export function failedShare(result: LoadResult): number {
  const transport = Object.values(result.errors).reduce((a, b) => a + b, 0);
  const bad = Object.entries(result.statusCounts)
    .filter(([status]) => Number(status) >= 400)
    .reduce((sum, [, n]) => sum + n, 0);
  const ended = result.completed + transport;
  return ended === 0 ? 0 : (transport + bad) / ended;
}

function ms(us: number): string {
  const value = us / 1000;
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ms`;
}

/** ` (+3.1%)`, in bold when it is worse than the noise; empty without a baseline value. */
function delta(now: number, before: number | undefined, better: 'higher' | 'lower'): string {
  if (before === undefined || before === 0) return '';
  const change = (now - before) / before;
  const text = `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
  const worse = better === 'higher' ? change < -NOISE : change > NOISE;
  return worse ? ` (**${text}**)` : ` (${text})`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function row(cells: string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

function scenarioRow(scenario: ScenarioReport, before: ScenarioReport | undefined): string {
  const now = summarizeLoadResult(scenario.result).latency;
  const then = before ? summarizeLoadResult(before.result).latency : undefined;
  const failed = failedShare(scenario.result);
  const cells = [
    `\`${scenario.name}\``,
    `${integer.format(scenario.result.requestsPerSecond)}${delta(scenario.result.requestsPerSecond, before?.result.requestsPerSecond, 'higher')}`,
    `${ms(now.p50)}${delta(now.p50, then?.p50, 'lower')}`,
    `${ms(now.p99)}${delta(now.p99, then?.p99, 'lower')}`,
    `${(failed * 100).toFixed(2)}%`,
  ];
  if (scenario.capacity) {
    const capacity = scenario.capacity;
    cells.push(
      capacity.rate === 0
        ? 'none met the SLO'
        : `${capacity.converged ? '' : '≥ '}${capacity.rate} req/s${delta(capacity.rate, before?.capacity?.rate, 'higher')}`,
      resourceName(capacity.bottleneck.resource),
    );
  }
  return row(cells);
}

/**
 * A compact Markdown summary for a pull-request comment: one table row per scenario (req/s, p50,
 * p99, errors; capacity and bottleneck after `--find-capacity`), with the change from the
 * baseline when `--compare` gives one (worse than 5 % in bold). Pure: returns the document.
 */
export function renderMarkdownReport(report: BenchReport, baseline?: BenchReport): string {
  const capacity = report.scenarios.some((s) => s.capacity);
  const load = report.load;
  const model = capacity
    ? 'capacity search (open model)'
    : load.rate
      ? `open model ${integer.format(load.rate)} req/s`
      : `closed model, ${load.connections} connections`;
  const length = capacity
    ? ''
    : load.amount
      ? `, ${integer.format(load.amount)} requests`
      : `, ${((load.durationMs ?? 0) / 1000).toFixed(0)} s`;
  const lines = [`### asyncsrv bench`, '', `${model}${length} per scenario${report.partial ? ' · **partial (interrupted)**' : ''}`];
  if (baseline) lines.push(`Compared with the baseline of ${baseline.startedAt}; changes worse than ${NOISE * 100}% in bold.`);
  lines.push('');
  const header = ['scenario', 'req/s', 'p50', 'p99', 'errors', ...(capacity ? ['capacity', 'bottleneck'] : [])];
  lines.push(row(header), `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const scenario of report.scenarios) {
    lines.push(
      scenarioRow(
        scenario,
        baseline?.scenarios.find((s) => s.name === scenario.name),
      ),
    );
  }
  const recommendations = report.scenarios.flatMap((s) =>
    (s.capacity?.recommendations ?? [])
      .filter((r) => r.current === undefined || r.current !== r.value)
      .map(
        (r) =>
          `- \`${s.name}\`: \`${r.setting.startsWith('--') ? `${r.setting} ${r.value}` : `${r.setting}=${r.value}`}\`${r.current !== undefined ? ` (now ${r.current})` : ''}`,
      ),
  );
  if (recommendations.length > 0)
    lines.push('', '<details><summary>Recommended settings</summary>', '', ...recommendations, '', '</details>');
  const missing = baseline?.scenarios.filter((b) => !report.scenarios.some((s) => s.name === b.name)).map((b) => `\`${b.name}\``) ?? [];
  if (missing.length > 0) lines.push('', `Not run this time: ${missing.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}
