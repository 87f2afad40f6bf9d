export interface RetryBudgetOptions {
  /** Retries allowed per first attempt, over time (0.1: at most 10% more calls). */
  ratio: number;
  /** Retries allowed in a burst from a standing start. */
  burst: number;
}

export interface RetryBudget {
  /** Counts one first attempt: it earns `ratio` of a retry. */
  recordAttempt(): void;
  /** Takes one retry from the budget; false when it is spent. */
  tryRetry(): boolean;
}

/**
 * Retries are a share of the traffic, never a multiple of it (Envoy's and Finagle's retry budget):
 * when a dependency fails for everyone, retrying everything would double the load on it.
 */
export function createRetryBudget({ ratio, burst }: RetryBudgetOptions): RetryBudget {
  let tokens = burst;
  return {
    recordAttempt() {
      tokens = Math.min(burst, tokens + ratio);
    },
    tryRetry() {
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
