import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildProject, findProject, loadEnvFile, startEmbeddedDb, type EmbeddedDb } from '../project/index.js';
import { CancelledError, UserError } from '../util/errors.js';
import { createLogger } from '../util/logger.js';
import { startProgress } from '../util/progress.js';
import { findCapacity } from './capacity/run-capacity.js';
import type { CurrentSettings } from './capacity/recommend.js';
import { runLoad, type LoadOptions, type LoadProgress, type LoadRequest, type LoadResult } from './engine/index.js';
import { measureLoad, scenarioReport, type Probes } from './measure-load.js';
import type { CapacityOptions } from './capacity/types.js';
import type { UpstreamFault } from './parse-flags.js';
import { formatComparison } from './report/compare.js';
import { exportK6Script } from './report/export-k6.js';
import { scrapeMetrics } from './server-metrics/index.js';
import { readChartLibrary, renderHtmlReport } from './report/html-report.js';
import { formatBenchReport, type BenchReport } from './report/format-report.js';
import { formatCapacity } from './report/format-capacity.js';
import { renderMarkdownReport } from './report/markdown-report.js';
import { crossedThresholds, type Threshold } from './report/thresholds.js';
import { DEFAULT_SCENARIOS, parseBenchConfig, selectScenarios, type Scenario } from './scenarios.js';
import { startTarget, type Target } from './target/start-target.js';
import { startMockUpstream, type MockUpstream } from './upstream/mock-upstream.js';

export interface BenchOptions {
  cwd: string;
  scenarios: string[];
  /** Bench this running server instead of the project's. */
  url: string | undefined;
  connections: number;
  durationMs: number | undefined;
  amount: number | undefined;
  rate: number | undefined;
  pipelining: number;
  workers: number;
  warmupMs: number;
  upstream: { latencyMs: number; jitterMs: number; faults: UpstreamFault[]; spec: string };
  jsonFile: string | undefined;
  /** A previous `--json` report to compare with. */
  baseline: BenchReport | undefined;
  /** `--fail-on` conditions: crossing one fails the run (exit 1) after the report. */
  thresholds: Threshold[];
  /** Write a k6 script of the same scenarios and load model here. */
  k6File: string | undefined;
  /** Write a self-contained HTML page with the charts here. */
  htmlFile: string | undefined;
  /** Write a Markdown summary (a pull-request comment) here. */
  markdownFile: string | undefined;
  /** `--find-capacity`: search each scenario's highest sustainable rate instead of one run. */
  capacity: CapacityFlags | undefined;
}

/** `--find-capacity` and its flags; the p99 objective defaults to the target's request deadline / 10. */
export interface CapacityFlags {
  sloP99Ms: number | undefined;
  sloErrorShare: number;
  stepMs: number;
  maxDurationMs: number;
}

/**
 * `asyncsrv bench`: start the project's server (production build) beside a mock upstream and its
 * database, warm up, load each scenario, sample the server, stop everything, print the report.
 * Returns the report; a Ctrl-C prints the partial report and then ends with CancelledError.
 */
