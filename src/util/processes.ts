import type { ResultPromise } from 'execa';

/**
 * Stops a child the polite way: SIGTERM (it drains and exits), SIGKILL if it is still there after
 * `graceMs`; resolves once it is gone. A child that already exited resolves at once.
 */
export async function stopChild(child: ResultPromise, graceMs: number): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      await child;
    } finally {
      clearTimeout(timer);
    }
  }
  await child;
}
