import { Command } from 'commander';
import type { BenchOptions, CapacityFlags } from '../bench/index.js';
import { UsageError } from '../util/errors.js';
import { httpUrl, parseDuration, positiveInteger } from '../util/flags.js';
import { withInterruptSignal } from '../util/signals.js';

export interface RawBenchFlags {
  connections: string;
  duration?: string;
  amount?: string;
  rate?: string;
  pipelining: string;
  workers: string;
  warmup: string;
  upstreamLatency: string;
  upstreamJitter: string;
  upstreamFault?: string;
  url?: string;
  json?: string;
  compare?: string;
  failOn?: string;
  exportK6?: string;
  html?: string;
  markdown?: string;
  findCapacity?: boolean;
  sloP99?: string;
  sloErrors?: string;
  maxDuration: string;
  step: string;
}

/** `asyncsrv bench [scenario...]`: load-test the project's scenarios, or any URL. */
export function makeBenchCommand(): Command {
  return new Command('bench')
    .description(
      "Load-test the project's scenarios (json, db, queries, external, concurrent) against its production build, or any running server with --url.",
    )
    .argument('[scenario...]', 'scenarios to run (default: all)')
    .option('-c, --connections <n>', 'keep-alive connections (closed model: each loops)', '50')
    .option('-d, --duration <time>', 'length of each scenario, e.g. 10s (default 10s unless --amount)')
    .option('-a, --amount <n>', 'requests per scenario instead of a duration')
    .option('-r, --rate <n>', 'open model: requests/s on a fixed schedule, latency corrected for coordinated omission')
    .option('-p, --pipelining <n>', 'requests in flight per connection', '1')
    .option('-w, --workers <n>', 'worker threads generating load', '1')
    .option('--warmup <time>', 'warm-up before the first scenario, not counted', '2s')
    .option('--upstream-latency <time>', "mock upstream's latency (the talk's external resource)", '100ms')
    .option('--upstream-jitter <time>', "mock upstream's latency varies by up to ± this", '0ms')
    .option('--upstream-fault <spec>', 'faults on a share of upstream calls, e.g. slow:3s@5%,error:500@1%,reset@1%')
    .option('--url <url>', 'bench this running server (any http:// URL) instead of the project')
    .option('--json <file>', 'also write the report as JSON (schema asyncsrv-bench/1)')
    .option('--find-capacity', "search each scenario's highest sustainable rate (open model, coarse then fine) until the SLO breaks")
    .option('--slo-p99 <time>', 'with --find-capacity: the p99 a step must meet (default: the request deadline / 10, 500ms)')
    .option('--slo-errors <percent>', 'with --find-capacity: the share of failed or 4xx/5xx answers a step may have', '0.1%')
    .option('--max-duration <time>', 'with --find-capacity: the whole search, every scenario, stays within this', '2m')
    .option('--step <time>', 'with --find-capacity: the length of one step of the search', '3s')
    .option(
      '--html <file>',
      'also write a self-contained HTML page of charts: latency p50/p99 and requests/errors per second, server RSS/CPU/loop delay/pool wait, the percentile curve (baseline overlaid with --compare)',
    )
    .option('--markdown <file>', 'also write a compact Markdown table for a pull-request comment (deltas with --compare)')
    .option('--compare <baseline.json>', 'compare with a report written earlier by --json (deltas, regressions in red)')
    .option('--fail-on <conditions>', 'exit 1 when a condition holds for a scenario, e.g. "p99>200ms,errors>0.1%,rps<1000"')
    .option('--export-k6 <file>', 'write a k6 script of the same scenarios and load model')
    .addHelpText(
      'after',
      `
Without --url it builds the project, starts node dist/server.js in production mode on a free
127.0.0.1 port with the embedded database (or DATABASE_URL) and a mock upstream, waits for
/readyz, warms up, runs each scenario, samples the server's RSS and CPU and the upstream's TCP
connections, stops everything and prints the results. When the target answers /metrics
(Prometheus text; with --url, its origin), a second table shows what the server went through:
event-loop delay, DB pool wait, upstream pending, 503/504/502 counts. Ctrl-C prints the partial
results.

--find-capacity ramps the open-model rate for each scenario: a closed-loop probe, then steps of
--step (3 s) from 60 % of the probe's rate up by 25 % until one breaks the SLO (p99 from each
request's intended send time above --slo-p99, failed or 4xx/5xx answers above --slo-errors, or a
latency that keeps growing), then halves the gap until it is within 5 %. It reports the highest
sustainable rate with its p99, the resource that saturated first (CPU, event loop, DB pool wait,
upstream queue, from the server's process and /metrics), and DB_POOL_MAX, UPSTREAM_CONNECTIONS and
--workers from the measured service times (Little's law), with the reasoning.

Examples:
  asyncsrv bench external db --find-capacity --json capacity.json --html capacity.html
  asyncsrv bench --json base.json && asyncsrv bench --compare base.json --markdown comment.md`,
    )
    .action(async (scenarios: string[], raw: RawBenchFlags) => {
      const options = await parseBenchOptions(scenarios, raw, process.cwd());
      const { runBench } = await import('../bench/index.js');
      await withInterruptSignal((signal) => runBench(options, signal));
    });
}