export async function runBench(options: BenchOptions, signal: AbortSignal): Promise<BenchReport> {
  const started = new Date().toISOString();
  const stack: Array<() => Promise<void>> = [];
  try {
    const { targetUrl, pid, upstream, scenarios, env } = options.url
      ? { targetUrl: options.url, pid: undefined, upstream: undefined, scenarios: [urlScenario(options.url)], env: {} }
      : await startProjectTarget(options, signal, stack);
    const report: BenchReport = {
      schema: 'asyncsrv-bench/1',
      startedAt: started,
      target: targetUrl,
      load: {
        connections: options.connections,
        pipelining: options.pipelining,
        workers: options.workers,
        warmupMs: options.warmupMs,
        ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
        ...(options.amount !== undefined ? { amount: options.amount } : {}),
        ...(options.rate !== undefined ? { rate: options.rate } : {}),
      },
      ...(upstream
        ? { upstream: { latencyMs: options.upstream.latencyMs, jitterMs: options.upstream.jitterMs, faults: options.upstream.spec } }
        : {}),
      partial: false,
      scenarios: [],
    };
    const origin = new URL(targetUrl).origin;
    if (options.warmupMs > 0 && !signal.aborted) {
      const warm = startProgress(`Warming up for ${options.warmupMs / 1000} s…`);
      await runLoad(loadOptions(options, toRequests(origin, scenarios[0]!), { duration: options.warmupMs, amount: undefined }), signal);
      warm.succeed('Warmed up.');
    }
    // The server's own view, when it exposes Prometheus metrics (a generated project does, at /metrics).
    const metricsUrl = `${origin}/metrics`;
    const hasMetrics = (await scrapeMetrics(metricsUrl)) !== undefined;
    const probes: Probes = { pid, metricsUrl: hasMetrics ? metricsUrl : undefined, upstream };
    if (options.capacity) {
      const capacity = capacityOptions(options.capacity, env);
      const started = Date.now();
      for (const [i, scenario] of scenarios.entries()) {
        if (signal.aborted) break;
        // Each scenario gets an equal share of what is left of --max-duration.
        const budgetMs = (capacity.maxDurationMs - (Date.now() - started)) / (scenarios.length - i);
        // eslint-disable-next-line no-await-in-loop -- scenarios are searched one after another: each is measured alone
        const found = await findCapacity(
          {
            name: scenario.name,
            requests: toRequests(origin, scenario),
            load: options,
            options: capacity,
            budgetMs,
            probes,
            current: options.url ? {} : currentSettings(env),
          },
          signal,
        );
        report.scenarios.push({ ...scenarioReport(scenario, found.run), capacity: found.capacity });
      }
    }
    for (const scenario of options.capacity ? [] : scenarios) {
      if (signal.aborted) break;
      const progress = startProgress(`Scenario ${scenario.name}…`);
      const planned = options.amount !== undefined ? `${options.amount} requests` : `${(options.durationMs ?? 0) / 1000} s`;
      const onProgress = (p: LoadProgress): void =>
        progress.update(
          `Scenario ${scenario.name}: ${(p.elapsedMs / 1000).toFixed(0)} s of ${planned}, ${p.completed} responses, ${p.errors} errors`,
        );
      // eslint-disable-next-line no-await-in-loop -- scenarios run one after another: each is measured alone
      const measured = await measureLoad({ ...loadOptions(options, toRequests(origin, scenario)), onProgress }, probes, signal);
      report.scenarios.push(scenarioReport(scenario, measured));
      progress.succeed(`Scenario ${scenario.name}: ${Math.round(measured.result.requestsPerSecond)} req/s.`);
    }
    report.partial = signal.aborted;
    if (report.scenarios.length === 0 && signal.aborted) throw new CancelledError('Cancelled before any scenario ran.');
    if (report.scenarios.every((s) => s.result.completed === 0)) {
      throw new UserError(
        `No request to ${targetUrl} got an answer: ${describeErrors(report.scenarios[0]?.result)}.`,
        'Is the server running and reachable at that address?',
      );
    }
    const logger = createLogger();
    logger.info(formatBenchReport(report));
    if (report.scenarios.some((scenario) => scenario.capacity)) logger.info(formatCapacity(report));
    if (options.baseline) logger.info(formatComparison(options.baseline, report));
    if (options.jsonFile) await writeReportFile(options.jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    if (options.htmlFile) await writeReportFile(options.htmlFile, renderHtmlReport(report, options.baseline, await readChartLibrary()));
    if (options.markdownFile) await writeReportFile(options.markdownFile, renderMarkdownReport(report, options.baseline));
    if (options.k6File)
      await writeReportFile(
        options.k6File,
        exportK6Script(scenarios, options, options.url ? new URL(targetUrl).origin : 'http://127.0.0.1:3000'),
      );
    if (report.partial) throw new CancelledError('Interrupted: the results above are partial.');
    const crossed = crossedThresholds(report.scenarios, options.thresholds);
    if (crossed.length > 0) throw new UserError(`Thresholds crossed:\n  ${crossed.join('\n  ')}`);
    return report;
  } finally {
    // eslint-disable-next-line no-await-in-loop -- stops in reverse order of starting (the server before the database it uses)
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
  }
}

/** Writes one output file; a full disk, a missing folder or a permission is the user's to fix, said in one line. */
async function writeReportFile(path: string, content: string): Promise<void> {
  const reasons: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    ENOENT: 'its folder does not exist',
    EACCES: 'permission denied',
    EROFS: 'the file system is read-only',
    EISDIR: 'it is a directory',
  };
  await writeFile(path, content).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(
      `Cannot write \`${path}\`: ${reasons[error.code ?? ''] ?? error.message}.`,
      'The report is printed above; choose another path to keep it as a file.',
    );
  });
}

