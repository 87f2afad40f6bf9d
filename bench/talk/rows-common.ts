import type { MockUpstream } from './repo-modules.js';
import type { RunningServer } from './servers.js';
import type { Measurement, Row, RowKind, TalkLoad } from './types.js';

export interface TalkContext {
  projectRoot: string;
  workDir: string;
  databaseUrl: string;
  /** The talk's upstream: the repo's mock at 100 ms. */
  upstream: MockUpstream;
  load: TalkLoad;
  signal: AbortSignal;
  log(line: string): void;
}

/** Starts a generated (or variant) project's built server against an upstream, with env overrides. */
export type StartGenerated = (root: string, env: Record<string, string>, upstreamUrl?: string) => Promise<RunningServer>;

/** Runs `work` against a server and stops it afterwards, also when the work fails or is aborted. */
export async function withServer<T>(start: Promise<RunningServer>, work: (server: RunningServer) => Promise<T>): Promise<T> {
  const server = await start;
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}

export const ratio = (top: Measurement, bottom: Measurement, what: string): string =>
  `${(top.requestsPerSecond / bottom.requestsPerSecond).toFixed(2)}x ${what}`;

export function row(
  id: string,
  group: string,
  kind: RowKind,
  label: string,
  connections: number,
  measurement: Measurement,
  shows: string,
  vs?: string,
): Row {
  return { id, group, kind, label, connections, measurement, shows, ...(vs === undefined ? {} : { ratio: vs }) };
}
