import type { ContenderId, ContenderSummary, RatioSummary, RunRecord, ScenarioId, TargetResult, WaitingRss, WrkResult } from './types.js';
import { errorsOf } from './wrk.js';

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function medianOf(values: ReadonlyArray<number | undefined>): number | undefined {
  const known = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  return known.length === 0 ? undefined : median(known);
}

export function sumCounts(counts: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const count of counts) for (const [key, n] of Object.entries(count)) out[key] = (out[key] ?? 0) + n;
  return out;
}

/** Answers with a 2xx per second: wrk's Requests/sec counts a fast 503 like a 200. */
export function okPerSecond(result: WrkResult): number {
  return result.durationSeconds > 0 ? (result.requests - result.non2xx) / result.durationSeconds : 0;
}

/** Medians over the rounds of each contender in each scenario, in the order the runs came. */
export function summariseRuns(runs: readonly RunRecord[]): ContenderSummary[] {
  const keys = [...new Set(runs.map((run) => `${run.scenario}|${run.contender}`))];
  return keys.map((key) => {
    const group = runs.filter((run) => `${run.scenario}|${run.contender}` === key);
    const first = group[0]!;
    const requests = group.reduce((sum, run) => sum + run.wrk.requests, 0);
    const logBytes = group.reduce((sum, run) => sum + run.logBytes, 0);
    return {
      scenario: first.scenario,
      contender: first.contender,
      rounds: group.length,
      requestsPerSecond: median(group.map((run) => okPerSecond(run.wrk))),
      allRequestsPerSecond: group.map((run) => okPerSecond(run.wrk)),
      p99Ms: medianOf(group.map((run) => run.wrk.p99Ms)),
      errors: group.reduce((sum, run) => sum + errorsOf(run.wrk), 0),
      timeouts: group.reduce((sum, run) => sum + run.wrk.socketErrors.timeout, 0),
      non2xx: group.reduce((sum, run) => sum + run.wrk.non2xx, 0),
      rssPeakMb: medianOf(group.map((run) => run.rssPeakMb)),
      cpuUsPerRequest: medianOf(group.map((run) => run.cpuUsPerRequest)),
      logBytesPerRequest: logBytes > 0 && requests > 0 ? logBytes / requests : undefined,
      logLagSeconds:
        logBytes > 0
          ? medianOf(group.map((run) => (run.logBytes > 0 ? (run.logLagBytes / run.logBytes) * run.wrk.durationSeconds : undefined)))
          : undefined,
      loggedStatuses: sumCounts(group.map((run) => run.loggedStatuses)),
    };
  });
}

/** Each contender's 2xx/s over the reference's (the minimal app's) in the same round and scenario: median, min, max. */
export function roundRatios(runs: readonly RunRecord[], reference: ContenderId = 'minimal'): RatioSummary[] {
  const out: RatioSummary[] = [];
  const scenarios = [...new Set(runs.map((run) => run.scenario))];
  for (const scenario of scenarios) {
    const inScenario = runs.filter((run) => run.scenario === scenario);
    const contenders = [...new Set(inScenario.map((run) => run.contender))].filter((id) => id !== reference);
    for (const contender of contenders) {
      const ratios = inScenario
        .filter((run) => run.contender === contender)
        .flatMap((run) => {
          const base = inScenario.find((other) => other.contender === reference && other.round === run.round);
          return base && okPerSecond(base.wrk) > 0 ? [okPerSecond(run.wrk) / okPerSecond(base.wrk)] : [];
        });
      if (ratios.length > 0) out.push({ scenario, contender, median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) });
    }
  }
  return out;
}

export function findRatio(ratios: readonly RatioSummary[], scenario: ScenarioId, contender: ContenderId): RatioSummary | undefined {
  return ratios.find((ratio) => ratio.scenario === scenario && ratio.contender === contender);
}

export function findSummary(
  summaries: readonly ContenderSummary[],
  scenario: ScenarioId,
  contender: ContenderId,
): ContenderSummary | undefined {
  return summaries.find((summary) => summary.scenario === scenario && summary.contender === contender);
}

const range = (ratio: RatioSummary): string => `${ratio.median.toFixed(2)}x (rounds ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`;

/** The targets, PASS or MISS; one whose figures did not come out reads MISS with "not measured". */
export function evaluateTargets(
  summaries: readonly ContenderSummary[],
  ratios: readonly RatioSummary[],
  waiting: WaitingRss,
  metricsRatios: readonly RatioSummary[] = [],
): TargetResult[] {
  const ratioTarget = (name: string, scenario: ScenarioId, contender: ContenderId, goal: number): TargetResult => {
    const ratio = findRatio(ratios, scenario, contender);
    return {
      name,
      goal: `>= ${goal}x minimal`,
      actual: ratio ? range(ratio) : 'not measured',
      pass: ratio !== undefined && ratio.median >= goal,
    };
  };
  const external = findRatio(ratios, 'external', 'generated-silent');
  const externalErrors = findSummary(summaries, 'external', 'generated-silent')?.errors;
  const rssRatio = median(waiting.generatedMb) / median(waiting.minimalMb);
  const metrics = findRatio(metricsRatios, 'json', 'generated-silent');
  return [
    ratioTarget('/json, c=50, access log off (LOG_FORMAT=silent)', 'json', 'generated-silent', 0.9),
    ratioTarget('/json, c=50, default production access log to a pipe', 'json', 'generated-log', 0.8),
    {
      name: '/external, c=1000, UPSTREAM_CONNECTIONS=1000 (log off)',
      goal: '>= 0.95x minimal, 0 errors',
      actual: external && externalErrors !== undefined ? `${range(external)}, ${externalErrors} errors` : 'not measured',
      pass: external !== undefined && external.median >= 0.95 && externalErrors === 0,
    },
    {
      name: `RSS with ${waiting.waiting} requests waiting on the upstream`,
      goal: '<= 1.1x minimal',
      actual: Number.isFinite(rssRatio)
        ? `${rssRatio.toFixed(2)}x (${median(waiting.generatedMb).toFixed(0)} vs ${median(waiting.minimalMb).toFixed(0)} MB)`
        : 'not measured',
      pass: Number.isFinite(rssRatio) && rssRatio <= 1.1,
    },
    {
      name: '/metrics on: /json, c=50, silent, against the same server with METRICS=off',
      goal: '>= 0.97x (at most 3% off)',
      actual: metrics ? range(metrics) : 'not measured',
      pass: metrics !== undefined && metrics.median >= 0.97,
    },
  ];
}
