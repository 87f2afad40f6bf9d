/**
 * Delay before restarting a worker that died: doubles with each death in a row (100 ms, 200 ms,
 * … capped at 10 s) so a worker that crashes at boot does not spin; a worker that lived
 * `stableMs` resets the streak.
 */
export function restartDelayMs(consecutiveDeaths: number, baseMs = 100, capMs = 10_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, consecutiveDeaths - 1));
}

/** How many workers `--workers auto` means: one per CPU the process may use. */
export function autoWorkerCount(available: number): number {
  return Math.max(1, available);
}
