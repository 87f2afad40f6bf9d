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
