import { UsageError } from './errors.js';

/**
 * Parsers for flag values that several commands share. Each takes the raw text and the flag's
 * name, and throws a UsageError (exit 2) of one form: ``Expected `--flag` to be …, got `raw`.``
 */

/** `1`, `50`; not `0`, `-1`, `1.5` or `1e3`. */
export function positiveInteger(raw: string, flag: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || !Number.isSafeInteger(value))
    throw new UsageError(`Expected \`${flag}\` to be a positive integer, got \`${raw}\`.`);
  return value;
}

/** `0`, `3`; not `-1` or `1.5`. */
export function nonNegativeInteger(raw: string, flag: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value))
    throw new UsageError(`Expected \`${flag}\` to be a non-negative integer, got \`${raw}\`.`);
  return value;
}

/** 0-65535 (0: any free port). */
export function portNumber(raw: string, flag: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new UsageError(`Expected \`${flag}\` to be a port number (0-65535), got \`${raw}\`.`);
  return port;
}

const UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/**
 * `100ms`, `3s`, `1.5s`, `2m`, `250us` → milliseconds. A bare number is refused: a duration
 * without a unit is ambiguous.
 */
export function parseDuration(raw: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(us|ms|s|m)$/.exec(raw.trim());
  if (!match) throw new UsageError(`Expected \`${flag}\` to be a duration like 100ms, 3s or 1m, got \`${raw}\`.`);
  return Number(match[1]) * (UNITS_MS[match[2] as string] as number);
}

/** An absolute http:// URL, normalised. */
export function httpUrl(raw: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`Expected \`${flag}\` to be an http:// URL, got \`${raw}\`.`);
  }
  if (url.protocol !== 'http:') throw new UsageError(`Expected \`${flag}\` to be an http:// URL, got \`${raw}\`.`);
  return url.href;
}
