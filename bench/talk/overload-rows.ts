import { setTimeout as sleep } from 'node:timers/promises';
import { littlesBound, OVERLOAD_FACTORS, OVERLOAD_UPSTREAM_CONNECTIONS } from './config.js';
import { formatMs, formatRps } from './render-report.js';
import { runOpenLoad, summarise, type OpenLoadOutcome } from './open-load.js';
import { withServer, type TalkContext } from './rows-common.js';
import { makeVariant, startGeneratedServer, type RunningServer } from './servers.js';
import { evaluateOverloadTargets } from './targets.js';
import type { OverloadPoint, OverloadSection, OverloadVariant } from './types.js';
import { noAdmissionLine } from './variants.js';

const PATH = '/external';
/** A pause between runs, so one run's last sockets and timers are gone before the next starts. */
const SETTLE_MS = 300;

export interface OverloadRun {
  variant: OverloadVariant;
  factor: number;
  rate: number;
  warmupMs: number;
  durationMs: number;
  /** Every request of the run, warm-up first, in the order they were due (one each 1000 / rate ms). */
  outcomes: readonly OpenLoadOutcome[];
}

/**
 * One open-model run reduced to the section's figures, all of them over the answers that arrived
 * during the measured window, whenever their request was due (warm-up included), as a monitor on
 * the server would count them: a FIFO backlog served after the window does not inflate its
 * goodput, and a backlog left by the warm-up is the window's work.
 */
export function toOverloadPoint({ variant, factor, rate, warmupMs, durationMs, outcomes }: OverloadRun): OverloadPoint {
  const inWindow = outcomes.filter((o, index) => {
    const arrivedAt = (index * 1_000) / rate + o.latencyMs;
    return arrivedAt >= warmupMs && arrivedAt < warmupMs + durationMs;
  });
  const window = summarise(rate, durationMs, inWindow);
  return { variant, factor, offeredRate: rate, goodput: window.goodput, served: window.served, shed: window.shed, other: window.other };
}

/**
 * The talk's failure slide, fixed and shown: the generated server with a small client pool
 * (capacity = pool / upstream latency) and a copy without its admission line, each offered 0.5x
 * to 3x that capacity on an open schedule. Both servers stay up and take turns at each load, so a
 * burst of load from others hits both alike.
 */
const OVERLOAD_WARMUP_MS = 3_000;

export async function runOverloadSection(ctx: TalkContext, measured: string): Promise<OverloadSection> {
  const { signal, upstream } = ctx;
  // The line admits up to QUEUE_INTERVAL_MS (1 s) of waiting before it tightens, and what it admitted
  // drains before the newest-first steady state: the warm-up covers that onset.
  const load = { ...ctx.load, warmupMs: Math.max(ctx.load.warmupMs, OVERLOAD_WARMUP_MS) };
  const capacity = littlesBound(OVERLOAD_UPSTREAM_CONNECTIONS, load.upstreamLatencyMs);
  ctx.log(
    `  overload: capacity ${OVERLOAD_UPSTREAM_CONNECTIONS} upstream connections / ${load.upstreamLatencyMs / 1000} s = ${formatRps(capacity)} req/s (Little's law, not measured); offered ${OVERLOAD_FACTORS.map((f) => `${f}x`).join(', ')}`,
  );
  ctx.log(`  building variant ${noAdmissionLine.name}…`);
  const naiveRoot = await makeVariant(ctx.projectRoot, ctx.workDir, noAdmissionLine, signal);
  const start = (root: string, env: Record<string, string> = {}): Promise<RunningServer> =>
    startGeneratedServer(
      root,
      {
        databaseUrl: ctx.databaseUrl,
        upstreamUrl: upstream.url,
        env: { UPSTREAM_CONNECTIONS: String(OVERLOAD_UPSTREAM_CONNECTIONS), ...env },
      },
      signal,
    );

  const points = await withServer(start(ctx.projectRoot), (guarded) =>
    withServer(start(naiveRoot, noAdmissionLine.env), async (naive) => {
      const measuredPoints: OverloadPoint[] = [];
      for (const factor of OVERLOAD_FACTORS) {
        for (const [variant, server] of [
          ['protected', guarded],
          ['naive', naive],
        ] as const) {
          signal.throwIfAborted();
          ctx.log(`  measuring overload ${factor}x ${variant}…`);
          const rate = factor * capacity;
          // The warm-up is sent as part of one run, so the answers that arrive during the window from it count too.
          const { outcomes } = await runOpenLoad(
            { url: `${server.url}${PATH}`, rate, durationMs: load.warmupMs + load.durationMs },
            signal,
          );
          const point = toOverloadPoint({ variant, factor, rate, warmupMs: load.warmupMs, durationMs: load.durationMs, outcomes });
          ctx.log(
            `    goodput ${formatRps(point.goodput)} req/s, served p99 ${point.served.count > 0 ? formatMs(point.served.p99Ms) : '-'}, shed ${point.shed.count}`,
          );
          measuredPoints.push(point);
          await sleep(SETTLE_MS, undefined, { signal });
        }
      }
      return measuredPoints;
    }),
  );

  return {
    capacity,
    upstreamConnections: OVERLOAD_UPSTREAM_CONNECTIONS,
    upstreamLatencyMs: load.upstreamLatencyMs,
    path: PATH,
    durationMs: load.durationMs,
    warmupMs: load.warmupMs,
    measured,
    points,
    targets: evaluateOverloadTargets(points, capacity),
    naiveAbout: noAdmissionLine.about,
  };
}
