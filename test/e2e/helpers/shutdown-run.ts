import type { ResultPromise } from 'execa';
import { startKeepAliveLoad, type RequestOutcome } from './keep-alive-load.js';
import { descendantsOf } from './process-tree.js';
import { isAlive } from './processes.js';

/** What one stop signal under keep-alive load did, seen from the clients. */
export interface ShutdownFigures {
  outcomes: RequestOutcome[];
  /** performance.now() when the signal was sent. */
  signalAt: number;
  /** Requests written after the signal. */
  afterSignal: number;
  /** Requests without a complete response on a connection the server had accepted (ECONNRESET, EPIPE, closed early). */
  resets: RequestOutcome[];
  /** Responses with a 5xx status. */
  serverErrors: RequestOutcome[];
  /** First requests on connections the listener's close cut before the server accepted them (see classify); not counted above. */
  cutAtListenerClose: RequestOutcome[];
  /** Fresh connections refused once the listener had closed; not counted above. */
  refused: number;
  /** Milliseconds from the signal until every process of the tree had gone; undefined if some stayed. */
  exitMs: number | undefined;
  /** Pids of the tree still alive at the bound. */
  left: number[];
}

export interface ShutdownRunOptions {
  base: string;
  /** The process the test started (primary, npm, or process-group leader). */
  root: ResultPromise;
  /** Sends the signal (to the root alone, to its process group...). */
  signal: () => void;
  path: string;
  connections: number;
  /** Successful responses to see before the signal. */
  warmup: number;
  /** How long the tree may take to go away after the signal. */
  boundMs: number;
}

/**
 * Keeps `connections` keep-alive clients sending on `path`, sends the signal, keeps sending until
 * every process of the tree (the root and its descendants at signal time) is gone or the bound
 * passed, then classifies what every request got.
 */
export async function runShutdownUnderLoad(options: ShutdownRunOptions): Promise<ShutdownFigures> {
  const load = startKeepAliveLoad(options.base, options.path, options.connections);
  const warmupDeadline = Date.now() + 30_000;
  while (load.outcomes.filter((o) => o.status === 200).length < options.warmup) {
    if (Date.now() > warmupDeadline) {
      await load.stop();
      throw new Error(`fewer than ${options.warmup} answers within 30 s (${load.outcomes.length} requests sent)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const tree = [options.root.pid!, ...descendantsOf(options.root.pid!)];
  const signalAt = performance.now();
  options.signal();
  let exitMs: number | undefined;
  while (performance.now() - signalAt < options.boundMs) {
    if (tree.every((pid) => !isAlive(pid))) {
      exitMs = performance.now() - signalAt;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await load.stop();
  return classify(load.outcomes, load.refusedConnects(), signalAt, exitMs, tree.filter(isAlive));
}

/**
 * When the listener closes, connections the kernel (or the cluster primary) had completed but no
 * server had accepted yet are reset: clients that reconnect in a loop always have a few in that
 * queue. Such a connection was opened no earlier than the last connection a server answered on
 * (the queue is first in, first out), give or take this much for event-loop jitter in the client.
 * A request a server accepted and then dropped shows up earlier, among answered ones.
 */
const LISTENER_CLOSE_WINDOW_MS = 100;

export function classify(
  outcomes: RequestOutcome[],
  refused: number,
  signalAt: number,
  exitMs: number | undefined,
  left: number[],
): ShutdownFigures {
  const answeredConnections = outcomes.filter((o) => o.firstByteAt !== undefined).map((o) => o.connectedAt);
  const lastAnsweredConnection = answeredConnections.reduce((latest, at) => Math.max(latest, at), Number.NEGATIVE_INFINITY);
  const failed = outcomes.filter((o) => o.status === undefined && o.error !== undefined);
  const cut = failed.filter(
    (o) => o.indexOnConnection === 0 && o.firstByteAt === undefined && o.connectedAt >= lastAnsweredConnection - LISTENER_CLOSE_WINDOW_MS,
  );
  return {
    outcomes,
    signalAt,
    afterSignal: outcomes.filter((o) => o.writtenAt >= signalAt).length,
    resets: failed.filter((o) => !cut.includes(o)),
    serverErrors: outcomes.filter((o) => o.status !== undefined && o.status >= 500),
    cutAtListenerClose: cut,
    refused,
    exitMs,
    left,
  };
}

/** One line for the test output. */
export function formatFigures(name: string, figures: ShutdownFigures): string {
  const exit =
    figures.exitMs === undefined
      ? `processes left: ${figures.left.join(', ')}`
      : `every process gone ${Math.round(figures.exitMs)} ms after the signal`;
  return (
    `${name}: ${figures.outcomes.length} requests (${figures.afterSignal} after the signal), ${figures.resets.length} resets, ` +
    `${figures.serverErrors.length} 5xx; not counted: ${figures.cutAtListenerClose.length} cut in the listener's queue at its close, ` +
    `${figures.refused} refused connects; ${exit}`
  );
}
