import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchParent } from '../../../src/util/parent-watch.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('watchParent', () => {
  it('calls onGone once, with the old parent pid, when the parent pid changes (re-parented)', () => {
    vi.useFakeTimers();
    let ppid = 4242;
    const onGone = vi.fn();
    watchParent(onGone, { intervalMs: 500, readPpid: () => ppid });
    vi.advanceTimersByTime(2_000);
    expect(onGone).not.toHaveBeenCalled();
    ppid = 1;
    vi.advanceTimersByTime(500);
    ppid = 77; // a subreaper: still not the parent we had
    vi.advanceTimersByTime(2_000);
    expect(onGone.mock.calls).toEqual([[4242]]);
  });

  it('watches nothing when started by init, systemd or a container runtime (parent pid 1 or 0)', () => {
    vi.useFakeTimers();
    for (const startPpid of [0, 1]) {
      let ppid = startPpid;
      const onGone = vi.fn();
      watchParent(onGone, { readPpid: () => ppid });
      ppid = 999;
      vi.advanceTimersByTime(5_000);
      expect(onGone).not.toHaveBeenCalled();
    }
  });

  it('stops watching when told to', () => {
    vi.useFakeTimers();
    let ppid = 4242;
    const onGone = vi.fn();
    const stop = watchParent(onGone, { readPpid: () => ppid });
    stop();
    ppid = 1;
    vi.advanceTimersByTime(5_000);
    expect(onGone).not.toHaveBeenCalled();
  });
});
