import { roundOrder } from './config.js';
import { measureRun } from './rounds.js';
import { startLadderServer, type ServerProcess } from './servers.js';
import { median } from './stats.js';
import type { LadderStep, OverheadConfig } from './types.js';

/**
 * What the generated server wraps around its app, in the order a request meets it
 * (templates/base/src/server.ts, http/), as the ladder fixture adds it one piece at a time; the
 * fixture prints the name of its last rung and the bench checks it.
 */
export const LADDER_LAYERS: readonly string[] = [
  'serviceResponse',
  'requestHandler',
  'loadShedder',
  'keepAliveDrain',
  'appRoutes',
  'accessLog',
];

/** What each rung adds, for the table. */
export const LAYER_NOTES: Readonly<Record<string, string>> = {
  none: 'Hono + GET /json on node:http (getRequestListener)',
  serviceResponse: 'http/service-response.js: request id + 5 security headers in the head, counts responses per connection',
  requestHandler: 'http/request-handler.js: request scope, deadline (5 s, made on use), silent logger',
  loadShedder: 'resilience/load-shedder.js (500 ms)',
  keepAliveDrain: 'lifecycle/keep-alive-drain.js: connection tracking for the shutdown (per connection, no per-request listener)',
  appRoutes: 'createApp(): every route, body limit on POST/PUT/PATCH/DELETE, JSON errors',
  accessLog: 'the default production access log: pino JSON lines to a stdout pipe',
};

export function rungName(layers: number): string {
  return layers === 0 ? 'none' : (LADDER_LAYERS[layers - 1] ?? `layer ${layers}`);
}

/** Each rung's cost over the one before it (the first rung's delta is its own cost). */
export function ladderDeltas(steps: readonly LadderStep[]): number[] {
  return steps.map((step, i) => step.cpuUsPerRequest - (i === 0 ? 0 : steps[i - 1]!.cpuUsPerRequest));
}

const LADDER_LOAD = { connections: 50, threads: 1 };

/**
 * Server CPU per request of /json with 0..6 of the generated server's pieces: one process per
 * rung, all started at once, a warm-up each, then `rounds` rounds taking turns; best round per rung.
 */
export async function runMiddlewareLadder(
  projectRoot: string,
  config: OverheadConfig,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<LadderStep[]> {
  const rungs = Array.from({ length: LADDER_LAYERS.length + 1 }, (_, layers) => layers);
  const servers: Array<[number, ServerProcess]> = [];
  try {
    log(
      `  middleware ladder: ${rungs.length} rungs, /json c=${LADDER_LOAD.connections}, 1 s warm-up each, ${config.rounds} rounds of ${config.ladderSeconds} s`,
    );
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
