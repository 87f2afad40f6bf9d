import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/bench/engine/index.js';
import type { BenchReport } from '../../src/bench/index.js';
import { benchReportErrors } from './helpers/bench-schema.js';
import { cliEnv, createProjectFromTarball, makeTempDir, runAsyncsrv } from './helpers/cli.js';
import { freePort, isAlive } from './helpers/processes.js';

let work: Awaited<ReturnType<typeof makeTempDir>>;
let dir: string;
let counted: Server;
let countedUrl: string;
let served = 0;

beforeAll(async () => {
  work = await makeTempDir('cas-bench-');
  dir = await createProjectFromTarball(work.path);
  counted = createServer((request, response) => {
    // bench asks the origin for /metrics first (a server that has none answers 404): not a load request.
    if (request.url !== '/hello') {
      response.statusCode = 404;
      response.end();
      return;
    }
    served++;
    response.statusCode = served % 10 === 0 ? 500 : 200; // every tenth request fails
    response.end('ok');
  });
  await new Promise<void>((resolve) => counted.listen(0, '127.0.0.1', resolve));
  countedUrl = `http://127.0.0.1:${(counted.address() as AddressInfo).port}/hello`;
}, 300_000);

afterAll(async () => {
  counted.close();
  await work.remove();
});

/** Pids of processes whose command line mentions `dir` or whose cwd is `dir`. */
async function processesOf(target: string): Promise<number[]> {
  const { readdir, readlink } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    if (cwd === target && isAlive(Number(entry))) pids.push(Number(entry));
  }
  return pids;
}

