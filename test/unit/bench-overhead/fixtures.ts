import type {
  ContenderId,
  LadderStep,
  OverheadReport,
  RunRecord,
  ScenarioId,
  WaitingRss,
  WrkResult,
} from '../../../bench/overhead/types.js';

export function wrk(requestsPerSecond: number, extra: Partial<WrkResult> = {}): WrkResult {
  return {
    requests: requestsPerSecond * 5,
    durationSeconds: 5,
    requestsPerSecond,
    socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
    non2xx: 0,
    p50Ms: 1,
    p99Ms: 4,
    ...extra,
  };
}

export function run(round: number, scenario: ScenarioId, contender: ContenderId, rps: number, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    round,
    scenario,
    contender,
    wrk: wrk(rps),
    rssPeakMb: 100,
    cpuUsPerRequest: 1e6 / rps,
    logBytes: 0,
    logLagBytes: 0,
    loggedStatuses: {},
    ...extra,
  };
}

export const waiting: WaitingRss = {
  waiting: 1000,
  upstreamLatencyMs: 2000,
  minimalMb: [130, 134],
  generatedMb: [140, 142],
  maxInFlight: 1000,
  minimalErrors: 0,
  generatedErrors: 0,
};

export const ladder: LadderStep[] = [
  { layers: 0, name: 'none', cpuUsPerRequest: 24, medianCpuUsPerRequest: 24, allCpuUsPerRequest: [24, 25, 23], requestsPerSecond: 40_000 },
  {
    layers: 1,
    name: 'serviceResponse',
    cpuUsPerRequest: 25,
    medianCpuUsPerRequest: 25,
    allCpuUsPerRequest: [25],
    requestsPerSecond: 39_000,
  },
  {
    layers: 2,
    name: 'requestHandler',
    cpuUsPerRequest: 31.5,
    medianCpuUsPerRequest: 31.5,
    allCpuUsPerRequest: [31.5],
    requestsPerSecond: 31_000,
  },
];

/** Three rounds: /json minimal 30k against 27k silent and 24k logged; /external 5k against 4.9k with 12 timeouts. */
export function threeRounds(): RunRecord[] {
  const runs: RunRecord[] = [];
  for (const round of [0, 1, 2]) {
    const noise = 1 + (round - 1) * 0.1;
    runs.push(run(round, 'json', 'minimal', 30_000 * noise));
    runs.push(run(round, 'json', 'generated-silent', 27_000 * noise));
    runs.push(run(round, 'json', 'generated-no-metrics', 27_500 * noise));
    runs.push(
      run(round, 'json', 'generated-log', 24_000 * noise, {
        logBytes: 24_000 * noise * 5 * 180,
        logLagBytes: 24_000 * noise * 180,
        loggedStatuses: { 200: 1000 },
      }),
    );
    runs.push(run(round, 'external', 'minimal', 5000));
    runs.push(
      run(round, 'external', 'generated-silent', 4900, {
        wrk: wrk(4900, { socketErrors: { connect: 0, read: 0, write: 0, timeout: round === 1 ? 12 : 0 } }),
      }),
    );
  }
  return runs;
}

export function report(
  runs: RunRecord[],
  parts: Pick<OverheadReport, 'summaries' | 'ratios' | 'targets'> & Partial<Pick<OverheadReport, 'metricsRatios'>>,
): OverheadReport {
  return {
    machine: { cpus: 2, node: 'v22.0.0', platform: 'linux x64', date: '2025-01-01 00:00 UTC', wrk: 'wrk debian/4.1.0' },
    config: {
      rounds: 3,
      durationSeconds: 5,
      warmupSeconds: 2,
      ladderSeconds: 2,
      upstreamLatencyMs: 100,
      waitingLatencyMs: 2000,
      waitingRequests: 1000,
      instructions: true,
    },
    runs,
    waiting,
    ladder,
    instructions: { skipped: 'BENCH_OVERHEAD_INSTRUCTIONS=0' },
    elapsedSeconds: 200,
    metricsRatios: [],
    ...parts,
  };
}
