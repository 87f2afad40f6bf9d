import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LatencyHistogram, summarizeLoadResult } from '../engine/index.js';
import { resourceName } from '../capacity/bottleneck.js';
import { capacitySummary } from './format-capacity.js';
import type { BenchReport, ScenarioReport } from './format-report.js';
import { CHARTS_SCRIPT } from './html-charts-script.js';
import { perSecondSeries } from './timeline.js';

/** uPlot's browser build and stylesheet, inlined into the page so that it fetches nothing. */
export interface ChartLibrary {
  js: string;
  css: string;
}

/** Reads uPlot (a dependency of this package) from node_modules, where the package resolves it. */
export async function readChartLibrary(): Promise<ChartLibrary> {
  const root = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
  const [js, css] = await Promise.all([
    readFile(join(root, 'dist', 'uPlot.iife.min.js'), 'utf8'),
    readFile(join(root, 'dist', 'uPlot.min.css'), 'utf8'),
  ]);
  return { js, css };
}

/** Percentiles of the curve, HdrHistogram style: the x axis is 1 / (1 - p) on a log scale, so the tail gets room. */
const CURVE_PERCENTILES = [0, 10, 25, 50, 75, 80, 90, 95, 97, 98, 99, 99.5, 99.7, 99.8, 99.9, 99.95, 99.97, 99.99, 99.995, 99.999];

/** The data one scenario's charts draw: plain numbers, embedded in the page as JSON. */
export interface ScenarioChartData {
  name: string;
  perSecond: ReturnType<typeof perSecondSeries>;
  baselinePerSecond?: ReturnType<typeof perSecondSeries>;
  process?: NonNullable<ScenarioReport['timeline']>['process'];
  inside?: NonNullable<ScenarioReport['timeline']>['inside'];
  /** [1 / (1 - p), latency ms] for each curve percentile; the baseline's when compared. */
  curve: Array<[number, number]>;
  baselineCurve?: Array<[number, number]>;
  /** `--find-capacity`: [rate, best p99 ms] of each rate tried, by rate, and the p99 objective. */
  search?: Array<[number, number]>;
  sloP99Ms?: number;
}

/** Each rate the search tried with its best p99 (noise only adds latency), in order of rate. */
function searchCurve(capacity: NonNullable<ScenarioReport['capacity']>): Array<[number, number]> {
  const best = new Map<number, number>();
  for (const step of capacity.steps) {
    if (step.rate === undefined) continue;
    best.set(step.rate, Math.min(best.get(step.rate) ?? Number.POSITIVE_INFINITY, Math.max(0.001, step.p99Ms)));
  }
  return [...best.entries()].sort((a, b) => a[0] - b[0]);
}

function percentileCurve(scenario: ScenarioReport): Array<[number, number]> {
  const histogram = LatencyHistogram.fromData(scenario.result.latency);
  if (histogram.count === 0) return [];
  return CURVE_PERCENTILES.map((p) => [1 / (1 - p / 100), Math.max(0.001, histogram.percentile(p) / 1000)]);
}

/** What the page's script draws, per scenario (the baseline's series beside this run's when compared). Pure. */
export function chartData(report: BenchReport, baseline?: BenchReport): ScenarioChartData[] {
  return report.scenarios.map((scenario) => {
    const before = baseline?.scenarios.find((s) => s.name === scenario.name);
    const data: ScenarioChartData = {
      name: scenario.name,
      perSecond: scenario.timeline?.perSecond ?? perSecondSeries(scenario.result),
      curve: percentileCurve(scenario),
    };
    if (scenario.timeline?.process) data.process = scenario.timeline.process;
    if (scenario.timeline?.inside) data.inside = scenario.timeline.inside;
    if (scenario.capacity) {
      data.search = searchCurve(scenario.capacity);
      data.sloP99Ms = scenario.capacity.slo.p99Ms;
    }
    if (before) {
      data.baselinePerSecond = before.timeline?.perSecond ?? perSecondSeries(before.result);
      data.baselineCurve = percentileCurve(before);
    }
    return data;
  });
}

