/**
 * The open model's schedule as plain arithmetic on request indices: global request `i` is due
 * `i / rate` seconds after the start of the window, and a thread owns the indices `offset`,
 * `offset + stride`, … of it. Counting indices instead of comparing clock times to the end of
 * the run keeps the count exact: `rate × duration` requests, never one more from float drift.
 */

/**
 * This thread's part of an open-model schedule: it sends the global requests
 * `offset, offset + stride, offset + 2 * stride, …`, so workers interleave on one schedule.
 */
export interface ScheduleShare {
  offset: number;
  stride: number;
}

/** One thread's plan: the global rate, its share, and how many requests it sends. */
export interface OpenPlan {
  /** Requests per second of the whole schedule (all threads). */
  rate: number;
  share: ScheduleShare;
  /** Requests this thread sends. */
  count: number;
}

/**
 * Requests a schedule of `rate` per second holds in `durationMs`: those due at `i / rate < duration`,
 * i.e. `ceil(rate × duration)`. The product is rounded to a millionth first, so float noise in it
 * (0.1 req/s × 30 s = 3.0000000000000004) does not add a request.
 */
export function plannedRequests(rate: number, durationMs: number): number {
  const product = Math.round(((rate * durationMs) / 1000) * 1e6) / 1e6;
  return Math.ceil(product);
}

/** How many of `total` global requests fall to `share`. */
export function shareCount(total: number, share: ScheduleShare): number {
  return Math.max(0, Math.ceil((total - share.offset) / share.stride));
}

/** This thread's plan for a run of `amount` requests, or of `durationMs` when amount is undefined. */
export function openPlan(
  rate: number,
  share: ScheduleShare,
  length: { amount?: number | undefined; durationMs?: number | undefined },
): OpenPlan {
  const total = length.amount ?? plannedRequests(rate, length.durationMs ?? 0);
  return { rate, share, count: shareCount(total, share) };
}

/** Milliseconds from the start of the window to the intended send time of this thread's request `k`. */
export function intendedOffsetMs(plan: OpenPlan, k: number): number {
  return ((plan.share.offset + k * plan.share.stride) * 1000) / plan.rate;
}

/** The first of this thread's requests, from `from` on, not yet due `elapsedMs` into the window (`plan.count` when all are). */
export function firstNotDue(plan: OpenPlan, from: number, elapsedMs: number): number {
  let k = from;
  while (k < plan.count && intendedOffsetMs(plan, k) <= elapsedMs) k += 1;
  return k;
}

/**
 * Length of the schedule window in milliseconds, for a thread that scheduled its first `scheduled`
 * requests: one request interval past the last one's intended time (for a whole run, on the
 * thread holding the last global request, `total / rate`: the duration), or until the last actual
 * send (`lastSendOffsetMs` into the window) when the generator sent it later than that. The
 * drain of the last responses is not part of it.
 */
export function scheduleWindowMs(plan: OpenPlan, scheduled: number, lastSendOffsetMs: number): number {
  if (scheduled === 0) return Math.max(0, lastSendOffsetMs);
  const last = plan.share.offset + (scheduled - 1) * plan.share.stride;
  return Math.max(((last + 1) * 1000) / plan.rate, lastSendOffsetMs);
}
