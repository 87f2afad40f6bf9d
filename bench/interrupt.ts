/**
 * A benchmark's Ctrl-C (or SIGTERM): the first aborts the returned controller so every server and
 * the temp dir are cleaned up; a second leaves at once (130). The listeners stay (`on`, not
 * `once`): execa's exit hook re-raises a signal that has no listener left, killing us before the cleanup.
 */
export function abortOnInterrupt(): AbortController {
  const controller = new AbortController();
  const interrupt = (): void => {
    if (controller.signal.aborted) process.exit(130);
    console.log('\nInterrupted: stopping every server and removing the temp dir…');
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  return controller;
}
