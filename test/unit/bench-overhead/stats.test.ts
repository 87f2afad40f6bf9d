import { describe, expect, it } from 'vitest';
import { evaluateTargets, median, okPerSecond, roundRatios, summariseRuns, sumCounts } from '../../../bench/overhead/stats.js';
import { run, threeRounds, waiting, wrk } from './fixtures.js';

describe('median', () => {
  it('takes the middle value, the mean of the middle two for an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('summariseRuns', () => {
  it('takes medians per contender and scenario and sums errors over the rounds', () => {
    const summaries = summariseRuns(threeRounds());
    expect(summaries.map((s) => [s.scenario, s.contender, Math.round(s.requestsPerSecond), s.errors, s.timeouts])).toEqual([
      ['json', 'minimal', 30_000, 0, 0],
      ['json', 'generated-silent', 27_000, 0, 0],
      ['json', 'generated-no-metrics', 27_500, 0, 0],
      ['json', 'generated-log', 24_000, 0, 0],
      ['external', 'minimal', 5000, 0, 0],
      ['external', 'generated-silent', 4900, 12, 12],
    ]);
    const logged = summaries.find((s) => s.contender === 'generated-log')!;
    expect(logged.logBytesPerRequest).toBeCloseTo(180);
    expect(logged.loggedStatuses).toEqual({ 200: 3000 });
    expect(logged.logLagSeconds).toBeCloseTo(1); // a fifth of a 5 s run's log came after it
    expect(summaries[0]!.logBytesPerRequest).toBeUndefined();
  });
});

describe('roundRatios', () => {
  it('divides each generated run by the minimal run of the same round, then takes the median', () => {
    const runs = [
      run(0, 'json', 'minimal', 100),
      run(0, 'json', 'generated-silent', 90),
      run(1, 'json', 'minimal', 50),
      run(1, 'json', 'generated-silent', 40),
      run(2, 'json', 'minimal', 200),
      run(2, 'json', 'generated-silent', 190),
    ];
    const [ratio] = roundRatios(runs);
    expect(ratio).toMatchObject({ scenario: 'json', contender: 'generated-silent', median: 0.9, min: 0.8, max: 0.95 });
  });

  it('leaves out a round without a minimal run', () => {
    expect(
      roundRatios([run(0, 'json', 'generated-silent', 90), run(1, 'json', 'minimal', 100), run(1, 'json', 'generated-silent', 50)]),
    ).toEqual([{ scenario: 'json', contender: 'generated-silent', median: 0.5, min: 0.5, max: 0.5 }]);
  });
});

describe('evaluateTargets', () => {
  it('passes the ratios that reach their goal and misses /external with any error', () => {
    const runs = threeRounds();
    const targets = evaluateTargets(summariseRuns(runs), roundRatios(runs), waiting, roundRatios(runs, 'generated-no-metrics'));
    expect(targets.map((t) => [t.name.split(',')[0], t.pass])).toEqual([
      ['/json', true],
      ['/json', true],
      ['/external', false],
      ['RSS with 1000 requests waiting on the upstream', true],
      ['/metrics on: /json', true],
    ]);
    expect(targets[4]!.actual).toBe('0.98x (rounds 0.98–0.98)'); // 27,000 against 27,500 in each round
    expect(evaluateTargets(summariseRuns(runs), roundRatios(runs), waiting)[4]).toMatchObject({ pass: false, actual: 'not measured' });
    expect(targets[2]!.actual).toBe('0.98x (rounds 0.98–0.98), 12 errors');
    expect(targets[3]!.actual).toBe('1.07x (141 vs 132 MB)');
    const heavier = evaluateTargets(summariseRuns(runs), roundRatios(runs), { ...waiting, generatedMb: [150, 152] });
    expect(heavier[3]).toMatchObject({ pass: false, actual: '1.14x (151 vs 132 MB)' });
  });

  it('reads MISS with "not measured" when a figure is missing', () => {
    const targets = evaluateTargets([], [], { ...waiting, minimalMb: [], generatedMb: [] });
    expect(targets.every((t) => !t.pass && t.actual === 'not measured')).toBe(true);
  });
});

describe('okPerSecond', () => {
  it('counts only 2xx answers: a server that sheds fast does not look faster', () => {
    expect(okPerSecond(wrk(1000, { requests: 5000, non2xx: 4000 }))).toBe(200);
    const shedding = [
      run(0, 'external', 'minimal', 1000),
      run(0, 'external', 'generated-silent', 1000, { wrk: wrk(3000, { requests: 15_000, non2xx: 12_500 }) }),
    ];
    expect(roundRatios(shedding)[0]?.median).toBe(0.5);
  });
});

describe('sumCounts', () => {
  it('adds counts key by key', () => {
    expect(sumCounts([{ 200: 2 }, { 200: 1, 503: 4 }])).toEqual({ 200: 3, 503: 4 });
  });
});
