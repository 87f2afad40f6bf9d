import { UsageError } from '../../util/errors.js';
import { summarizeLoadResult } from '../engine/index.js';
import type { ScenarioReport } from './format-report.js';
import { parseDuration } from '../parse-flags.js';

const LATENCY_METRICS = ['p50', 'p90', 'p99', 'p99.9', 'max', 'mean'] as const;
type Metric = (typeof LATENCY_METRICS)[number] | 'errors' | 'non2xx' | 'rps';

/** One `--fail-on` condition: the run fails when `metric op value` holds for a scenario. */
export interface Threshold {
  text: string;
  metric: Metric;
  op: '>' | '<' | '>=' | '<=';
  /** Latency in ms, rates as shares (0.001 for 0.1 %), rps as requests/s. */
  value: number;
}

/** `p99>200ms,errors>0.1%,rps<1000` → thresholds. */
export function parseThresholds(raw: string): Threshold[] {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((text) => {
      const match = /^([a-z0-9.]+)\s*(>=|<=|>|<)\s*(\S+)$/.exec(text);
      const metric = match?.[1] as Metric | undefined;
      const rawValue = match?.[3] ?? '';
      const op = match?.[2] as Threshold['op'];
      if (!metric || !match) throw usage(text);
      if ((LATENCY_METRICS as readonly string[]).includes(metric)) {
        if (!/^\d+(?:\.\d+)?(us|ms|s|m)$/.test(rawValue)) throw usage(text);
        return { text, metric, op, value: parseDuration(rawValue, '--fail-on') };
      }
      if (metric === 'errors' || metric === 'non2xx') {
        const percent = /^(\d+(?:\.\d+)?)%$/.exec(rawValue);
        if (!percent) throw usage(text);
        return { text, metric, op, value: Number(percent[1]) / 100 };
      }
      if (metric === 'rps' && /^\d+(?:\.\d+)?$/.test(rawValue)) return { text, metric, op, value: Number(rawValue) };
      throw usage(text);
    });
}

function usage(text: string): UsageError {
  return new UsageError(`Expected \`--fail-on\` conditions like p99>200ms, errors>0.1%, non2xx>1% or rps<1000, got \`${text}\`.`);
}

/** The value of a metric for one scenario, in the threshold's unit. */
export function metricValue(scenario: ScenarioReport, metric: Metric): number {
  const { result } = scenario;
  if (metric === 'rps') return result.requestsPerSecond;
  const attempted = Math.max(1, result.completed + Object.values(result.errors).reduce((a, b) => a + b, 0));
  if (metric === 'errors') return Object.values(result.errors).reduce((a, b) => a + b, 0) / attempted;
  if (metric === 'non2xx') {
    return (
      Object.entries(result.statusCounts)
        .filter(([status]) => !status.startsWith('2'))
        .reduce((a, [, n]) => a + n, 0) / Math.max(1, result.completed)
    );
  }
  const latency = summarizeLoadResult(result).latency;
  const us = { p50: latency.p50, p90: latency.p90, p99: latency.p99, 'p99.9': latency.p999, max: latency.max, mean: latency.mean }[metric];
  return us / 1000;
}

/** Every crossed threshold, as `scenario: p99 312.0ms > 200ms`. */
export function crossedThresholds(scenarios: readonly ScenarioReport[], thresholds: readonly Threshold[]): string[] {
  const crossed: string[] = [];
  for (const scenario of scenarios) {
    for (const threshold of thresholds) {
      const value = metricValue(scenario, threshold.metric);
      const holds = {
        '>': value > threshold.value,
        '<': value < threshold.value,
        '>=': value >= threshold.value,
        '<=': value <= threshold.value,
      }[threshold.op];
      if (holds) crossed.push(`${scenario.name}: ${threshold.metric} ${formatMetric(threshold.metric, value)} (fail on ${threshold.text})`);
    }
  }
  return crossed;
}

function formatMetric(metric: Metric, value: number): string {
  if (metric === 'errors' || metric === 'non2xx') return `${(value * 100).toFixed(2)}%`;
  if (metric === 'rps') return value.toFixed(0);
  return `${value.toFixed(1)}ms`;
}
