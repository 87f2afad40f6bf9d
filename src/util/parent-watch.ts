export interface ParentWatchOptions {
  /** How often to look; the timer is unref'd, so it never keeps the process alive. */
  intervalMs?: number;
  /** Read the current parent pid (tests pass a fake). */
  readPpid?: () => number;
}

/**
 * Calls `onGone` once when the process that started this one has exited: its children are then
 * re-parented (to PID 1 or a subreaper), so `process.ppid` changes. `npm start` killed alone (pm2,
 * a plain `kill`, `CMD ["npm","start"]`) leaves its script running as such an orphan, holding the
 * port. A process whose parent is already PID 1 (or 0) was started by init, systemd or a container
 * runtime, or is already an orphan: nothing is watched. Returns a function that stops watching.
 */
export function watchParent(
  onGone: (previousPpid: number) => void,
  { intervalMs = 500, readPpid = () => process.ppid }: ParentWatchOptions = {},
): () => void {
  const startPpid = readPpid();
  if (startPpid <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (readPpid() === startPpid) return;
    clearInterval(timer);
    onGone(startPpid);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * `interrupt` (Ctrl-C, SIGTERM) or the exit of the process that started us, as one signal for a
 * long-running command; `onGone` says why. `stop()` ends the watch.
 */
export function abortWhenParentExits(
  interrupt: AbortSignal,
  onGone: (previousPpid: number) => void,
  options?: ParentWatchOptions,
): { signal: AbortSignal; stop: () => void } {
  const parentGone = new AbortController();
  const stop = watchParent((ppid) => {
    onGone(ppid);
    parentGone.abort();
  }, options);
  return { signal: AbortSignal.any([interrupt, parentGone.signal]), stop };
}
