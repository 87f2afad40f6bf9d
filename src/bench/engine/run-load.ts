import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { distFile } from '../../util/package-info.js';
import type { LoadWorkerData, LoadWorkerMessage } from './load-worker.js';
import { mergeLoadResults } from './merge.js';
import { openPlan } from './open-schedule.js';
import { resolveLoadOptions } from './options.js';
import { runInThread } from './run-in-thread.js';
import type { LoadOptions, LoadProgress, LoadResult } from './types.js';

/**
 * Generates HTTP/1.1 load against one origin and measures it.
 *
 * Closed model (no `rate`): `connections` keep-alive sockets each keep `pipelining` requests in
 * flight; latency runs from send to response. Open model (`rate`): requests are due on a global
 * schedule (start + i / rate) whether or not earlier ones were answered; latency runs from the
 * intended send time (coordinated-omission corrected, as wrk2 does), `serviceTime` from the
 * actual send, and a generator that falls behind its schedule marks the result invalid.
 *
 * Aborting `signal` stops at once and resolves with the partial result (`partial: true`).
 * Throws UsageError for invalid options, before any connection is made.
 *
 * @example
 * const result = await runLoad({ target: { url: 'http://127.0.0.1:3000/json' }, connections: 50, duration: 10_000 }, signal);
 * process.stdout.write(formatLoadResult(result));
 */
export async function runLoad(options: LoadOptions, signal: AbortSignal): Promise<LoadResult> {
  const resolved = resolveLoadOptions(options);
  const { onProgress, ...plain } = options;
  if (resolved.workers === 1) return runInThread(resolved, signal, { offset: 0, stride: 1 }, onProgress);
  const n = resolved.workers;
  const split = (total: number, i: number): number => Math.floor(total / n) + (i < total % n ? 1 : 0);
  // Closed model: each worker sends its part of `amount`. Open model: each takes its share of the
  // one global schedule (of `amount`, or of rate x duration), counted in open-schedule.ts.
  const shares = Array.from({ length: n }, (_, i): LoadWorkerData => ({
    options: {
      ...plain,
      workers: 1,
      connections: split(resolved.connections, i),
      ...(resolved.amount === undefined || resolved.rate !== undefined ? {} : { amount: split(resolved.amount, i) }),
    },
    share: { offset: i, stride: n },
    progress: onProgress !== undefined,
  }));
  const requestsOf = (data: LoadWorkerData): number | undefined =>
    resolved.rate === undefined
      ? data.options.amount
      : openPlan(resolved.rate, data.share, { amount: resolved.amount, durationMs: resolved.duration }).count;
  // A worker with no requests of its own (amount < workers) would wait forever: leave it out.
  const active = shares.filter((s) => requestsOf(s) !== 0);
  const latest: Array<LoadProgress | undefined> = active.map(() => undefined);
  const report = (i: number, progress: LoadProgress): void => {
    latest[i] = progress;
    if (i !== 0 || onProgress === undefined) return; // one report per round of worker reports, on worker 0's beat
    const known = latest.filter((p): p is LoadProgress => p !== undefined);
    onProgress({
      elapsedMs: Math.max(...known.map((p) => p.elapsedMs)),
      sent: known.reduce((sum, p) => sum + p.sent, 0),
      completed: known.reduce((sum, p) => sum + p.completed, 0),
      errors: known.reduce((sum, p) => sum + p.errors, 0),
    });
  };
  const results = await Promise.all(active.map((share, i) => runWorker(share, signal, (p) => report(i, p))));
  return mergeLoadResults(results);
}

/** Checks options as runLoad would (throwing UsageError), without running: to fail before starting a target. */
export function validateLoadOptions(options: LoadOptions): void {
  resolveLoadOptions(options);
}

/**
 * Starts a load worker: the built JavaScript (an entry point of the bundle) or, when running
 * from TypeScript sources (tests, tsx), a bootstrap that registers tsx in the worker and imports the .ts entry
 * (Node 20 does not apply `--import` loaders given in a worker's execArgv).
 */
function startWorker(data: LoadWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(distFile('bench', 'engine', 'load-worker.js'), { workerData: data });
  // The ESM build of tsx's API (require.resolve would pick the CommonJS one).
  const tsxApi = new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))).href;
  const entry = new URL('./load-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

function runWorker(data: LoadWorkerData, signal: AbortSignal, onProgress: (progress: LoadProgress) => void): Promise<LoadResult> {
  const worker = startWorker(data);
  return new Promise<LoadResult>((resolve, reject) => {
    const onAbort = (): void => worker.postMessage('abort');
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    worker.on('message', (message: LoadWorkerMessage) => {
      if (message.type === 'progress') return onProgress(message.progress);
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(message.result);
    });
    worker.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    worker.once('exit', (code) => {
      signal.removeEventListener('abort', onAbort);
      if (!settled) reject(new Error(`Load worker exited with code ${code} before reporting.`));
    });
  });
}
