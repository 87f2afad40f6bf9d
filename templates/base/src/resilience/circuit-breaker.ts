import { UpstreamUnavailableError } from '../errors.js';

export interface CircuitBreakerOptions {
  /** Failures in a row that open the circuit. */
  failures: number;
  /** How long an open circuit fails calls fast before one probe call may try again. */
  cooldownMs: number;
  /** Which errors count as the dependency failing (not a caller's own abort or a refusal of ours). */
  isFailure(error: unknown): boolean;
}

export type CircuitBreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreaker {
  /**
   * Before a call: throws UpstreamUnavailableError (503) at once while the circuit is open or its
   * probe is out; once the cooldown is over, the caller that gets through is the probe.
   */
  admit(): void;
  /** After an admitted call: it succeeded. */
  succeeded(): void;
  /** After an admitted call: it failed with `error` (counted only when `isFailure(error)`). */
  failed(error: unknown): void;
  state(): CircuitBreakerState;
  /** Called on every change, for logs and metrics. */
  onStateChange(listener: (state: CircuitBreakerState) => void): void;
}

/**
 * A failing dependency gets a rest instead of a pile of calls that each wait for its timeout:
 * after `failures` in a row, calls fail fast for `cooldownMs`, then a single probe decides while
 * the other calls keep failing fast. The caller records the outcome (`succeeded`/`failed`) rather
 * than handing its call to the breaker: a thousand calls waiting on the upstream hold no wrapper
 * promise or closure of the breaker's.
 * @example
 * const breaker = createCircuitBreaker({ failures: 5, cooldownMs: 5000, isFailure: (e) => e instanceof UpstreamError });
 * breaker.admit();
 * try { const body = await call(); breaker.succeeded(); return body; } catch (error) { breaker.failed(error); throw error; }
 */
export function createCircuitBreaker({ failures, cooldownMs, isFailure }: CircuitBreakerOptions): CircuitBreaker {
  let state: CircuitBreakerState = 'closed';
  let failuresInARow = 0;
  let openedAt = 0;
  const listeners: Array<(state: CircuitBreakerState) => void> = [];
  const moveTo = (next: CircuitBreakerState): void => {
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener(next);
  };
  const open = (now: number): void => {
    openedAt = now;
    moveTo('open');
  };

  return {
    admit() {
      if (state === 'closed') return;
      const now = Date.now();
      if (state === 'open' && now - openedAt >= cooldownMs) {
        moveTo('half-open'); // this caller is the probe
        return;
      }
      const retryInMs = state === 'open' ? openedAt + cooldownMs - now : cooldownMs;
      throw new UpstreamUnavailableError(Math.max(0, retryInMs));
    },
    succeeded() {
      failuresInARow = 0;
      if (state === 'half-open') moveTo('closed'); // a late success while open does not cut the rest short
    },
    failed(error) {
      if (!isFailure(error)) {
        // The probe told us nothing (its caller gave up, or we refused it): the next caller probes.
        if (state === 'half-open') open(Date.now() - cooldownMs);
        return;
      }
      failuresInARow += 1;
      if (state === 'half-open' || failuresInARow >= failures) open(Date.now());
    },
    state: () => state,
    onStateChange: (listener) => void listeners.push(listener),
  };
}