/** Flags into BenchOptions, checked in the order the user reads them; reads the `--compare` baseline. */
export async function parseBenchOptions(scenarios: string[], raw: RawBenchFlags, cwd: string): Promise<BenchOptions> {
  // The bench's own notations (faults, thresholds) and its baseline reader load with the bench.
  const { parseFaultSpec, parsePercent, parseThresholds, readBaseline } = await import('../bench/index.js');
  const thresholds = raw.failOn === undefined ? [] : parseThresholds(raw.failOn);
  const baseline = raw.compare === undefined ? undefined : await readBaseline(raw.compare);
  const amount = raw.amount === undefined ? undefined : positiveInteger(raw.amount, '--amount');
  if (amount !== undefined && raw.duration !== undefined) throw new UsageError('Give either `--duration` or `--amount`, not both.');
  const capacity = parseCapacityFlags(raw, parsePercent);
  if (capacity && (raw.rate !== undefined || amount !== undefined || raw.duration !== undefined))
    throw new UsageError(
      '`--find-capacity` chooses the rates and lengths itself: leave out `--rate`, `--amount` and `--duration` (see `--step`).',
    );
  const durationMs = capacity ? capacity.stepMs : amount === undefined ? parseDuration(raw.duration ?? '10s', '--duration') : undefined;
  if (durationMs !== undefined && durationMs < 100)
    throw new UsageError(`Expected \`--duration\` to be at least 100ms, got \`${raw.duration}\`.`);
  const url = raw.url === undefined ? undefined : httpUrl(raw.url, '--url');
  if (url && scenarios.length > 0) throw new UsageError('Scenarios and `--url` exclude each other: --url benches that one URL.');
  return {
    cwd,
    scenarios,
    url,
    connections: positiveInteger(raw.connections, '--connections'),
    durationMs,
    amount,
    rate: raw.rate === undefined ? undefined : positiveInteger(raw.rate, '--rate'),
    pipelining: positiveInteger(raw.pipelining, '--pipelining'),
    workers: positiveInteger(raw.workers, '--workers'),
    warmupMs: parseDuration(raw.warmup, '--warmup'),
    upstream: {
      latencyMs: parseDuration(raw.upstreamLatency, '--upstream-latency'),
      jitterMs: parseDuration(raw.upstreamJitter, '--upstream-jitter'),
      faults: raw.upstreamFault ? parseFaultSpec(raw.upstreamFault) : [],
      spec: raw.upstreamFault ?? '',
    },
    jsonFile: raw.json,
    baseline,
    thresholds,
    k6File: raw.exportK6,
    htmlFile: raw.html,
    markdownFile: raw.markdown,
    capacity,
  };
}

/** `--find-capacity` and its flags; those flags without it are a usage error (they would do nothing). */
function parseCapacityFlags(raw: RawBenchFlags, parsePercent: (raw: string, flag: string) => number): CapacityFlags | undefined {
  if (!raw.findCapacity) {
    const stray = raw.sloP99 !== undefined ? '--slo-p99' : undefined;
    if (stray) throw new UsageError(`\`${stray}\` only applies with \`--find-capacity\`.`);
    return undefined;
  }
  const stepMs = parseDuration(raw.step, '--step');
  if (stepMs < 1_000) throw new UsageError(`Expected \`--step\` to be at least 1s, got \`${raw.step}\`.`);
  const maxDurationMs = parseDuration(raw.maxDuration, '--max-duration');
  if (maxDurationMs < stepMs * 3)
    throw new UsageError(`Expected \`--max-duration\` to hold at least three steps (${(stepMs * 3) / 1000}s), got \`${raw.maxDuration}\`.`);
  const sloP99Ms = raw.sloP99 === undefined ? undefined : parseDuration(raw.sloP99, '--slo-p99');
  if (sloP99Ms !== undefined && sloP99Ms <= 0) throw new UsageError(`Expected \`--slo-p99\` to be above 0, got \`${raw.sloP99}\`.`);
  return { sloP99Ms, sloErrorShare: parsePercent(raw.sloErrors ?? '0.1%', '--slo-errors'), stepMs, maxDurationMs };
}
