import type { Bottleneck, CapacityStep, Resource } from './types.js';

interface Signal {
  resource: Resource;
  /** How far past its threshold (1 = at it). */
  severity: number;
  evidence: string;
}

/**
 * The signs of saturation one step shows, from the server's process and its /metrics. Thresholds:
 * a Node process saturates one core (85 %: GC and the kernel take the rest); an event loop that
 * lags by a tenth of the latency objective (at least 20 ms) while its process works is late for
 * every request; queries or upstream calls that wait for a pool slot, or every upstream connection
 * busy (when the pool size is known), mean the pool is the line.
 */
export function saturationSignals(step: CapacityStep, sloP99Ms: number, upstreamConnections?: number): Signal[] {
  const signals: Signal[] = [];
  const m = step.inside;
  if (step.cpuCores !== undefined && step.cpuCores >= 0.85)
    signals.push({
      resource: 'cpu',
      severity: step.cpuCores / 0.85,
      evidence: `the server used ${Math.round(step.cpuCores * 100)}% of a core`,
    });
  const loopLimit = Math.max(20, sloP99Ms / 10);
  // A lagging loop in a process that used little CPU was starved by its neighbours, not busy.
  const starved = step.cpuCores !== undefined && step.cpuCores < 0.6;
  if (!starved && m?.eventLoopDelayP99Ms !== undefined && m.eventLoopDelayP99Ms >= loopLimit)
    signals.push({
      resource: 'event-loop',
      severity: m.eventLoopDelayP99Ms / loopLimit,
      evidence: `the event loop lagged ${m.eventLoopDelayP99Ms.toFixed(0)} ms (p99)`,
    });
  const waitLimit = Math.max(5, sloP99Ms / 20);
  if ((m?.dbPoolWaitP99Ms ?? 0) >= waitLimit || (m?.dbPoolWaitingMax ?? 0) >= 2)
    signals.push({
      resource: 'db-pool',
      severity: Math.max((m?.dbPoolWaitP99Ms ?? 0) / waitLimit, (m?.dbPoolWaitingMax ?? 0) / 2),
      evidence: `queries waited ${(m?.dbPoolWaitP99Ms ?? 0).toFixed(1)} ms (p99) for a pool client, up to ${m?.dbPoolWaitingMax ?? 0} in line`,
    });
  // Calls wait in undici's line while new connections open, too: a full pool (when its size is known) tells the two apart.
  const poolFull = upstreamConnections === undefined || (m?.upstreamRunningMax ?? 0) >= upstreamConnections * 0.9;
  const everyConnectionBusy = upstreamConnections !== undefined && (m?.upstreamRunningMax ?? 0) >= upstreamConnections;
  if (poolFull && (everyConnectionBusy || (m?.upstreamPendingMax ?? 0) >= 2 || ((m?.upstreamPendingMax ?? 0) >= 1 && (m?.shed ?? 0) > 0)))
    signals.push({
      resource: 'upstream-queue',
      severity: (everyConnectionBusy ? 1 : 0) + (m?.upstreamPendingMax ?? 0) / 2 + ((m?.shed ?? 0) > 0 ? 1 : 0),
      evidence: `${everyConnectionBusy ? `all ${upstreamConnections} upstream connections were busy and ` : ''}up to ${m?.upstreamPendingMax ?? 0} upstream calls waited for a connection (${m?.upstreamRunningMax ?? '?'} running)${(m?.shed ?? 0) > 0 ? `, ${m?.shed} requests shed with 503` : ''}`,
    });
  return signals;
}

const NAMES: Record<Resource, string> = {
  cpu: 'CPU',
  'event-loop': 'event loop',
  'db-pool': 'DB pool wait',
  'upstream-queue': 'upstream queue',
  'load-generator': 'load generator',
  unknown: 'unknown',
};

export function resourceName(resource: Resource): string {
  return NAMES[resource];
}

/**
 * Which resource saturated first: the steps near the knee in order of rate, the first that shows a sign, its
 * strongest sign (a busy CPU explains a lagging loop, so CPU wins a tie with the event loop). Pure.
 */
export function findBottleneck(steps: readonly CapacityStep[], sloP99Ms: number, upstreamConnections?: number): Bottleneck {
  const rated = steps.filter((s) => s.rate !== undefined).sort((a, b) => a.rate! - b.rate!);
  // Signs far below the knee are noise (a neighbour's burst), not saturation: look from 80 % of the highest passing rate up.
  const highestPass = Math.max(0, ...rated.filter((s) => s.passed).map((s) => s.rate!));
  const nearKnee = rated.filter((s) => s.rate! >= highestPass * 0.8);
  for (const step of nearKnee) {
    const signals = saturationSignals(step, sloP99Ms, upstreamConnections);
    if (signals.length === 0) continue;
    const cpu = signals.find((s) => s.resource === 'cpu');
    const strongest = signals.reduce((a, b) => (b.severity > a.severity ? b : a));
    const chosen = strongest.resource === 'event-loop' && cpu ? cpu : strongest;
    const others = signals.filter((s) => s !== chosen).map((s) => s.evidence);
    return {
      resource: chosen.resource,
      evidence: `at ${step.rate} req/s ${chosen.evidence}${others.length > 0 ? `; also ${others.join('; ')}` : ''}.`,
    };
  }
  const lagging = rated.find((s) => !s.generatorOk);
  if (lagging)
    return {
      resource: 'load-generator',
      evidence: `at ${lagging.rate} req/s the load generator fell behind its schedule before the server showed saturation: add --workers or bench from another machine.`,
    };
  const top = rated.at(-1);
  const seen = rated.some((s) => s.inside !== undefined || s.cpuCores !== undefined);
  return {
    resource: 'unknown',
    evidence: seen
      ? `up to ${top?.rate ?? 0} req/s neither CPU, event loop, DB pool wait nor the upstream queue showed saturation: the limit is elsewhere (the database itself, the network, a lock).`
      : 'the server exposes neither a process to sample nor /metrics to read.',
  };
}
