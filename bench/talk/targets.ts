import { littlesBound } from './config.js';
import type { Row, TalkLoad, TargetResult } from './types.js';

const rps = (value: number): string => `${Math.round(value).toLocaleString('en-US')} req/s`;

function ratioTarget(name: string, goal: number, top: Row | undefined, bottom: Row | undefined, what: string): TargetResult | undefined {
  if (!top || !bottom) return undefined;
  const ratio = top.measurement.requestsPerSecond / bottom.measurement.requestsPerSecond;
  return {
    name,
    goal: `>= ${goal}x ${what}`,
    actual: `${ratio.toFixed(2)}x (${rps(top.measurement.requestsPerSecond)} vs ${rps(bottom.measurement.requestsPerSecond)})`,
    pass: ratio >= goal,
  };
}

/** The task's targets against the rows that ran; a row that did not run leaves its target out. */
export function evaluateTargets(rows: readonly Row[], load: TalkLoad): TargetResult[] {
  const byId = (id: string): Row | undefined => rows.find((row) => row.id === id);
  const high = byId('external-high');
  const memory = byId('memory');
  const bound = littlesBound(load.highConnections, load.upstreamLatencyMs);
  const targets: Array<TargetResult | undefined> = [
    high && {
      name: `generated /external at ${load.highConnections} connections`,
      goal: `>= 0.9x Little's bound (${rps(bound)})`,
      actual: `${rps(high.measurement.requestsPerSecond)} = ${(high.measurement.requestsPerSecond / bound).toFixed(2)}x`,
      pass: high.measurement.requestsPerSecond >= 0.9 * bound,
    },
    ratioTarget('shared client vs client per request', 3, byId(byId('per-request-client')?.connections === load.highConnections ? 'external-high' : 'external-std'), byId('per-request-client'), 'the per-request client'),
    ratioTarget('generated /json vs minimal Hono app', 0.9, byId('json'), byId('minimal-hono'), 'the minimal Hono app'),
    memory?.measurement.rssPeakMb === undefined ? undefined : {
      name: `RSS with ${load.highConnections} requests waiting on the upstream`,
      goal: '< 150 MB',
      actual: `${memory.measurement.rssPeakMb.toFixed(0)} MB peak`,
      pass: memory.measurement.rssPeakMb < 150,
    },
  ];
  return targets.filter((t): t is TargetResult => t !== undefined);
}
