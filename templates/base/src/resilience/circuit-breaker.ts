import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
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
  /** Runs `call` through the breaker; throws UpstreamUnavailableError (503) at once while it is open. */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** Throws UpstreamUnavailableError at once if a call now would fail fast (check before queueing). */
  throwIfOpen(): void;
  state(): CircuitBreakerState;
  /** Called on every change, for logs and metrics. */
  onStateChange(listener: (state: CircuitBreakerState) => void): void;
}

const states: Record<CircuitState, CircuitBreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * A failing dependency gets a rest instead of a pile of calls that each wait for its timeout:
 * after `failures` in a row, calls fail fast for `cooldownMs`, then a single probe decides (cockatiel's
 * breaker; while the probe runs, other calls fail fast too instead of waiting on it).
 * @example
 * const breaker = createCircuitBreaker({ failures: 5, cooldownMs: 5000, isFailure: (e) => e instanceof UpstreamError });
 * const body = await breaker.run(() => pool.request(options));
 */
export function createCircuitBreaker({ failures, cooldownMs, isFailure }: CircuitBreakerOptions): CircuitBreaker {
  const policy = circuitBreaker(handleWhen(isFailure), { halfOpenAfter: cooldownMs, breaker: new ConsecutiveBreaker(failures) });
  let openedAt = 0;
  policy.onBreak(() => {
    openedAt = Date.now();
  });

  const unavailable = (cause?: unknown): UpstreamUnavailableError =>
    new UpstreamUnavailableError(Math.max(0, openedAt + cooldownMs - Date.now()), { cause });

  function throwIfOpen(): void {
    const state = policy.state;
    if (state === CircuitState.HalfOpen) throw unavailable();
    if (state === CircuitState.Open && Date.now() - openedAt < cooldownMs) throw unavailable();
  }

  async function run<T>(call: () => Promise<T>): Promise<T> {
    throwIfOpen();
    try {
      return await policy.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw unavailable(error);
      throw error;
    }
  }

  return {
    run,
    throwIfOpen,
    state: () => states[policy.state],
    onStateChange: (listener) => void policy.onStateChange((state) => listener(states[state])),
  };
}
