import type { RowKind } from './types.js';

export type BarTone = RowKind;

export interface Bar {
  label: string;
  value: number;
  tone: BarTone;
}

const colours: Record<BarTone, string> = { generated: '#2f855a', naive: '#c05621', sync: '#718096', reference: '#2b6cb0' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Requests/s as the table and the chart print them: whole numbers from 100, one decimal below. */
export function formatRps(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

/**
 * A horizontal bar chart of requests/s as self-contained SVG, on a log scale: the talk's point
 * is orders of magnitude (10 vs 10,000 req/s), which a linear axis would flatten to one bar.
 */
export function renderBarChart(title: string, bars: readonly Bar[]): string {
  const labelWidth = 330;
  const plotWidth = 420;
  const rowHeight = 24;
  const top = 48;
  const width = labelWidth + plotWidth + 90;
  const height = top + bars.length * rowHeight + 40;
  const maxDecade = Math.max(1, Math.ceil(Math.log10(Math.max(10, ...bars.map((b) => b.value)))));
  const x = (value: number): number => (Math.log10(Math.max(1, value)) / maxDecade) * plotWidth;
  const ticks = Array.from({ length: maxDecade + 1 }, (_, i) => 10 ** i);
  const axisY = top + bars.length * rowHeight + 4;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="15" font-weight="bold" fill="#1a202c">${escapeXml(title)}</text>`,
    ...ticks.map((tick) => {
      const tx = (labelWidth + x(tick)).toFixed(1);
      return `<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${axisY}" stroke="#e2e8f0"/><text x="${tx}" y="${axisY + 16}" text-anchor="middle" fill="#4a5568">${tick.toLocaleString('en-US')}</text>`;
    }),
    ...bars.map((bar, i) => {
      const y = top + i * rowHeight;
      const w = Math.max(1, x(bar.value)).toFixed(1);
      return [
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" fill="#1a202c">${escapeXml(bar.label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="${rowHeight - 8}" fill="${colours[bar.tone]}"/>`,
        `<text x="${(labelWidth + Number(w) + 6).toFixed(1)}" y="${y + 15}" fill="#1a202c">${formatRps(bar.value)}</text>`,
      ].join('');
    }),
    `<text x="${labelWidth}" y="${height - 6}" fill="#4a5568">requests/s (log scale)</text>`,
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

export interface GoodputSeries {
  label: string;
  tone: BarTone;
  /** Offered and served (2xx) requests/s, in the order of the offered load. */
  points: ReadonlyArray<{ offered: number; goodput: number }>;
}

/** A round axis step (1, 2 or 5 times a power of ten) that gives at most `most` steps up to `max`. */
export function niceStep(max: number, most = 6): number {
  const raw = Math.max(max, 1e-9) / most;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw)!;
}

/**
 * Goodput against offered load as a self-contained SVG line chart, linear axes: the diagonal is
 * every request served, the dashed level the capacity; a protected server follows the diagonal up to
 * the capacity and stays there, a collapsing one falls away from it.
 */
export function renderGoodputChart(title: string, capacity: number, series: readonly GoodputSeries[]): string {
  const [left, top, plotWidth, plotHeight] = [64, 48, 460, 260];
  const width = left + plotWidth + 170;
  const height = top + plotHeight + 56;
  const values = series.flatMap((s) => s.points.flatMap((p) => [p.offered, p.goodput]));
  const step = niceStep(Math.max(capacity, ...values));
  const max = Math.ceil(Math.max(capacity, ...values) / step) * step;
  const x = (value: number): number => left + (value / max) * plotWidth;
  const y = (value: number): number => top + plotHeight - (value / max) * plotHeight;
  const at = (vx: number, vy: number): string => `${x(vx).toFixed(1)},${y(vy).toFixed(1)}`;
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="15" font-weight="bold" fill="#1a202c">${escapeXml(title)}</text>`,
    ...ticks.map((tick) =>
      [
        `<line x1="${x(tick).toFixed(1)}" y1="${top}" x2="${x(tick).toFixed(1)}" y2="${top + plotHeight}" stroke="#e2e8f0"/>`,
        `<text x="${x(tick).toFixed(1)}" y="${top + plotHeight + 16}" text-anchor="middle" fill="#4a5568">${tick.toLocaleString('en-US')}</text>`,
        `<line x1="${left}" y1="${y(tick).toFixed(1)}" x2="${left + plotWidth}" y2="${y(tick).toFixed(1)}" stroke="#e2e8f0"/>`,
        `<text x="${left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end" fill="#4a5568">${tick.toLocaleString('en-US')}</text>`,
      ].join(''),
    ),
    `<line x1="${x(0).toFixed(1)}" y1="${y(0).toFixed(1)}" x2="${x(max).toFixed(1)}" y2="${y(max).toFixed(1)}" stroke="#a0aec0" stroke-dasharray="2 4"/>`,
    `<text x="${(x(max) - 4).toFixed(1)}" y="${(y(max) + 14).toFixed(1)}" text-anchor="end" fill="#718096">all served</text>`,
    `<line x1="${left}" y1="${y(capacity).toFixed(1)}" x2="${left + plotWidth}" y2="${y(capacity).toFixed(1)}" stroke="#4a5568" stroke-dasharray="6 4"/>`,
    `<text x="${left + plotWidth - 4}" y="${(y(capacity) - 5).toFixed(1)}" text-anchor="end" fill="#4a5568">capacity ${formatRps(capacity)} req/s</text>`,
    ...series.map((s, i) => {
      const colour = colours[s.tone];
      const legendY = top + 12 + i * 20;
      return [
        `<polyline fill="none" stroke="${colour}" stroke-width="2.5" points="${s.points.map((p) => at(p.offered, p.goodput)).join(' ')}"/>`,
        ...s.points.map((p) => `<circle cx="${x(p.offered).toFixed(1)}" cy="${y(p.goodput).toFixed(1)}" r="4" fill="${colour}"/>`),
        `<line x1="${left + plotWidth + 16}" y1="${legendY - 4}" x2="${left + plotWidth + 36}" y2="${legendY - 4}" stroke="${colour}" stroke-width="2.5"/>`,
        `<text x="${left + plotWidth + 42}" y="${legendY}" fill="#1a202c">${escapeXml(s.label)}</text>`,
      ].join('');
    }),
    `<text x="${left + plotWidth / 2}" y="${height - 10}" text-anchor="middle" fill="#4a5568">offered load, requests/s (open schedule)</text>`,
    `<text x="16" y="${top + plotHeight / 2}" text-anchor="middle" fill="#4a5568" transform="rotate(-90 16 ${top + plotHeight / 2})">goodput, 2xx/s</text>`,
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}