async function startProjectTarget(
  options: BenchOptions,
  signal: AbortSignal,
  stack: Array<() => Promise<void>>,
): Promise<{ targetUrl: string; pid: number | undefined; upstream: MockUpstream; scenarios: Scenario[]; env: NodeJS.ProcessEnv }> {
  const project = findProject(options.cwd);
  const scenarios = selectScenarios(options.scenarios, await projectScenarios(project.root));
  const logger = createLogger();
  const env = { ...loadEnvFile(join(project.root, '.env'), logger.warn), ...process.env };
  const building = startProgress('Building the project…');
  await buildProject(project, signal).catch((error: unknown) => {
    building.fail('Build failed.');
    throw error;
  });
  building.succeed('Built.');
  const upstream = await startMockUpstream({
    latencyMs: options.upstream.latencyMs,
    jitterMs: options.upstream.jitterMs,
    faults: options.upstream.faults,
  });
  stack.push(() => upstream.close());
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    if (!project.embeddedDbScript)
      throw new UserError(
        'DATABASE_URL is not set and this project has no embedded database.',
        'Set DATABASE_URL (in .env or the environment) to a PostgreSQL to bench against.',
      );
    const starting = startProgress('Starting the embedded database…');
    const db: EmbeddedDb = await startEmbeddedDb(project.root, project.embeddedDbScript, env, signal, 'memory');
    stack.push(() => db.stop());
    starting.succeed('Embedded database ready.');
    databaseUrl = db.url;
  }
  const booting = startProgress('Starting the server…');
  const target: Target = await startTarget(project, { env, databaseUrl, upstreamUrl: upstream.url }, signal).catch((error: unknown) => {
    booting.fail(signal.aborted ? 'Cancelled.' : 'Server failed.');
    throw error;
  });
  stack.push(() => target.stop());
  booting.succeed(`Server ready at ${target.url}.`);
  await assertRoutesExist(target.url, scenarios, signal);
  return { targetUrl: target.url, pid: target.pid, upstream, scenarios, env };
}

/** A scenario whose path the project does not serve would measure 404s: say so before loading anything. */
async function assertRoutesExist(origin: string, scenarios: readonly Scenario[], signal: AbortSignal): Promise<void> {
  const missing: string[] = [];
  for (const scenario of scenarios) {
    for (const { path } of scenario.requests) {
      // eslint-disable-next-line no-await-in-loop -- one request at a time: a check, not load
      const status = await fetch(new URL(path, origin), { signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) }).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status;
        },
        () => 0,
      );
      if (status === 404) missing.push(`${scenario.name} (GET ${path})`);
    }
  }
  if (missing.length > 0) {
    throw new UserError(
      `The project has no route for the scenario${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: the server answers 404.`,
      'Name the scenarios your project serves (asyncsrv bench <name>), list your routes in bench.json ({ "scenarios": { "items": "/items/1" } }), or use --url.',
    );
  }
}

/** The project's own `bench.json` scenarios when it has one, else the defaults. */
async function projectScenarios(root: string): Promise<readonly Scenario[]> {
  const file = join(root, 'bench.json');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? DEFAULT_SCENARIOS : parseBenchConfig(text, 'bench.json');
}

/** The generated project's request deadline (REQUEST_DEADLINE_MS) when no SLO is given; its default, 5 s, with --url. */
const DEFAULT_DEADLINE_MS = 5_000;

function capacityOptions(flags: CapacityFlags, env: NodeJS.ProcessEnv): CapacityOptions {
  const deadline = Number(env.REQUEST_DEADLINE_MS);
  const deadlineMs = Number.isInteger(deadline) && deadline > 0 ? deadline : DEFAULT_DEADLINE_MS;
  return {
    sloP99Ms: flags.sloP99Ms ?? deadlineMs / 10,
    sloErrorShare: flags.sloErrorShare,
    stepMs: flags.stepMs,
    maxDurationMs: flags.maxDurationMs,
    resolution: 0.05,
  };
}

/** The pool sizes the project's server runs with: its env, else the generated project's defaults (config.ts). */
function currentSettings(env: NodeJS.ProcessEnv): CurrentSettings {
  const read = (name: string, fallback: number): number => {
    const value = Number(env[name]);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return { dbPoolMax: read('DB_POOL_MAX', 10), upstreamConnections: read('UPSTREAM_CONNECTIONS', 100) };
}

function urlScenario(url: string): Scenario {
  const parsed = new URL(url);
  return { name: 'url', requests: [{ path: `${parsed.pathname}${parsed.search}`, weight: 1 }], about: url };
}

function toRequests(origin: string, scenario: Scenario): LoadRequest[] {
  return scenario.requests.map(({ path, weight }) => ({ url: `${origin}${path}`, weight }));
}

function loadOptions(
  options: BenchOptions,
  target: LoadRequest[],
  length?: { duration: number | undefined; amount: number | undefined },
): LoadOptions {
  const duration = length ? length.duration : options.durationMs;
  const amount = length ? length.amount : options.amount;
  return {
    target,
    connections: options.connections,
    pipelining: options.pipelining,
    workers: length ? 1 : options.workers,
    ...(duration !== undefined ? { duration } : {}),
    ...(amount !== undefined ? { amount } : {}),
    ...(options.rate !== undefined && !length ? { rate: options.rate } : {}),
  };
}

function describeErrors(result: LoadResult | undefined): string {
  if (!result) return 'no result';
  const kinds = Object.entries(result.errors)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  return kinds.length > 0 ? kinds.join(', ') : 'no response';
}
