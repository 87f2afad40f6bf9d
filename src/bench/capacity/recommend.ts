import type { Bottleneck, CapacityStep, Recommendation } from './types.js';

/** The settings the target runs with, when known (a project's env or its defaults; unknown with --url). */
export interface CurrentSettings {
  dbPoolMax?: number;
  upstreamConnections?: number;
}

export interface RecommendInput {
  /** The step at the capacity found (the highest that passed). */
  atCapacity: CapacityStep;
  /** The lowest-rate step that passed, for service times without load. */
  atLowLoad: CapacityStep | undefined;
  bottleneck: Bottleneck;
  current: CurrentSettings;
  /** Cores this machine offers (os.availableParallelism()). */
  cores: number;
}

/** A pool runs at most this busy on average, so bursts find a free slot (Little's law gives the average). */
const HEADROOM = 1.2;
/** Plan a process to 80 % of a core: above that, its event loop lags and latency climbs. */
const CPU_PLAN = 0.8;

const fmt = (value: number, digits = 1): string => (Number.isInteger(value) ? String(value) : value.toFixed(digits));

/**
 * `DB_POOL_MAX`, `UPSTREAM_CONNECTIONS` and `--workers` from the measured service times, by
 * Little's law (slots busy = arrivals per second x seconds each holds one). Pools are sized for
 * the rate one process could carry on its CPU, so that a process is limited by its core and not
 * by a line; workers are added only when the CPU is what saturated. Pure.
 */
export function recommendSettings(input: RecommendInput): Recommendation[] {
  const { atCapacity: step, atLowLoad, bottleneck, current, cores } = input;
  const rate = step.rate ?? step.goodputRps;
  const recommendations: Recommendation[] = [];
  const cpuMs = step.cpuMsPerRequest;
  // The rate a process carries on 80 % of a core, if the CPU per request is known; else twice the capacity found.
  const target = cpuMs !== undefined && cpuMs > 0 ? Math.round((1000 * CPU_PLAN) / cpuMs) : Math.round(rate * 2);
  const targetWhy =
    cpuMs !== undefined && cpuMs > 0
      ? `one process spends ${fmt(cpuMs, 2)} ms of CPU a request, so it carries about ${target} req/s on ${CPU_PLAN * 100}% of a core`
      : `the server's CPU per request is unknown, so this plans for twice the capacity found (${target} req/s)`;
  const m = step.inside;
  if (m?.upstreamCalls && m.upstreamCalls.count > 0 && step.completed > 0) {
    const perRequest = m.upstreamCalls.count / step.completed;
    // A call's time includes its wait in line; at the lowest rate there is none: that is the time a call holds a connection.
    const lowMs = atLowLoad?.inside?.upstreamCalls?.meanMs;
    const holdMs = lowMs !== undefined && lowMs > 0 ? Math.min(lowMs, m.upstreamCalls.meanMs) : m.upstreamCalls.meanMs;
    const busyNow = (rate * perRequest * holdMs) / 1000;
    const value = Math.max(1, Math.ceil(((target * perRequest * holdMs) / 1000) * HEADROOM));
    const pool = current.upstreamConnections;
    const full =
      bottleneck.resource !== 'upstream-queue'
        ? ''
        : pool === undefined
          ? ' — calls waited for a connection'
          : busyNow >= pool * 0.9
            ? ` — the pool of ${pool} was full`
            : ` — the pool of ${pool} was not full on average, calls waited for a connection in bursts`;
    recommendations.push({
      setting: 'UPSTREAM_CONNECTIONS',
      value,
      ...(current.upstreamConnections !== undefined ? { current: current.upstreamConnections } : {}),
      why: `at ${rate} req/s, ${fmt(perRequest, 2)} upstream call(s) a request each held a connection ${fmt(holdMs)} ms (at the lowest rate; ${fmt(m.upstreamCalls.meanMs)} ms with the wait in line at ${rate} req/s): ${fmt(rate, 0)} x ${fmt(perRequest, 2)} x ${fmt(holdMs / 1000, 3)} s = ${fmt(busyNow)} connections busy${full}. ${capitalise(targetWhy)}: ${target} x ${fmt(perRequest, 2)} x ${fmt(holdMs / 1000, 3)} s x ${HEADROOM} headroom = ${value}.`,
    });
  }
  if (m?.dbQueries && m.dbQueries.count > 0 && step.completed > 0) {
    const perRequest = m.dbQueries.count / step.completed;
    const queryMs = m.dbQueries.meanMs;
    const busyNow = (rate * perRequest * queryMs) / 1000;
    const lowMs = atLowLoad?.inside?.dbQueries?.meanMs;
    const dbSaturated = lowMs !== undefined && lowMs > 0 && queryMs > lowMs * 2 && queryMs - lowMs > 1;
    if (dbSaturated) {
      // More clients only move the wait from the pool into the database: size the pool for the queries it ran at once at the knee.
      const value = Math.max(2, Math.ceil(busyNow * HEADROOM));
      recommendations.push({
        setting: 'DB_POOL_MAX',
        value,
        ...(current.dbPoolMax !== undefined ? { current: current.dbPoolMax } : {}),
        why: `a query took ${fmt(lowMs, 2)} ms at low load but ${fmt(queryMs, 2)} ms at ${rate} req/s: the database itself is saturated, and a larger pool would only move the wait into it. It ran ${rate} req/s x ${fmt(perRequest, 2)} queries x ${fmt(queryMs / 1000, 4)} s = ${fmt(busyNow)} queries at once there; x ${HEADROOM} headroom = ${value} clients keep it as busy; for more, make the queries cheaper or the database bigger.`,
      });
    } else {
      const value = Math.max(2, Math.ceil(((target * perRequest * queryMs) / 1000) * HEADROOM));
      recommendations.push({
        setting: 'DB_POOL_MAX',
        value,
        ...(current.dbPoolMax !== undefined ? { current: current.dbPoolMax } : {}),
        why: `at ${rate} req/s, ${fmt(perRequest, 2)} queries a request each held a client ${fmt(queryMs, 2)} ms: ${fmt(busyNow)} clients busy. ${capitalise(targetWhy)}: ${target} x ${fmt(perRequest, 2)} x ${fmt(queryMs / 1000, 4)} s x ${HEADROOM} headroom = ${value}. Each worker has its own pool: the database sees workers x DB_POOL_MAX connections.`,
      });
    }
  }
  const cpuBound = bottleneck.resource === 'cpu' || bottleneck.resource === 'event-loop';
  const cpuNow = step.cpuCores !== undefined ? `${Math.round(step.cpuCores * 100)}% of a core` : 'an unknown share of a core';
  recommendations.push(
    cpuBound
      ? {
          setting: '--workers',
          value: cores,
          why: `the ${bottleneck.resource === 'cpu' ? 'CPU' : 'event loop'} saturated first (${cpuNow} at ${rate} req/s): one process per core (${cores} here) multiplies the CPU-bound capacity, each with its own pools.`,
        }
      : {
          setting: '--workers',
          value: 1,
          why: `the CPU was not the limit (${cpuNow} at ${rate} req/s): a second process would add pools, not throughput; raise the pool that saturated first, then measure again.`,
        },
  );
  return recommendations;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