describe('asyncsrv bench in a generated project', () => {
  it('runs the scenarios against the production build with a mock upstream, reports them, and leaves nothing running', async () => {
    const jsonFile = join(work.path, 'report.json');
    const result = await runAsyncsrv(
      [
        'bench',
        'json',
        'external',
        'db',
        '--duration',
        '2s',
        '--warmup',
        '500ms',
        '-c',
        '8',
        '--upstream-latency',
        '20ms',
        '--json',
        jsonFile,
      ],
      { cwd: dir, timeout: 120_000 },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/scenario\s+req\/s\s+p50\s+p90\s+p99\s+p99\.9\s+max/);
    for (const name of ['json', 'external', 'db']) expect(result.stdout).toMatch(new RegExp(`^${name}\\s+[\\d,]+\\s`, 'm'));

    const report = JSON.parse(await readFile(jsonFile, 'utf8')) as BenchReport;
    expect(report.schema).toBe('asyncsrv-bench/1');
    expect(benchReportErrors(report)).toEqual([]);
    expect(
      benchReportErrors({
        ...report,
        scenarios: [{ ...report.scenarios[0], result: { ...report.scenarios[0]!.result, errors: { timeout: -1 } } }],
      }).length,
    ).toBeGreaterThan(0);
    expect(report.scenarios.map((s) => s.name)).toEqual(['json', 'external', 'db']);
    for (const scenario of report.scenarios) {
      expect(scenario.result.completed).toBeGreaterThan(0);
      expect(scenario.result.statusCounts['200']).toBe(scenario.result.completed);
      expect(scenario.server?.rssPeakBytes).toBeGreaterThan(10_000_000);
    }
    // The server's own /metrics, scraped while each scenario ran: the figures that explain the client's.
    expect(result.stdout).toMatch(/inside the server\s+loop delay p99\s+DB pool wait p99/);
    for (const scenario of report.scenarios) {
      expect(scenario.serverMetrics?.scrapes).toBeGreaterThanOrEqual(2);
      expect(scenario.serverMetrics?.eventLoopDelayP99Ms).toBeGreaterThanOrEqual(0);
      expect(scenario.serverMetrics?.shed).toBe(0);
      expect(scenario.serverMetrics?.deadline504).toBe(0);
    }
    expect(report.scenarios.find((s) => s.name === 'db')!.serverMetrics?.dbPoolWaitP99Ms).toBeGreaterThanOrEqual(0);
    expect(report.scenarios.find((s) => s.name === 'external')!.serverMetrics?.upstreamPendingMax).toBeGreaterThanOrEqual(0);
    const external = report.scenarios.find((s) => s.name === 'external')!;
    // Keep-alive evidence: the shared client opens about one socket per concurrent request (8), not one per call.
    expect(external.upstream!.requests).toBeGreaterThanOrEqual(external.result.completed);
    expect(external.upstream!.connectionsOpened).toBeLessThanOrEqual(10);
    // Every /external answer waits on the 20 ms upstream: no latency below it.
    expect(LatencyHistogram.fromData(external.result.latency).summary().p50).toBeGreaterThanOrEqual(20_000);
    expect(await processesOf(dir)).toEqual([]);
  }, 180_000);

  it('--find-capacity: a 100 ms upstream behind a pool of 10 sustains about 100 req/s, and the upstream queue is named', async () => {
    // A neighbour's burst on this shared 2-core machine can take the CPU for a whole search: one more search is allowed,
    // and the test keeps the attempt that came closest to Little's bound (noise only ever lowers what is sustained).
    let kept: { result: Awaited<ReturnType<typeof runAsyncsrv>>; report: BenchReport } | undefined;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const jsonFile = join(work.path, `capacity-${attempt}.json`);
      const env = cliEnv({ UPSTREAM_CONNECTIONS: '10' });
      delete env.CI; // the search's progress lines are printed outside CI
      const result = await runAsyncsrv(
        [
          'bench',
          'external',
          '--find-capacity',
          '--upstream-latency',
          '100ms',
          '--max-duration',
          '40s',
          '--warmup',
          '1s',
          '--json',
          jsonFile,
        ],
        { cwd: dir, env, timeout: 180_000 },
      );
      expect(result.exitCode, result.stderr).toBe(0);
      const report = JSON.parse(await readFile(jsonFile, 'utf8')) as BenchReport;
      expect(benchReportErrors(report)).toEqual([]);
      const found = report.scenarios[0]!.capacity!;
      process.stdout.write(
        `bench --find-capacity (external, pool of 10, 100 ms upstream), attempt ${attempt}: found ${found.rate} req/s; steps ${JSON.stringify(found.steps.map((s) => [s.rate, s.passed, s.p99Ms, s.errorShare]))}\n`,
      );
      if (!kept || Math.abs(found.rate - 100) < Math.abs(kept.report.scenarios[0]!.capacity!.rate - 100)) kept = { result, report };
      if (found.rate >= 85 && found.rate <= 115) break;
    }
    const { result, report } = kept!;
    const capacity = report.scenarios[0]!.capacity!;
    const figures = `found ${capacity.rate} req/s`;
    // Little's law: 10 connections / 0.1 s = 100 calls/s.
    expect(capacity.rate, figures).toBeGreaterThanOrEqual(85);
    expect(capacity.rate, figures).toBeLessThanOrEqual(115);
    // The default objective: the request deadline (5 s) / 10.
    expect(capacity.slo).toEqual({ p99Ms: 500, errorShare: 0.001 });
    expect(capacity.bottleneck.resource, capacity.bottleneck.evidence).toBe('upstream-queue');
    const upstream = capacity.recommendations.find((r) => r.setting === 'UPSTREAM_CONNECTIONS');
    expect(upstream).toMatchObject({ current: 10 });
    expect(upstream!.value).toBeGreaterThan(10);
    expect(upstream!.why).toMatch(/the pool of 10 was full/);
    expect(capacity.recommendations.find((r) => r.setting === '--workers')?.value).toBe(1);
    expect(result.stdout).toMatch(/^capacity of external: \d+ req\/s at p99 [\d.]+ ms/m);
    expect(result.stdout).toMatch(
      /^ {2}bottleneck: upstream queue, at \d+ req\/s (all 10 upstream connections were busy and )?up to \d+ upstream calls waited for a connection/m,
    );
    expect(result.stdout).toMatch(/^ {2}UPSTREAM_CONNECTIONS=\d+ \(now 10\): at \d+ req\/s, 1 upstream call\(s\) a request/m);
    expect(result.stderr).toMatch(/^Capacity external: \d+ req\/s holds/m);
    expect(await processesOf(dir)).toEqual([]);
  }, 420_000);

  it('Ctrl-C prints the partial results, exits 130 and leaves no process', async () => {
    let output = '';
    // Progress lines are silent in CI; this test waits for one, so it runs as a user's terminal would.
    const env = cliEnv();
    delete env.CI;
    const child = execa(
      join(dir, 'node_modules', '.bin', 'asyncsrv'),
      ['bench', 'json', '--duration', '60s', '--warmup', '0ms', '-c', '4'],
      { cwd: dir, env, extendEnv: false, reject: false, stdin: 'ignore', all: true, buffer: false },
    );
    child.all?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await expect.poll(() => /Scenario json/.test(output), { timeout: 90_000, interval: 100 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGINT');
    const exit = await child;
    expect(exit.exitCode, output).toBe(130);
    expect(output).toMatch(/^json\*\s+[\d,]+\s/m);
    expect(output).toContain('Interrupted: these are partial results.');
    await expect.poll(() => processesOf(dir), { timeout: 10_000 }).toEqual([]);
  }, 120_000);

  it('benches any URL: the request count equals what the server counted, and statuses are tallied', async () => {
    served = 0;
    const result = await runAsyncsrv(
      ['bench', '--url', countedUrl, '--amount', '500', '--warmup', '0ms', '-c', '5', '--json', join(work.path, 'url.json')],
      { cwd: work.path },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(work.path, 'url.json'), 'utf8')) as BenchReport;
    expect(benchReportErrors(report)).toEqual([]);
    expect(report.scenarios[0]!.result.completed).toBe(500);
    expect(served).toBe(500);
    expect(report.scenarios[0]!.result.statusCounts).toEqual({ 200: 450, 500: 50 });
    expect(result.stdout).toMatch(/^url\s+[\d,]+\s.*\s50\s+/m); // the non-2xx column
  });
});

