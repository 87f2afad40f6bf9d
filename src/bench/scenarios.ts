import { UsageError } from '../util/errors.js';

/** A named load: one path, or a weighted mix of paths, of the project's server. */
export interface Scenario {
  name: string;
  requests: Array<{ path: string; weight: number }>;
  /** What it measures, for the report. */
  about: string;
}

/** The talk's three scenarios (JSON, database, external resource) plus the fan-out and multi-query ones. */
export const DEFAULT_SCENARIOS: readonly Scenario[] = [
  { name: 'json', requests: [{ path: '/json', weight: 1 }], about: 'serialisation baseline, no I/O' },
  { name: 'db', requests: [{ path: '/db', weight: 1 }], about: 'one query through the pg.Pool' },
  { name: 'queries', requests: [{ path: '/queries?queries=20', weight: 1 }], about: '20 concurrent queries per request' },
  { name: 'external', requests: [{ path: '/external', weight: 1 }], about: 'one upstream call over the shared keep-alive client' },
  { name: 'concurrent', requests: [{ path: '/concurrent', weight: 1 }], about: 'three upstream calls with Promise.all' },
];

/** Picks scenarios by name (all when none are named); an unknown name lists the valid ones. */
export function selectScenarios(names: readonly string[], available: readonly Scenario[] = DEFAULT_SCENARIOS): Scenario[] {
  if (names.length === 0) return [...available];
  return names.map((name) => {
    const scenario = available.find((candidate) => candidate.name === name);
    if (!scenario) throw new UsageError(`Unknown scenario \`${name}\`. Valid scenarios: ${available.map((s) => s.name).join(', ')}.`);
    return scenario;
  });
}

/** Scenarios from a project's `bench.json`: `{ "scenarios": { "name": "/path" | [{ "path", "weight" }] } }`. */
export function parseBenchConfig(text: string, file: string): Scenario[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`\`${file}\` is not valid JSON: ${(error as Error).message}`);
  }
  const scenarios = (parsed as { scenarios?: unknown } | null)?.scenarios;
  if (typeof scenarios !== 'object' || scenarios === null || Array.isArray(scenarios)) {
    throw new UsageError(`Expected \`${file}\` to hold { "scenarios": { "<name>": "/path" | [{ "path": "/p", "weight": 1 }] } }.`);
  }
  return Object.entries(scenarios).map(([name, value]) => ({ name, requests: toRequests(name, value, file), about: `from ${file}` }));
}

function toRequests(name: string, value: unknown, file: string): Scenario['requests'] {
  const list = typeof value === 'string' ? [{ path: value, weight: 1 }] : value;
  if (!Array.isArray(list) || list.length === 0)
    throw new UsageError(`Scenario \`${name}\` in \`${file}\` must be a path or a non-empty list of { path, weight }.`);
  return list.map((entry: unknown) => {
    const { path, weight = 1 } = (entry ?? {}) as { path?: unknown; weight?: unknown };
    if (typeof path !== 'string' || !path.startsWith('/'))
      throw new UsageError(`Scenario \`${name}\` in \`${file}\`: every path must start with /, got \`${String(path)}\`.`);
    if (typeof weight !== 'number' || !(weight > 0))
      throw new UsageError(`Scenario \`${name}\` in \`${file}\`: weights must be positive numbers, got \`${String(weight)}\`.`);
    return { path, weight };
  });
}
