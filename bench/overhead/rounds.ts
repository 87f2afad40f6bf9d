import { readProcessUsage, sampleProcessUsage, summariseUsage } from '../talk/repo-modules.js';
import { roundOrder, SCENARIOS } from './config.js';
import { statusDelta, type ServerProcess } from './servers.js';
import { okPerSecond } from './stats.js';
import type { ContenderId, OverheadConfig, RunRecord, Scenario } from './types.js';
import { errorsOf, runWrk } from './wrk.js';

const MB = 2 ** 20;

/** What one run measured: a RunRecord before it is placed in its round, scenario and contender. */
export type MeasuredRun = Omit<RunRecord, 'round' | 'scenario' | 'contender'>;

/** One wrk run against `server`, its RSS sampled from /proc and its CPU read just before and after. */
export async function measureRun(
  server: ServerProcess,
  path: string,
  load: { connections: number; threads: number; durationSeconds: number },
  signal: AbortSignal,
): Promise<MeasuredRun> {
  const logBefore = server.stdoutBytes();
  const statusesBefore = server.loggedStatuses();
  const before = await readProcessUsage(server.pid);
  const sampler = sampleProcessUsage(server.pid, 200);
  const wrk = await runWrk({ url: `${server.url}${path}`, ...load }, signal).catch((error: unknown) => {
    sampler.stop();
    throw exitedError(server) ?? error;
  });
  const usage = summariseUsage(sampler.stop());
  const logAtEnd = server.stdoutBytes();
  if (logAtEnd > logBefore) await settleStdout(server, signal); // a silent server has nothing to flush
  const exited = exitedError(server);
  if (exited) throw exited;
  const after = await readProcessUsage(server.pid);
  const cpuSeconds = before && after ? after.cpuSeconds - before.cpuSeconds : undefined;
  return {
    wrk,
    rssPeakMb: usage ? usage.rssPeakBytes / MB : undefined,
    cpuUsPerRequest: cpuSeconds !== undefined && wrk.requests > 0 ? (cpuSeconds * 1e6) / wrk.requests : undefined,
    logBytes: server.stdoutBytes() - logBefore,
    logLagBytes: server.stdoutBytes() - logAtEnd,
    loggedStatuses: statusDelta(statusesBefore, server.loggedStatuses()),
  };
}

/**
 * Waits until the server's stdout has been quiet for 300 ms (at most 10 s): a logger that buffers
 * writes its backlog after the load ends, and that work belongs to its run (its CPU is counted),
 * not to the next contender's.
 */
async function settleStdout(server: ServerProcess, signal: AbortSignal): Promise<void> {
  const giveUp = Date.now() + 10_000;
  let last = server.stdoutBytes();
  let quietSince = Date.now();
  while (Date.now() - quietSince < 300 && Date.now() < giveUp && !signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = server.stdoutBytes();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
  }
}

/** A server that died under load is a finding: say so, with its stderr, rather than wrk's "connection refused". */
function exitedError(server: ServerProcess): Error | undefined {
  const report = server.exitReport();
  return report === undefined ? undefined : new Error(`The server at ${server.url} ${report}`);
}

export type Contenders = ReadonlyArray<readonly [ContenderId, ServerProcess]>;

/**
 * For each scenario: a warm-up of every contender, then `rounds` rounds in which the contenders
 * take turns (rotating who goes first), so a noisy neighbour hits them all alike.
 */
export async function runMainRounds(
  contenders: Contenders,
  config: OverheadConfig,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (const scenario of SCENARIOS) {
    log(
      `  ${scenario.path}, c=${scenario.connections}: warm-up ${warmupSeconds(scenario, config.warmupSeconds)} s each, then ${config.rounds} rounds of ${config.durationSeconds} s`,
    );
    for (const [contender, server] of contenders) {
      await warmUp(server, scenario, config.warmupSeconds, signal).catch((error: unknown) => {
        throw new Error(`${contender}, ${scenario.path} warm-up: ${exitedError(server)?.message ?? (error as Error).message}`);
      });
    }
    for (let round = 0; round < config.rounds; round++) {
      const cells: string[] = [];
      for (const [contender, server] of roundOrder(contenders, round)) {
        const measured = await measureRun(server, scenario.path, { ...scenario, durationSeconds: config.durationSeconds }, signal).catch(
          (error: unknown) => {
            throw new Error(`${contender}, ${scenario.path} round ${round + 1}: ${(error as Error).message}`);
          },
        );
        runs.push({ round, scenario: scenario.id, contender, ...measured });
        const errors = errorsOf(measured.wrk);
        cells.push(`${contender} ${Math.round(okPerSecond(measured.wrk))}${errors > 0 ? ` (${errors} err)` : ''}`);
      }
      log(`    round ${round + 1}: ${cells.join(', ')} 2xx/s`);
    }
  }
  return runs;
}

/** The same load, not counted: JIT, the upstream pool and (at c=1000) the listen backlog settle. */
async function warmUp(server: ServerProcess, scenario: Scenario, seconds: number, signal: AbortSignal): Promise<void> {
  const logBefore = server.stdoutBytes();
  await runWrk(
    {
      url: `${server.url}${scenario.path}`,
      threads: scenario.threads,
      connections: scenario.connections,
      durationSeconds: warmupSeconds(scenario, seconds),
    },
    signal,
  );
  if (server.stdoutBytes() > logBefore) await settleStdout(server, signal);
}

/** At 1000 connections, at least 3 s: SYNs dropped by a full backlog retry after 1 s and 3 s. */
function warmupSeconds(scenario: Scenario, seconds: number): number {
  return scenario.connections > 500 ? Math.max(seconds, 3) : seconds;
}