/**
 * One self-contained HTML page: uPlot and its stylesheet inlined, the data as JSON, nothing
 * fetched. Per scenario: latency p50/p99 per second, requests and errors per second, the
 * server's RSS and CPU, event-loop delay, pool wait and upstream line over time, the percentile
 * curve on a log scale (hover for the read-out), the baseline overlaid when compared. Pure.
 */
export function renderHtmlReport(report: BenchReport, baseline: BenchReport | undefined, library: ChartLibrary): string {
  const data = chartData(report, baseline);
  const json = JSON.stringify({ scenarios: data, baseline: baseline ? baseline.startedAt : null }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>asyncsrv bench: ${escapeHtml(report.target)}</title>
<style>${library.css}</style>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 2.5rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; margin-top: 1rem; }
.chart h3 { font-size: .9rem; font-weight: 600; margin: 0 0 .3rem; color: #57606a; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; text-align: right; } th:first-child, td:first-child { text-align: left; }
.capacity { background: #f6f8fa; padding: .6rem 1rem; border-radius: 6px; max-width: 70rem; }
.capacity li { margin: .2rem 0; }
</style>
<script>${library.js}</script>
</head>
<body>
<h1>asyncsrv bench — ${escapeHtml(report.target)}</h1>
<p>${escapeHtml(report.startedAt)} · ${describeLoad(report)}${baseline ? ` · compared with the baseline of ${escapeHtml(baseline.startedAt)} (dashed)` : ''}${report.partial ? ' · <strong>partial (interrupted)</strong>' : ''}</p>
${report.scenarios.map((scenario, i) => renderScenario(scenario, i)).join('\n')}
<script>const REPORT = ${json};</script>
<script>${CHARTS_SCRIPT}</script>
</body>
</html>
`;
}

function describeLoad(report: BenchReport): string {
  if (report.scenarios.some((s) => s.capacity)) return 'capacity search (open model steps); the charts show the run at the capacity found';
  return report.load.rate ? `open model, ${report.load.rate} req/s` : `closed model, ${report.load.connections} connections`;
}

function renderScenario(scenario: ScenarioReport, index: number): string {
  const { result } = scenario;
  const summary = summarizeLoadResult(result).latency;
  const ms = (us: number): string => (us / 1000).toFixed(2);
  return `<section>
<h2>${escapeHtml(scenario.name)} <small>${escapeHtml(scenario.paths.join(', '))}</small></h2>
<table><tr><th>req/s</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max (ms)</th><th>responses</th></tr>
<tr><td>${result.requestsPerSecond.toFixed(0)}</td><td>${ms(summary.p50)}</td><td>${ms(summary.p90)}</td><td>${ms(summary.p99)}</td><td>${ms(summary.p999)}</td><td>${ms(summary.max)}</td><td>${result.completed}</td></tr></table>
${scenario.capacity ? renderCapacity(scenario.capacity) : ''}
<div class="charts" id="charts-${index}"></div>
</section>`;
}

function renderCapacity(capacity: NonNullable<ScenarioReport['capacity']>): string {
  const items = capacity.recommendations.map(
    (r) =>
      `<li><code>${escapeHtml(r.setting.startsWith('--') ? `${r.setting} ${r.value}` : `${r.setting}=${r.value}`)}</code>${r.current !== undefined ? ` (now ${r.current})` : ''}: ${escapeHtml(r.why)}</li>`,
  );
  return `<div class="capacity"><p><strong>Capacity: ${escapeHtml(capacitySummary(capacity))}</strong> (SLO p99 ≤ ${capacity.slo.p99Ms} ms, errors ≤ ${(capacity.slo.errorShare * 100).toFixed(2)}%).<br>
Bottleneck: <strong>${escapeHtml(resourceName(capacity.bottleneck.resource))}</strong>, ${escapeHtml(capacity.bottleneck.evidence)}</p>
<ul>${items.join('')}</ul></div>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
