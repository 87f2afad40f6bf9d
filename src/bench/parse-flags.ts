import { UsageError } from '../util/errors.js';
import { parseDuration } from '../util/flags.js';

// Defined with the other commands' shared flag parsers; re-exported for what imports it from here.
export { parseDuration };

/** `5%` or `0.5%` → 0.05 / 0.005; between 0 and 100 %. */
export function parsePercent(raw: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(raw.trim());
  const value = match ? Number(match[1]) : Number.NaN;
  if (!(value >= 0 && value <= 100)) throw new UsageError(`Expected \`${flag}\` to hold a percentage like 5% or 0.5%, got \`${raw}\`.`);
  return value / 100;
}

export type UpstreamFault =
  { kind: 'slow'; delayMs: number; share: number } | { kind: 'error'; status: number; share: number } | { kind: 'reset'; share: number };

/**
 * `slow:3s@5%,error:500@1%,reset@1%` → faults, each on a share of the requests. The shares
 * together stay at or under 100 %.
 */
export function parseFaultSpec(raw: string, flag = '--upstream-fault'): UpstreamFault[] {
  const faults = raw
    .split(',')
    .filter((part) => part.trim() !== '')
    .map((part) => parseFault(part.trim(), flag));
  const total = faults.reduce((sum, fault) => sum + fault.share, 0);
  if (total > 1 + 1e-9)
    throw new UsageError(`Expected the shares of \`${flag}\` to add up to 100% at most, got ${(total * 100).toFixed(1)}%.`);
  return faults;
}

function parseFault(part: string, flag: string): UpstreamFault {
  const [what = '', share = ''] = part.split('@');
  if (!share) throw new UsageError(`Expected each \`${flag}\` fault to end with @<percent>, e.g. error:500@1%, got \`${part}\`.`);
  const [kind, value] = what.split(':');
  if (kind === 'slow' && value) return { kind, delayMs: parseDuration(value, flag), share: parsePercent(share, flag) };
  if (kind === 'error' && value && /^[45]\d\d$/.test(value)) return { kind, status: Number(value), share: parsePercent(share, flag) };
  if (kind === 'reset' && value === undefined) return { kind, share: parsePercent(share, flag) };
  throw new UsageError(
    `Expected a \`${flag}\` fault of slow:<duration>@<percent>, error:<4xx|5xx>@<percent> or reset@<percent>, got \`${part}\`.`,
  );
}

/**
 * The order in which faults hit, request after request: each fault earns its share per request
 * and strikes when it has earned a whole one (integer parts per million, so 10 % is exactly every
 * tenth). Deterministic and evenly spread: over any first N requests a fault has hit within one
 * of N x its share.
 */
export function createFaultSchedule(faults: readonly UpstreamFault[]): () => UpstreamFault | undefined {
  const whole = 1_000_000;
  const earned = faults.map(() => 0);
  const perRequest = faults.map((fault) => Math.round(fault.share * whole));
  return () => {
    let due = -1;
    for (let k = 0; k < faults.length; k++) {
      earned[k] = (earned[k] as number) + (perRequest[k] as number);
      if ((earned[k] as number) >= whole && (due === -1 || (earned[k] as number) > (earned[due] as number))) due = k;
    }
    if (due === -1) return undefined;
    earned[due] = (earned[due] as number) - whole;
    return faults[due];
  };
}
