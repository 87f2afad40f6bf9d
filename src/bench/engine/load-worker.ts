/**
 * Entry of a load worker thread: runs its share of a load run, posts progress about once a
 * second and then the LoadResult (plain data). The parent posts `'abort'` to stop it early; the
 * worker then posts its partial result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolveLoadOptions } from './options.js';
import { runInThread, type ScheduleShare } from './run-in-thread.js';
import type { LoadOptions, LoadProgress, LoadResult } from './types.js';

/** What the parent hands a worker (options without callbacks: they cannot cross threads). */
export interface LoadWorkerData {
  options: Omit<LoadOptions, 'onProgress'>;
  share: ScheduleShare;
  progress: boolean;
}

/** What a worker posts to its parent. */
export type LoadWorkerMessage = { type: 'progress'; progress: LoadProgress } | { type: 'result'; result: LoadResult };

const port = parentPort;
if (port !== null) {
  const data = workerData as LoadWorkerData;
  const controller = new AbortController();
  port.on('message', (message: unknown) => {
    if (message === 'abort') controller.abort();
  });
  const post = (message: LoadWorkerMessage): void => port.postMessage(message);
  const onProgress = data.progress ? (progress: LoadProgress): void => post({ type: 'progress', progress }) : undefined;
  void runInThread(resolveLoadOptions(data.options), controller.signal, data.share, onProgress).then((result) => {
    post({ type: 'result', result });
    port.close();
  });
}
