/**
 * `npm run bench:talk`: the talk's table reproduced on this machine. Scaffolds a real project from
 * this checkout, then measures beside one mock upstream at 100 ms: a one-request-at-a-time sync
 * server, the generated server (/external against Little's law, /db, /concurrent, /json beside a
 * minimal Hono app), naive variants patched into copies at bench time, the 50 ms -> 3 s failure
 * with and without the deadline, and RSS with 1000 requests waiting; then the overload section
 * (goodput of the generated server and of a copy without its admission line, offered 0.5x to 3x
 * capacity). Prints the tables, writes docs/benchmarks.md, docs/benchmarks.svg and
 * docs/benchmarks-overload.svg. Targets print PASS/MISS; nothing is asserted.
 * Env: BENCH_TALK_DURATION, BENCH_TALK_WARMUP (seconds), BENCH_TALK_CONNECTIONS, BENCH_TALK_HIGH_CONNECTIONS,
 * BENCH_TALK_ONLY (`table` or `overload`: run one section; `overload` rewrites only its part of docs/benchmarks.md).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTalkLoad, readTalkSections } from './talk/config.js';
import { runOverloadSection } from './talk/overload-rows.js';
import {
  barsOf,
  extractOverloadBlock,
  formatOverloadTable,
  formatTable,
  goodputSeriesOf,
  renderMarkdown,
  renderOverloadMarkdown,
  spliceOverloadBlock,
} from './talk/render-report.js';
import { renderBarChart, renderGoodputChart } from './talk/render-svg.js';
import { findProject, startEmbeddedDb, startMockUpstream, type EmbeddedDb, type MockUpstream } from './talk/repo-modules.js';
import { runTalkRows } from './talk/run-rows.js';
import { scaffoldProject } from './talk/servers.js';
import { evaluateTargets } from './talk/targets.js';
import type { OverloadSection, TalkReport } from './talk/types.js';
import { extractBlock, spliceBlock } from './marked-block.js';
import { OVERHEAD_MARKERS } from './overhead/render.js';

/** The capacity section of docs/benchmarks.md: measured with `asyncsrv bench --find-capacity`, not by this bench. */
const CAPACITY_MARKERS = {
  start:
    '<!-- capacity section: written by hand from the commands below (`asyncsrv bench --find-capacity`); bench:talk does not measure it -->',
  end: '<!-- end of the capacity section -->',
};
import { abortOnInterrupt } from './interrupt.js';

const root = join(import.meta.dirname, '..');
const load = readTalkLoad(process.env);
const sections = readTalkSections(process.env);
const markdownPath = join(root, 'docs', 'benchmarks.md');
const controller = abortOnInterrupt();

const workDir = mkdtempSync(join(tmpdir(), 'cas-bench-talk-'));
const log = (line: string): void => console.log(line);
let db: EmbeddedDb | undefined;
let upstream: MockUpstream | undefined;
const started = performance.now();
try {
  log(
    `bench:talk: ${[...sections].join(' and ')}, ${load.durationMs / 1000} s per row, ${load.connections} connections (${load.highConnections} for Little's law and memory), upstream ${load.upstreamLatencyMs} ms`,
  );
  log('  scaffolding and installing a project from this checkout…');
  const projectRoot = await scaffoldProject(root, workDir, controller.signal);
  const project = findProject(projectRoot);
  // The naive per-query variant opens one connection per request in flight; the embedded DB must admit them.
  const dbEnv = { PATH: process.env.PATH, DB_POOL_MAX: String(load.connections + 50) };
  db = await startEmbeddedDb(projectRoot, project.embeddedDbScript!, dbEnv, controller.signal, 'memory');
  upstream = await startMockUpstream({ latencyMs: load.upstreamLatencyMs, jitterMs: 0, faults: [] });
  const ctx = { projectRoot, workDir, databaseUrl: db.url, upstream, load, signal: controller.signal, log };
  const machine = {
    cpus: availableParallelism(),
    node: process.version,
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    platform: `${process.platform} ${process.arch}`,
  };
  const rows = sections.has('table') ? await runTalkRows(ctx) : [];
  const measured = `${machine.cpus} CPUs (\`nproc\`), Node ${machine.node}, ${machine.platform}, ${machine.date}`;
  const overload: OverloadSection | undefined = sections.has('overload') ? await runOverloadSection(ctx, measured) : undefined;
  if (controller.signal.aborted) throw new Error('Interrupted before the table was complete; docs/ left as they were.');
  const written: string[] = [];
  if (sections.has('table')) {
    const report: TalkReport = {
      machine,
      load,
      rows,
      targets: evaluateTargets(rows, load),
      notes: [
        `the generated server runs with its defaults and LOG_FORMAT=silent; rows marked \`pool ${load.highConnections}\` (and the memory row) raise UPSTREAM_CONNECTIONS to ${load.highConnections}, as Little's bound at ${load.highConnections} connections needs ${load.highConnections} upstream calls in flight`,
        'the load generator, the mock upstream and the sync server share this process; each server under test is its own process (the embedded PGlite database another)',
      ],
      ...(overload ? { overload } : {}),
    };
    log('');
    log(formatTable(report));
    let markdown = renderMarkdown(report);
    // A table-only run keeps the overload section the file already has.
    const kept = overload || !existsSync(markdownPath) ? undefined : extractOverloadBlock(readFileSync(markdownPath, 'utf8'));
    if (kept) markdown = spliceOverloadBlock(markdown, kept);
    // bench:overhead's section and the capacity section (written from `asyncsrv bench --find-capacity` runs) stay.
    const existing = existsSync(markdownPath) ? readFileSync(markdownPath, 'utf8') : '';
    for (const markers of [OVERHEAD_MARKERS, CAPACITY_MARKERS]) {
      const block = extractBlock(existing, markers);
      if (block) markdown = spliceBlock(markdown, markers, block);
    }
    writeFileSync(markdownPath, markdown);
    writeFileSync(
      join(root, 'docs', 'benchmarks.svg'),
      renderBarChart(
        `Requests/s, upstream ${load.upstreamLatencyMs} ms (${report.machine.cpus} CPUs, Node ${process.version})`,
        barsOf(rows),
      ),
    );
    written.push('docs/benchmarks.md', 'docs/benchmarks.svg');
  } else if (overload) {
    const existing = existsSync(markdownPath) ? readFileSync(markdownPath, 'utf8') : "# Benchmarks: the talk's table on this machine\n";
    writeFileSync(markdownPath, spliceOverloadBlock(existing, renderOverloadMarkdown(overload)));
    written.push('docs/benchmarks.md (its overload section)');
  }
  if (overload) {
    log('');
    log(formatOverloadTable(overload));
    writeFileSync(
      join(root, 'docs', 'benchmarks-overload.svg'),
      renderGoodputChart(
        `Goodput vs offered load, /external, capacity ${overload.capacity} req/s (${machine.cpus} CPUs, Node ${process.version})`,
        overload.capacity,
        goodputSeriesOf(overload),
      ),
    );
    written.push('docs/benchmarks-overload.svg');
  }
  log(`\nwrote ${written.join(', ')} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
  console.error(controller.signal.aborted ? 'bench:talk interrupted.' : error);
  process.exitCode = controller.signal.aborted ? 130 : 1;
} finally {
  await upstream?.close().catch(() => undefined);
  await db?.stop().catch(() => undefined);
  rmSync(workDir, { recursive: true, force: true });
}