describe('asyncsrv bench: CI gates, comparison and k6 export (against a URL)', () => {
  it('--fail-on exits 1 after the report when a threshold is crossed; --compare shows deltas; --export-k6 writes a script', async () => {
    const baselineFile = join(work.path, 'baseline.json');
    const first = await runAsyncsrv(
      ['bench', '--url', countedUrl, '--amount', '200', '--warmup', '0ms', '-c', '4', '--json', baselineFile],
      { cwd: work.path },
    );
    expect(first.exitCode, first.stderr).toBe(0);

    const k6File = join(work.path, 'load.js');
    const gated = await runAsyncsrv(
      [
        'bench',
        '--url',
        countedUrl,
        '--amount',
        '200',
        '--warmup',
        '0ms',
        '-c',
        '4',
        '--compare',
        baselineFile,
        '--fail-on',
        'non2xx>1%,p99>10s',
        '--export-k6',
        k6File,
      ],
      { cwd: work.path },
    );
    expect(gated.exitCode).toBe(1);
    expect(gated.stdout).toMatch(/^url\s+[\d,]+\s/m); // the report is printed first
    expect(gated.stdout).toMatch(/compared with the baseline of .*\n.*\nurl\s+req\/s\s+\d+\s+\d+\s+[+-]\d+\.\d%/);
    expect(gated.stderr).toMatch(/Thresholds crossed:\n {2}url: non2xx 10\.00% \(fail on non2xx>1%\)$/m);
    expect(gated.stderr).not.toMatch(/p99>10s/);
    const script = await readFile(k6File, 'utf8');
    expect(script).toContain("import http from 'k6/http';");
    expect(script).toContain("url: { executor: 'shared-iterations', vus: 4, iterations: 200");
    expect(script).toContain('pick([["/hello",1]])');

    const missing = await runAsyncsrv(['bench', '--url', countedUrl, '--compare', join(work.path, 'nope.json')], { cwd: work.path });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read the baseline `.*nope\.json`\./);
  });
});

describe('asyncsrv bench: bad input', () => {
  it.each([
    [['bench', 'jsn'], 2, /Unknown scenario `jsn`\. Valid scenarios: json, db, queries, external, concurrent\./],
    [['bench', '--duration', 'forever'], 2, /Expected `--duration` to be a duration like 100ms, 3s or 1m, got `forever`\./],
    [['bench', '-c', '0'], 2, /Expected `--connections` to be a positive integer, got `0`\./],
    [['bench', '--rate', 'fast'], 2, /Expected `--rate` to be a positive integer, got `fast`\./],
    [['bench', '--upstream-fault', 'error:200@1%'], 2, /error:<4xx\|5xx>@<percent>/],
    [['bench', '--url', 'ftp://x'], 2, /Expected `--url` to be an http:\/\/ URL, got `ftp:\/\/x`\./],
    [['bench', '--duration', '1s', '--amount', '5'], 2, /either `--duration` or `--amount`/],
  ])('%j exits %i with one clear line', async (args, code, message) => {
    const result = await runAsyncsrv(args, { cwd: dir });
    expect(result.exitCode).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a server that fails to start: exit 1 with its stderr, nothing left running', async () => {
    const { writeFile, rm } = await import('node:fs/promises');
    await writeFile(join(dir, '.env'), 'REQUEST_DEADLINE_MS=soon\n');
    try {
      const result = await runAsyncsrv(['bench', 'json', '--duration', '1s'], { cwd: dir, timeout: 120_000 });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/The server did not start: it exited with code 1\n.*REQUEST_DEADLINE_MS/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(await processesOf(dir)).toEqual([]);
    } finally {
      await rm(join(dir, '.env'), { force: true });
    }
  }, 120_000);

  it('a scenario whose route the project does not serve (bench.json): exit 1 naming it, before any load', async () => {
    const { writeFile, rm } = await import('node:fs/promises');
    await writeFile(join(dir, 'bench.json'), JSON.stringify({ scenarios: { json: '/json', gone: '/no-such-route' } }));
    try {
      const result = await runAsyncsrv(['bench', '--duration', '1s'], { cwd: dir, timeout: 120_000 });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/The project has no route for the scenario gone \(GET \/no-such-route\): the server answers 404\./);
      expect(result.stdout).not.toMatch(/Scenario json/); // nothing was loaded
      expect(await processesOf(dir)).toEqual([]);
    } finally {
      await rm(join(dir, 'bench.json'), { force: true });
    }
  }, 120_000);

  it('an unreachable URL: exit 1, says nothing answered', async () => {
    const port = await freePort();
    const result = await runAsyncsrv(['bench', '--url', `http://127.0.0.1:${port}/`, '--amount', '20', '--warmup', '0ms', '-c', '2'], {
      cwd: work.path,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/No request to http:\/\/127\.0\.0\.1:\d+\/ got an answer: \d+ refused\./);
  });

  it('outside a project without --url: exit 1 with how to create one', async () => {
    const result = await runAsyncsrv(['bench'], { cwd: work.path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Not inside a create-async-server project/);
  });
});
