/**
 * `npm run bench:overhead`: what the generated server's wiring costs beside a minimal Hono app on
 * the same @hono/node-server. Scaffolds a real project from this checkout, then loads with wrk, in
 * alternating rounds: the minimal app (fixtures/minimal-hono.mjs, /external through one shared
 * undici Pool), the generated server with LOG_FORMAT=silent, and with the default production
 * access log on a stdout pipe the bench drains; /json at 50 connections and /external at 1000
 * against the mock upstream at 100 ms. Then RSS with 1000 requests waiting on a 2 s upstream, and
 * the CPU per request of each of the generated app's middleware, added one at a time, and /json's
 * instructions per request of each server and rung under callgrind. Prints the tables, writes
 * docs/overhead.md. Targets print PASS/MISS; nothing is asserted.
 * Env: BENCH_OVERHEAD_ROUNDS (default 3), BENCH_OVERHEAD_DURATION (seconds per run, default 5),
 * BENCH_OVERHEAD_INSTRUCTIONS (1 by default; 0 skips the callgrind counts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOverheadConfig } from './overhead/config.js';
import { runInstructionCounts, valgrindVersion } from './overhead/instructions.js';
import { LADDER_LAYERS, rungName, runMiddlewareLadder } from './overhead/middleware-ladder.js';
import { formatTerminalReport, OVERHEAD_MARKERS, renderOverheadMarkdown, renderOverheadSection } from './overhead/render.js';
import { spliceBlock } from './marked-block.js';
import { runMainRounds, type Contenders } from './overhead/rounds.js';
import { startGeneratedServer, startLadderServer, startMinimalHono, type ServerProcess } from './overhead/servers.js';
import { evaluateTargets, roundRatios, summariseRuns } from './overhead/stats.js';
import type { OverheadReport } from './overhead/types.js';
import { measureWaitingRss } from './overhead/waiting-rss.js';
import { ensureWrk } from './overhead/wrk.js';
import { findProject, startEmbeddedDb, startMockUpstream, type EmbeddedDb, type MockUpstream } from './talk/repo-modules.js';
import { scaffoldProject } from './talk/servers.js';
import { abortOnInterrupt } from './interrupt.js';

const root = join(import.meta.dirname, '..');
const config = readOverheadConfig(process.env);
const controller = abortOnInterrupt();

const log = (line: string): void => console.log(line);
const started = performance.now();
const seconds = (): string => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const workDir = mkdtempSync(join(tmpdir(), 'cas-bench-overhead-'));
let db: EmbeddedDb | undefined;
let upstream: MockUpstream | undefined;
const servers: ServerProcess[] = [];
try {
  const wrk = ensureWrk(log);
  const { signal } = controller;
  log(
    `bench:overhead: ${config.rounds} rounds of ${config.durationSeconds} s per scenario, ${wrk}, upstream ${config.upstreamLatencyMs} ms`,
  );
  log('  scaffolding, installing and building a project from this checkout…');
  const projectRoot = await scaffoldProject(root, workDir, signal);
  const project = findProject(projectRoot);
  if (!project.embeddedDbScript)
    throw new Error('The scaffolded project has no embedded DB script; bench:overhead needs the default (PGlite) project.');
  db = await startEmbeddedDb(projectRoot, project.embeddedDbScript, { PATH: process.env.PATH }, signal, 'memory');
  upstream = await startMockUpstream({ latencyMs: config.upstreamLatencyMs, jitterMs: 0, faults: [] });
  log(`  starting the four contenders (${seconds()})…`);
  const minimal = await startMinimalHono(projectRoot, upstream.url, signal);
  servers.push(minimal);
  const silent = await startGeneratedServer(projectRoot, { databaseUrl: db.url, upstreamUrl: upstream.url, accessLog: false }, signal);
  servers.push(silent);
  const logged = await startGeneratedServer(projectRoot, { databaseUrl: db.url, upstreamUrl: upstream.url, accessLog: true }, signal);
  servers.push(logged);
  const noMetrics = await startGeneratedServer(
    projectRoot,
    { databaseUrl: db.url, upstreamUrl: upstream.url, accessLog: false, env: { METRICS: 'off' } },
    signal,
  );
  servers.push(noMetrics);
  const contenders: Contenders = [
    ['minimal', minimal],
    ['generated-silent', silent],
    ['generated-log', logged],
    ['generated-no-metrics', noMetrics],
  ];
  const runs = await runMainRounds(contenders, config, log, signal);
  await Promise.allSettled(servers.splice(0).map((server) => server.stop()));

  log(`  (${seconds()})`);
  const waiting = await measureWaitingRss(projectRoot, db.url, config, log, signal);
  log(`  (${seconds()})`);
  const ladder = await runMiddlewareLadder(projectRoot, config, log, signal);
  log(`  (${seconds()})`);
  const valgrind = config.instructions ? await valgrindVersion() : undefined;
  let instructions: OverheadReport['instructions'] = {
    skipped: config.instructions ? 'valgrind is not installed (apt-get install valgrind)' : 'BENCH_OVERHEAD_INSTRUCTIONS=0',
  };
  if (valgrind) {
    log(`  instructions per /json request under callgrind (${valgrind}), two processes at a time…`);
    const databaseUrl = db.url;
    const upstreamUrl = upstream.url;
    const counts = await runInstructionCounts(
      {
        startMinimal: (launcher) => startMinimalHono(projectRoot, upstreamUrl, signal, launcher),
        startGenerated: (launcher, accessLog, env) =>
          startGeneratedServer(projectRoot, { databaseUrl, upstreamUrl, accessLog, env }, signal, launcher),
        startLadder: (launcher, layers, env) => startLadderServer(projectRoot, layers, rungName(layers), signal, launcher, env),
        ladderRungs: LADDER_LAYERS.length + 1,
      },
      mkdtempSync(join(workDir, 'callgrind-')),
      log,
      signal,
    );
    instructions = { counts, valgrind };
  } else log(`  no instruction counts: ${instructions.skipped}`);

  const summaries = summariseRuns(runs);
  const ratios = roundRatios(runs);
  const metricsRatios = roundRatios(runs, 'generated-no-metrics');
  const report: OverheadReport = {
    machine: {
      cpus: availableParallelism(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      wrk,
    },
    config,
    runs,
    summaries,
    ratios,
    metricsRatios,
    waiting,
    ladder,
    instructions,
    targets: evaluateTargets(summaries, ratios, waiting, metricsRatios),
    elapsedSeconds: (performance.now() - started) / 1000,
  };
  log('');
  log(formatTerminalReport(report));
  writeFileSync(join(root, 'docs', 'overhead.md'), renderOverheadMarkdown(report));
  const benchmarksPath = join(root, 'docs', 'benchmarks.md');
  const benchmarks = existsSync(benchmarksPath) ? readFileSync(benchmarksPath, 'utf8') : '# Benchmarks\n';
  writeFileSync(benchmarksPath, spliceBlock(benchmarks, OVERHEAD_MARKERS, renderOverheadSection(report)));
  log(`\nwrote docs/overhead.md in ${seconds()}`);
} catch (error) {
  console.error(controller.signal.aborted ? 'bench:overhead interrupted.' : error instanceof Error ? error.message : error);
  process.exitCode = controller.signal.aborted ? 130 : 1;
} finally {
  await Promise.allSettled(servers.map((server) => server.stop()));
  await upstream?.close().catch(() => undefined);
  await db?.stop().catch(() => undefined);
  rmSync(workDir, { recursive: true, force: true });
}
