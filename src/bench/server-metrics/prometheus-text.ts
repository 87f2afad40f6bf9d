/**
 * A reader of the Prometheus text exposition format (version 0.0.4, what prom-client writes):
 * enough to pick samples by name and labels. `# HELP`/`# TYPE` lines and timestamps are skipped;
 * a line that is not a sample is ignored rather than failing the scrape, as Prometheus would
 * report it but bench only wants the figures it can read.
 */

/** One sample: `name{label="value",…} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const namePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/** Parses an exposition into its samples, in order. Pure. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSampleLine(line);
    if (sample !== undefined) samples.push(sample);
  }
  return samples;
}

function parseSampleLine(line: string): Sample | undefined {
  const name = namePattern.exec(line)?.[0];
  if (name === undefined) return undefined;
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    const end = parseLabels(line, pos + 1, labels);
    if (end === undefined) return undefined;
    pos = end;
  }
  const [valueText] = line.slice(pos).trim().split(/\s+/); // a timestamp may follow the value
  const value = parseValue(valueText ?? '');
  return value === undefined ? undefined : { name, labels, value };
}

/** Reads `a="x",b="y"}` from `start` into `labels`; returns the index after `}`, or undefined if malformed. */
function parseLabels(line: string, start: number, labels: Record<string, string>): number | undefined {
  let pos = start;
  for (;;) {
    while (line[pos] === ' ' || line[pos] === ',') pos += 1;
    if (line[pos] === '}') return pos + 1;
    const label = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(pos))?.[0];
    if (label === undefined || line[pos + label.length] !== '=' || line[pos + label.length + 1] !== '"') return undefined;
    pos += label.length + 2;
    let value = '';
    for (; pos < line.length && line[pos] !== '"'; pos++) {
      if (line[pos] !== '\\') {
        value += line[pos];
        continue;
      }
      pos += 1;
      value += line[pos] === 'n' ? '\n' : (line[pos] ?? '');
    }
    if (pos >= line.length) return undefined; // unterminated value
    labels[label] = value;
    pos += 1;
  }
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (text === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Samples named `name` whose labels include every pair of `match`. */
export function selectSamples(samples: readonly Sample[], name: string, match: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}
