import { afterEach, describe, expect, it, vi } from 'vitest';
import { abortWhenParentExits, watchParent } from '../../../src/util/parent-watch.js';

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

describe('abortWhenParentExits', () => {
  it('aborts on the interrupt, or once the parent is gone (saying which), and stops watching on stop()', () => {
    vi.useFakeTimers();
    const interrupt = new AbortController();
    const first = abortWhenParentExits(interrupt.signal, () => undefined, { intervalMs: 500, readPpid: () => 4242 });
    interrupt.abort();
    expect(first.signal.aborted).toBe(true);
    first.stop();

    let ppid = 4242;
    const onGone = vi.fn();
    const second = abortWhenParentExits(new AbortController().signal, onGone, { intervalMs: 500, readPpid: () => ppid });
    vi.advanceTimersByTime(1_000);
    expect(second.signal.aborted).toBe(false);
    ppid = 1;
    vi.advanceTimersByTime(500);
    expect([second.signal.aborted, onGone.mock.calls]).toEqual([true, [[4242]]]);

    ppid = 4242;
    const third = abortWhenParentExits(new AbortController().signal, onGone, { intervalMs: 500, readPpid: () => ppid });
    third.stop();
    ppid = 1;
    vi.advanceTimersByTime(2_000);
    expect(third.signal.aborted).toBe(false);
  });
});
