import { roundOrder } from './config.js';
import { measureRun } from './rounds.js';
import { startLadderServer, type ServerProcess } from './servers.js';
import { median } from './stats.js';
import type { LadderStep, OverheadConfig } from './types.js';

/**
 * The generated app's middleware in its order (templates/base/src/app.ts), as the ladder fixture
 * adds them one at a time; the fixture prints the name of its last rung and the bench checks it.
 */
export const LADDER_LAYERS: readonly string[] = [
  'provideDeps', 'responseHeaders', 'requestLog', 'limitBody', 'deadline', 'loadShedder', 'onError',
];

/** What each rung adds, for the table. */
export const LAYER_NOTES: Readonly<Record<string, string>> = {
  none: 'Hono + GET /json on node:http (getRequestListener)',
  provideDeps: 'c.set of upstream, db, logger',
  responseHeaders: 'dist/middleware/response-headers.js: request id + 11 security headers',
  requestLog: 'dist/middleware/request-log.js, silent logger',
  limitBody: 'hono/body-limit on POST/PUT/PATCH/DELETE only',
  deadline: 'dist/middleware/deadline.js (5 s budget)',
  loadShedder: 'dist/resilience/load-shedder.js (200 ms)',
  onError: 'app.onError(handleError)',
};

export function rungName(layers: number): string {
  return layers === 0 ? 'none' : LADDER_LAYERS[layers - 1] ?? `layer ${layers}`;
}

/** Each rung's cost over the one before it (the first rung's delta is its own cost). */
export function ladderDeltas(steps: readonly LadderStep[]): number[] {
  return steps.map((step, i) => step.cpuUsPerRequest - (i === 0 ? 0 : steps[i - 1]!.cpuUsPerRequest));
}

const LADDER_LOAD = { connections: 50, threads: 1 };

/**
 * Server CPU per request of /json with 0..7 of the generated app's middleware: one process per
 * rung, all started at once, a warm-up each, then `rounds` rounds taking turns; best round per rung.
 */
export async function runMiddlewareLadder(projectRoot: string, config: OverheadConfig, log: (line: string) => void, signal: AbortSignal): Promise<LadderStep[]> {
  const rungs = Array.from({ length: LADDER_LAYERS.length + 1 }, (_, layers) => layers);
  const servers: Array<[number, ServerProcess]> = [];
  try {
    log(`  middleware ladder: ${rungs.length} rungs, /json c=${LADDER_LOAD.connections}, 1 s warm-up each, ${config.rounds} rounds of ${config.ladderSeconds} s`);
    for (const layers of rungs) servers.push([layers, await startLadderServer(projectRoot, layers, rungName(layers), signal)]);
    for (const [, server] of servers) await measureRun(server, '/json', { ...LADDER_LOAD, durationSeconds: 1 }, signal);
    const cpu = new Map<number, number[]>(rungs.map((layers) => [layers, []]));
    const rps = new Map<number, number[]>(rungs.map((layers) => [layers, []]));
    for (let round = 0; round < config.rounds; round++) {
      for (const [layers, server] of roundOrder(servers, round)) {
        const run = await measureRun(server, '/json', { ...LADDER_LOAD, durationSeconds: config.ladderSeconds }, signal);
        if (run.cpuUsPerRequest !== undefined) cpu.get(layers)!.push(run.cpuUsPerRequest);
        rps.get(layers)!.push(run.wrk.requestsPerSecond);
      }
      log(`    round ${round + 1}: ${rungs.map((layers) => `${layers}:${cpu.get(layers)!.at(-1)?.toFixed(1) ?? '?'}`).join(' ')} µs/req`);
    }
    return rungs.map((layers) => ({
      layers,
      name: rungName(layers),
      cpuUsPerRequest: Math.min(...cpu.get(layers)!),
      medianCpuUsPerRequest: median(cpu.get(layers)!),
      allCpuUsPerRequest: cpu.get(layers)!,
      requestsPerSecond: median(rps.get(layers)!),
    }));
  } finally {
    await Promise.allSettled(servers.map(([, server]) => server.stop()));
  }
}
