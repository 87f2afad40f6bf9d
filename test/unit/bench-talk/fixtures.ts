import type { Measurement, Row, RowKind, TalkReport } from '../../../bench/talk/types.js';

export function measurement(requestsPerSecond: number, extra: Partial<Measurement> = {}): Measurement {
  return { requestsPerSecond, p50Ms: 100, p99Ms: 120, completed: 1000, non2xx: 0, gatewayTimeouts: 0, failed: 0, ...extra };
}

export function row(id: string, requestsPerSecond: number, extra: Partial<Row> = {}, kind: RowKind = 'generated'): Row {
  return {
    id,
    group: '2',
    kind,
    label: id,
    connections: 100,
    measurement: measurement(requestsPerSecond),
    shows: `what ${id} shows`,
    ...extra,
  };
}

export const load = { connections: 100, highConnections: 1000, durationMs: 5000, warmupMs: 1000, upstreamLatencyMs: 100 };

export function report(rows: Row[]): TalkReport {
  return {
    machine: { cpus: 2, node: 'v20.20.2', date: '2026-11-25 17:00 UTC', platform: 'linux x64' },
    load,
    rows,
    targets: [
      { name: 'shared client', goal: '>= 3x', actual: '4.00x', pass: true },
      { name: 'json', goal: '>= 0.9x', actual: '0.80x', pass: false },
    ],
    notes: ['UPSTREAM_CONNECTIONS=1000'],
  };
}
