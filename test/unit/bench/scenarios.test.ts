import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIOS, parseBenchConfig, selectScenarios } from '../../../src/bench/scenarios.js';
import { UsageError } from '../../../src/util/errors.js';

describe('selectScenarios', () => {
  it('takes all by default, or the named ones in the order given', () => {
    expect(selectScenarios([]).map((s) => s.name)).toEqual(['json', 'db', 'queries', 'external', 'concurrent']);
    expect(selectScenarios(['external', 'json']).map((s) => s.name)).toEqual(['external', 'json']);
  });

  it('lists the valid names for an unknown one', () => {
    expect(() => selectScenarios(['jsno'])).toThrow(
      new UsageError('Unknown scenario `jsno`. Valid scenarios: json, db, queries, external, concurrent.'),
    );
  });
});

describe('parseBenchConfig', () => {
  it('reads paths and weighted mixes', () => {
    const scenarios = parseBenchConfig(
      JSON.stringify({ scenarios: { home: '/json', mix: [{ path: '/db', weight: 3 }, { path: '/json' }] } }),
      'bench.json',
    );
    expect(scenarios.map(({ name, requests }) => ({ name, requests }))).toEqual([
      { name: 'home', requests: [{ path: '/json', weight: 1 }] },
      {
        name: 'mix',
        requests: [
          { path: '/db', weight: 3 },
          { path: '/json', weight: 1 },
        ],
      },
    ]);
    expect(selectScenarios(['mix'], scenarios)[0]?.requests).toHaveLength(2);
  });

  it.each([
    ['{', /not valid JSON/],
    ['{"scenarios":[]}', /to hold \{ "scenarios"/],
    ['{"scenarios":{"a":"json"}}', /every path must start with \/, got `json`/],
    ['{"scenarios":{"a":[{"path":"/x","weight":0}]}}', /weights must be positive numbers, got `0`/],
    ['{"scenarios":{"a":[]}}', /a path or a non-empty list/],
  ])('refuses %s', (text, message) => {
    expect(() => parseBenchConfig(text, 'bench.json')).toThrow(message);
  });

  it('defaults cover the talk: json, db and an external resource', () => {
    expect(DEFAULT_SCENARIOS.map((s) => s.requests[0]?.path)).toEqual(['/json', '/db', '/queries?queries=20', '/external', '/concurrent']);
  });
});
