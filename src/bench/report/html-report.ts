import { LatencyHistogram, summarizeLoadResult } from '../engine/index.js';
import type { BenchReport, ScenarioReport } from './format-report.js';

/** Percentiles of the curve, HdrHistogram style: spaced by -log10(1 - p) so the tail gets room. */
const CURVE_PERCENTILES = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100];
const WIDTH = 560;
const HEIGHT = 220;
const MARGIN = { left: 64, right: 36, top: 16, bottom: 36 };

/**
 * One self-contained HTML page (inline CSS and SVG, no script, nothing fetched): per scenario, the
 * latency percentile curve and the requests/s of each second. Pure: returns the document.
 */
export function renderHtmlReport(report: BenchReport): string {
  const sections = report.scenarios.map(renderScenario).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>asyncsrv bench: ${escapeHtml(report.target)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; text-align: right; } th:first-child, td:first-child { text-align: left; }
svg text { font: 11px system-ui, sans-serif; fill: #57606a; } .line { fill: none; stroke: #0969da; stroke-width: 2; } .axis { stroke: #8c959f; }
</style>
</head>
<body>
<h1>asyncsrv bench — ${escapeHtml(report.target)}</h1>
<p>${escapeHtml(report.startedAt)} · ${report.load.rate ? `open model, ${report.load.rate} req/s` : 'closed model'} · ${report.load.connections} connections${report.partial ? ' · <strong>partial (interrupted)</strong>' : ''}</p>
${sections}
</body>
</html>
`;
}

function renderScenario(scenario: ScenarioReport): string {
  const { result } = scenario;
  const summary = summarizeLoadResult(result).latency;
  const histogram = LatencyHistogram.fromData(result.latency);
  const curve = CURVE_PERCENTILES.map((p) => ({ x: Math.min(p, 99.99), y: histogram.percentile(p) / 1000 }));
  const tail = (p: number): number => -Math.log10(1 - p / 100);
  const percentileChart = lineChart(
    curve.map((point) => ({ x: tail(point.x), y: point.y })),
    { title: 'latency by percentile (ms)', xTicks: [0, 50, 90, 99, 99.9, 99.99].map((p) => ({ at: tail(p), label: `${p}%` })) },
  );
  // The last second of a run is usually cut short: charting it would show a false drop.
  const fullSeconds = result.perSecond.slice(0, Math.max(1, Math.floor(result.elapsedMs / 1000)));
  const rpsChart = lineChart(
    fullSeconds.map((count, second) => ({ x: second + 1, y: count })),
    {
      title: 'requests per second',
      xTicks: fullSeconds
        .map((_, second) => ({ at: second + 1, label: `${second + 1}s` }))
        .filter((_, i, all) => all.length <= 12 || i % Math.ceil(all.length / 12) === 0),
    },
  );
  const ms = (us: number): string => (us / 1000).toFixed(2);
  return `<section>
<h2>${escapeHtml(scenario.name)} <small>${escapeHtml(scenario.paths.join(', '))}</small></h2>
<table><tr><th>req/s</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max (ms)</th><th>responses</th></tr>
<tr><td>${result.requestsPerSecond.toFixed(0)}</td><td>${ms(summary.p50)}</td><td>${ms(summary.p90)}</td><td>${ms(summary.p99)}</td><td>${ms(summary.p999)}</td><td>${ms(summary.max)}</td><td>${result.completed}</td></tr></table>
<div class="charts">${percentileChart}${rpsChart}</div>
</section>`;
}

interface ChartOptions {
  title: string;
  xTicks: Array<{ at: number; label: string }>;
}

/** A line chart as inline SVG; scales from the data, y from 0. */
export function lineChart(points: Array<{ x: number; y: number }>, { title, xTicks }: ChartOptions): string {
  const xs = points.map((p) => p.x);
  const xMin = Math.min(...xs, ...xTicks.map((t) => t.at));
  const xMax = Math.max(...xs, ...xTicks.map((t) => t.at), xMin + 1e-9);
  const yMax = Math.max(...points.map((p) => p.y), 1e-9) * 1.1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number): number => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y: number): number => MARGIN.top + plotH - (y / yMax) * plotH;
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => (f * yMax) / 1.1);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">
<text x="${MARGIN.left}" y="12">${escapeHtml(title)}</text>
<line class="axis" x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${WIDTH - MARGIN.right}" y2="${MARGIN.top + plotH}"/>
<line class="axis" x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotH}"/>
${yTicks.map((y) => `<text x="${MARGIN.left - 6}" y="${sy(y).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${formatTick(y)}</text>`).join('\n')}
${xTicks.map((t) => `<text x="${sx(t.at).toFixed(1)}" y="${HEIGHT - 14}" text-anchor="middle">${escapeHtml(t.label)}</text>`).join('\n')}
${points.length > 0 ? `<path class="line" d="${path}"/>` : ''}
</svg>`;
}

function formatTick(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
