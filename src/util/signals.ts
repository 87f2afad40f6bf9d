/**
 * Runs `work` with a signal that aborts on Ctrl-C (SIGINT) or SIGTERM, so long-running work can
 * clean up and end with CancelledError; the handlers are removed afterwards.
 */
export async function withInterruptSignal<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.on('SIGINT', abort);
  process.on('SIGTERM', abort);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
  }
}
