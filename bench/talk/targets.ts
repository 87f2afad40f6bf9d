import { littlesBound } from './config.js';
import type { OverloadPoint, Row, TalkLoad, TargetResult } from './types.js';

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
    ratioTarget(
      'shared client vs client per request',
      3,
      byId(byId('per-request-client')?.connections === load.highConnections ? 'external-high' : 'external-std'),
      byId('per-request-client'),
      'the per-request client',
    ),
    ratioTarget('generated /json vs minimal Hono app', 0.9, byId('json'), byId('minimal-hono'), 'the minimal Hono app'),
    memory?.measurement.rssPeakMb === undefined
      ? undefined
      : {
          name: `RSS with ${load.highConnections} requests waiting on the upstream`,
          goal: '< 150 MB',
          actual: `${memory.measurement.rssPeakMb.toFixed(0)} MB peak`,
          pass: memory.measurement.rssPeakMb < 150,
        },
  ];
  return targets.filter((t): t is TargetResult => t !== undefined);
}

const ms = (value: number): string => `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ms`;

/**
 * The overload section's targets, on the protected server at the highest offered load: goodput
 * near capacity, served latency near the unloaded one (the lowest load's), refusals fast. The
 * naive variant's figure is quoted beside each for contrast; a point that did not run leaves its target out.
 */
export function evaluateOverloadTargets(points: readonly OverloadPoint[], capacity: number): TargetResult[] {
  if (points.length === 0) return [];
  const [low, high] = [Math.min(...points.map((p) => p.factor)), Math.max(...points.map((p) => p.factor))];
  const at = (factor: number, variant: OverloadPoint['variant']): OverloadPoint | undefined =>
    points.find((p) => p.factor === factor && p.variant === variant);
  const [loaded, unloaded, naive] = [at(high, 'protected'), at(low, 'protected'), at(high, 'naive')];
  if (!loaded) return [];
  const naiveSays = (what: string): string => (naive ? `; naive: ${what}` : '');
  const targets: Array<TargetResult | undefined> = [
    {
      name: `overload: goodput at ${high}x capacity`,
      goal: `>= 0.95x capacity (${rps(0.95 * capacity)})`,
      actual: `${rps(loaded.goodput)} = ${(loaded.goodput / capacity).toFixed(2)}x${naiveSays(`${rps(naive?.goodput ?? 0)} = ${((naive?.goodput ?? 0) / capacity).toFixed(2)}x`)}`,
      pass: loaded.goodput >= 0.95 * capacity,
    },
    unloaded && unloaded.served.count > 0 && loaded.served.count > 0
      ? {
          name: `overload: served p99 at ${high}x capacity`,
          goal: `<= 2x the served p99 at ${low}x (${ms(2 * unloaded.served.p99Ms)})`,
          actual: `${ms(loaded.served.p99Ms)} = ${(loaded.served.p99Ms / unloaded.served.p99Ms).toFixed(2)}x${naiveSays(naive?.served.count ? ms(naive.served.p99Ms) : 'nothing served')}`,
          pass: loaded.served.p99Ms <= 2 * unloaded.served.p99Ms,
        }
      : undefined,
    {
      name: `overload: shed (503) p99 at ${high}x capacity`,
      goal: '<= 10 ms',
      actual: loaded.shed.count > 0 ? `${ms(loaded.shed.p99Ms)} over ${loaded.shed.count} refusals` : 'nothing refused',
      pass: loaded.shed.count === 0 || loaded.shed.p99Ms <= 10,
    },
  ];
  return targets.filter((t): t is TargetResult => t !== undefined);
}
