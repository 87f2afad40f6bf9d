import { ladderDeltas, LAYER_NOTES } from './middleware-ladder.js';
import { INSTRUCTION_LOAD } from './instructions.js';
import { findRatio, findSummary, median } from './stats.js';
import type { ContenderId, ContenderSummary, OverheadReport, ScenarioId } from './types.js';

export const CONTENDER_LABELS: Readonly<Record<ContenderId, string>> = {
  minimal: 'minimal Hono',
  'generated-silent': 'generated, LOG_FORMAT=silent',
  'generated-log': 'generated, access log to a pipe',
  'generated-no-metrics': 'generated, silent, METRICS=off',
};
const SCENARIO_LABELS: Readonly<Record<ScenarioId, string>> = { json: '/json c=50', external: '/external c=1000' };

type Table = { head: string[]; rows: string[][] };

const int = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value) ? '–' : Math.round(value).toLocaleString('en-US');
const fixed = (value: number | undefined, digits = 1): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
const ratio = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}x`);

/** Columns padded to their widest cell; the first left-aligned, the rest right-aligned. */
export function formatText({ head, rows }: Table): string {
  const widths = head.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatMarkdown({ head, rows }: Table): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function errorsCell(summary: ContenderSummary): string {
  if (summary.errors === 0) return '0';
  return `${summary.errors} (${summary.timeouts} timeouts, ${summary.non2xx} non-2xx)`;
}

/** "200: 41,003, 503: 488" from the access log; "–" when the server logged nothing. */
export function statusesCell(statuses: Record<string, number>): string {
  const entries = Object.entries(statuses).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '–' : entries.map(([status, count]) => `${status}: ${int(count)}`).join(', ');
}

/** Per contender and scenario: medians over the rounds, every round's req/s, and the median of per-round ratios. */
export function contenderTable(report: OverheadReport): Table {
  return {
    head: [
      'scenario / server',
      '2xx/s (median)',
      'each round',
      'vs minimal',
      'p99 ms',
      'errors (all rounds)',
      'RSS peak MB',
      'server µs/req',
      'log B/req',
      'log lag s',
      'logged statuses',
    ],
    rows: report.summaries.map((s) => [
      `${SCENARIO_LABELS[s.scenario]}, ${CONTENDER_LABELS[s.contender]}`,
      int(s.requestsPerSecond),
      s.allRequestsPerSecond.map((value) => int(value)).join(' / '),
      s.contender === 'minimal' ? '1' : ratio(findRatio(report.ratios, s.scenario, s.contender)?.median),
      fixed(s.p99Ms),
      errorsCell(s),
      int(s.rssPeakMb),
      fixed(s.cpuUsPerRequest),
      s.logBytesPerRequest === undefined ? '–' : int(s.logBytesPerRequest),
      fixed(s.logLagSeconds),
      statusesCell(s.loggedStatuses),
    ]),
  };
}

/** The issue's table, measured again: generated against minimal, median of per-round ratios. */
export function issueTable(report: OverheadReport): Table {
  const summary = (scenario: ScenarioId, contender: ContenderId): ContenderSummary | undefined =>
    findSummary(report.summaries, scenario, contender);
  const rpsRow = (what: string, scenario: ScenarioId, contender: ContenderId): string[] => {
    const generated = summary(scenario, contender);
    const minimal = summary(scenario, 'minimal');
    const withErrors = (s: ContenderSummary | undefined): string => (s ? `${int(s.requestsPerSecond)} 2xx/s, ${s.errors} errors` : '–');
    return [what, withErrors(generated), withErrors(minimal), ratio(findRatio(report.ratios, scenario, contender)?.median)];
  };
  const externalGenerated = summary('external', 'generated-silent');
  const externalMinimal = summary('external', 'minimal');
  const { waiting } = report;
  return {
    head: ['what', 'generated', 'minimal', 'ratio'],
    rows: [
      rpsRow('/json, c=50, default production access log to a pipe', 'json', 'generated-log'),
      rpsRow('/json, c=50, LOG_FORMAT=silent', 'json', 'generated-silent'),
      rpsRow('/external, c=1000, 100 ms upstream, UPSTREAM_CONNECTIONS=1000, silent', 'external', 'generated-silent'),
      rpsRow('/external, same, default production access log to a pipe', 'external', 'generated-log'),
      [
        'RSS during that /external run (silent)',
        `${int(externalGenerated?.rssPeakMb)} MB`,
        `${int(externalMinimal?.rssPeakMb)} MB`,
        ratio(
          externalGenerated?.rssPeakMb !== undefined && externalMinimal?.rssPeakMb
            ? externalGenerated.rssPeakMb / externalMinimal.rssPeakMb
            : undefined,
        ),
      ],
      [
        `RSS with ${waiting.waiting} requests waiting on a ${waiting.upstreamLatencyMs / 1000} s upstream`,
        `${int(median(waiting.generatedMb))} MB`,
        `${int(median(waiting.minimalMb))} MB`,
        ratio(median(waiting.generatedMb) / median(waiting.minimalMb)),
      ],
    ],
  };
}

export function targetTable(report: OverheadReport): Table {
  return {
    head: ['target', 'goal', 'measured', ''],
    rows: report.targets.map((t) => [t.name, t.goal, t.actual, t.pass ? 'PASS' : 'MISS']),
  };
}

/** µs of server CPU per /json request as the generated server's pieces are added one at a time. */
export function ladderTable(report: OverheadReport): Table {
  const deltas = ladderDeltas(report.ladder);
  const counted = 'counts' in report.instructions;
  const rows = report.ladder.map((step, i) => [
    `${step.layers === 0 ? '' : '+ '}${step.name}`,
    LAYER_NOTES[step.name] ?? '',
    fixed(step.cpuUsPerRequest),
    i === 0 ? '' : `${deltas[i]! >= 0 ? '+' : ''}${fixed(deltas[i])}`,
    fixed(step.medianCpuUsPerRequest),
    step.allCpuUsPerRequest.map((value) => fixed(value)).join(' / '),
    int(step.requestsPerSecond),
    ...(counted ? instructionCells(report, `ladder-${step.layers}`, i === 0 ? undefined : `ladder-${report.ladder[i - 1]!.layers}`) : []),
  ]);
  const full = findSummary(report.summaries, 'json', 'generated-silent');
  const minimal = findSummary(report.summaries, 'json', 'minimal');
  rows.push([
    '(generated server, silent)',
    'node dist/server.js, main rounds',
    '',
    '',
    fixed(full?.cpuUsPerRequest),
    '',
    int(full?.requestsPerSecond),
    ...(counted ? instructionCells(report, 'generated-silent') : []),
  ]);
  rows.push([
    '(minimal Hono app)',
    'fixtures/minimal-hono.mjs, main rounds',
    '',
    '',
    fixed(minimal?.cpuUsPerRequest),
    '',
    int(minimal?.requestsPerSecond),
    ...(counted ? instructionCells(report, 'minimal') : []),
  ]);
  const head = ['piece (cumulative)', 'what', 'µs/req (best)', 'delta', 'median', 'each round', 'req/s'];
  return { head: counted ? [...head, 'instructions/req', 'delta'] : head, rows };
}

function instructionsOf(report: OverheadReport, id: string): number | undefined {
  return 'counts' in report.instructions ? report.instructions.counts.find((count) => count.id === id)?.perRequest : undefined;
}

/** A count and, given the one before, the difference (callgrind: the same build counts the same). */
function instructionCells(report: OverheadReport, id: string, previousId?: string): string[] {
  const count = instructionsOf(report, id);
  const previous = previousId === undefined ? undefined : instructionsOf(report, previousId);
  const delta = count === undefined || previous === undefined ? undefined : count - previous;
  return [int(count), delta === undefined ? '' : `${delta >= 0 ? '+' : ''}${int(delta)}`];
}

const INSTRUCTION_ROWS: ReadonlyArray<[id: string, label: string]> = [
  ['minimal', CONTENDER_LABELS.minimal],
  ['generated-silent', CONTENDER_LABELS['generated-silent']],
  ['generated-https', 'generated, silent, request with X-Forwarded-Proto: https (adds HSTS)'],
  ['generated-log', CONTENDER_LABELS['generated-log']],
];

/** Instructions per /json request of the real servers, against the minimal app's. */
export function instructionTable(report: OverheadReport): Table {
  const minimal = instructionsOf(report, 'minimal');
  const counts = 'counts' in report.instructions ? report.instructions.counts : [];
  return {
    head: ['server', 'instructions/req', 'vs minimal', 'each window'],
    rows: INSTRUCTION_ROWS.map(([id, label]) => {
      const count = instructionsOf(report, id);
      const windows = counts.find((entry) => entry.id === id)?.windows ?? [];
      return [
        label,
        int(count),
        count === undefined || minimal === undefined ? '–' : ratio(count / minimal),
        windows.map((window) => `${(window / 1_000).toFixed(1)}k`).join(' / '),
      ];
    }),
  };
}

/** What the instruction counts are, or why this run has none. */
export function instructionsNote(report: OverheadReport): string {
  if ('skipped' in report.instructions) return `No instruction counts on this run: ${report.instructions.skipped}.`;
  const load = INSTRUCTION_LOAD;
  return (
    `Instructions per \`${load.path}\` request under callgrind (${report.instructions.valgrind}, node --no-memory-reducer): ` +
    `the median of ${load.windows} windows of ${load.measured.toLocaleString('en-US')} requests counted after ${load.warmup.toLocaleString('en-US')} not counted, on the same ` +
    `${load.connections} keep-alive connections; the process's user-space instructions (JIT code, Node, V8, libc; ` +
    'not the kernel). Medians of one build agree within about 2% between runs (a single window may hold a major ' +
    'garbage collection or the last optimisations: see each window), so a delta of a few thousand is real; ' +
    'CPU time and req/s remain the measure of the targets. The access-log row varies more: its batches and ' +
    'writes follow how fast the pipe is read.'
  );
}

export function formatTerminalReport(report: OverheadReport): string {
  return [
    'Contenders (medians over the rounds)',
    formatText(contenderTable(report)),
    '',
    "The issue's table on this run",
    formatText(issueTable(report)),
    '',
    'Middleware cost (server CPU per /json request, wrk c=50; instructions under callgrind)',
    formatText(ladderTable(report)),
    '',
    instructionsNote(report),
    ...('counts' in report.instructions ? [formatText(instructionTable(report))] : []),
    '',
    'Targets',
    formatText(targetTable(report)),
  ].join('\n');
}

export function renderOverheadMarkdown(report: OverheadReport): string {
  const { machine, config, waiting } = report;
  return `# Overhead: the generated server beside a minimal Hono app

Written by \`npm run bench:overhead\` (bench/overhead.ts); regenerated on each run, do not edit.
Measured on ${machine.cpus} CPUs (\`nproc\`), Node ${machine.node}, ${machine.platform}, ${machine.wrk}, ${machine.date}, in ${Math.round(report.elapsedSeconds)} s.
The machine is shared and noisy: compare ratios measured in the same round, not absolute figures across runs.

How: each server is its own process, started once; wrk (\`-t1\` at 50 connections, \`-t2\` at 1000,
2 s request timeout) loads them in turns, ${config.rounds} rounds of ${config.durationSeconds} s per scenario after a
${config.warmupSeconds} s warm-up each (3 s at 1000 connections), rotating who goes first. The mock upstream (this
repository's, ${config.upstreamLatencyMs} ms) runs in the bench's process.

- throughput is 2xx answers per second (wrk's Requests/sec counts a fast 503 like a 200); ratios
  are the median of per-round ratios (generated / minimal in the same round);
- errors are wrk's socket errors (connect, read, write, timeout) plus non-2xx answers, summed
  over the rounds; "logged statuses" counts the \`status\` of the access-log lines the logging
  contender wrote;
- RSS is the peak of /proc samples every 200 ms during a run; server µs/req is the process's
  utime + stime over the run divided by the requests wrk completed;
- "log lag" is how much of a run's access log (in seconds of that run) reached the pipe only
  after wrk stopped; the bench waits for the server's stdout to go quiet after each run and counts
  the CPU of that flush in the run's µs/req, so it does not land on the next contender.

- minimal Hono: \`bench/overhead/fixtures/minimal-hono.mjs\`, \`GET /json\` and \`GET /external\`
  (one GET through one shared undici \`Pool\` of 1000 connections), on the same \`@hono/node-server\`
  listener and backlog as the generated server, run from inside the scaffolded project;
- generated: \`node dist/server.js\` of a project scaffolded from this checkout, \`NODE_ENV=production\`,
  \`UPSTREAM_CONNECTIONS=1000\`, \`LAME_DUCK_MS=0\`, the embedded PGlite DB in memory; either
  \`LOG_FORMAT=silent\` or the default production access log (one JSON line per request) on a stdout
  pipe the bench drains.

## Targets

${formatMarkdown(targetTable(report))}

## The issue's table on this run

${formatMarkdown(issueTable(report))}

## Every contender

${formatMarkdown(contenderTable(report))}

## RSS with ${waiting.waiting} requests waiting

Fresh processes against a second mock upstream at ${waiting.upstreamLatencyMs} ms (the generated server's
\`UPSTREAM_TIMEOUT_MS\` raised to ${waiting.upstreamLatencyMs * 2} ms to outlast it): ${waiting.waiting} connections opened at
once, each sending one request (the repository's load engine); a first burst opens every connection,
then measured bursts alternate, RSS sampled every 50 ms. Peak per burst: generated
${waiting.generatedMb.map((mb) => mb.toFixed(0)).join(' / ')} MB, minimal ${waiting.minimalMb.map((mb) => mb.toFixed(0)).join(' / ')} MB; the upstream held up to
${waiting.maxInFlight} requests at once; failed or non-2xx answers: generated ${waiting.generatedErrors}, minimal ${waiting.minimalErrors}.

## Cost of each piece

Server CPU per \`/json\` request with what the generated server wraps around its app added one
piece at a time, in the order a request meets it (\`templates/base/src/server.ts\` and \`http/\`;
\`bench/overhead/fixtures/middleware-ladder.mjs\`, the project's own modules imported from its
\`dist/\`), the last rung being the default production access log: one process per rung, wrk -t1 c=50,
${config.rounds} rounds of ${config.ladderSeconds} s taking turns. "best" is each rung's least µs/req over the rounds
(contention from other processes only adds CPU per request), and the deltas are between bests;
the two real servers below show their median over the main rounds. On a shared 2-core machine
deltas of a few µs are within the noise; a negative delta is noise. The instruction columns
do not move with the machine's load (below).

${formatMarkdown(ladderTable(report))}

## Instructions per request

${instructionsNote(report)}

${'counts' in report.instructions ? formatMarkdown(instructionTable(report)) : ''}
`;
}

export const OVERHEAD_MARKERS = {
  start: '<!-- overhead section: `npm run bench:overhead` rewrites it -->',
  end: '<!-- end of the overhead section -->',
};

/** Where the issue "The generated server at bare-Hono speed" started, measured before its changes (same machine, same bench). */
const BEFORE: Readonly<Record<string, string>> = {
  '/json, c=50, default production access log to a pipe': '0.54–0.71x (issue); 0.42x',
  '/json, c=50, LOG_FORMAT=silent': '0.62–0.84x (issue); 0.47x',
  '/external, c=1000, 100 ms upstream, UPSTREAM_CONNECTIONS=1000, silent': '0.45–0.47x, 190–299 timeouts (issue); 0.59x, 300 timeouts',
  'RSS with 1000 requests waiting on a 2 s upstream': '1.3–1.9x (issue, during /external); 1.20x',
};

/**
 * docs/benchmarks.md's section for this bench: before and after, the targets, and what the
 * profiles showed (the findings that shaped the generated server's request path).
 */
export function renderOverheadSection(report: OverheadReport): string {
  const issue = issueTable(report);
  const rows = issue.rows.map((row) => [row[0]!, BEFORE[row[0]!] ?? '–', row[3]!, row[1]!, row[2]!]);
  const ladder = ladderTable(report).rows.filter((row) => !row[0]!.startsWith('('));
  return `${OVERHEAD_MARKERS.start}
## Overhead: the generated server beside bare Hono

\`npm run bench:overhead\`, ${report.machine.date}, ${report.machine.cpus} CPUs, Node ${report.machine.node}: wrk against the
generated server and a minimal Hono app on the same \`@hono/node-server\`, alternating rounds (every
table, round by round: [overhead.md](overhead.md)). "Before" is where this round started: the issue's
figures, then this bench's first run on the code as it was.

${formatMarkdown({ head: ['what', 'before (ratio)', 'after (ratio)', 'generated', 'minimal'], rows })}

${formatMarkdown(targetTable(report))}

CPU per \`/json\` request as the server's pieces are added (µs, best of the rounds):
${ladder.map((row) => `${row[0]} ${row[2]}`).join(', ')}.

${instructionsNote(report)}

${'counts' in report.instructions ? formatMarkdown(instructionTable(report)) : ''}

What the profiles showed (\`node --cpu-prof\`, heap snapshots with 1000 requests waiting,
\`--trace-gc\`, V8's sampling allocation profiler), and what changed:
- Any Hono middleware turns a response made at once into a promise chain: the first layer cost
  1.6 µs of a 14 µs \`/json\`, each further one about 0.25 µs. The request id, security headers,
  deadline, access log and shedding now sit in one function around \`app.fetch\`
  (\`http/request-handler.ts\`); a handler reads its scope from \`c.env\`.
- Headers set with \`setHeader\`/\`setHeaders\` are validated and stored twice by Node: 12 cost
  2.9 µs. \`ServiceResponse\` puts OWASP's API headers and the id into the head (see the sixth session, below).
- At 1000 connections the garbage collector took 20% of the CPU (scavenges of 13–18 ms, 40% more
  per request than the minimal app): each waiting request held 32 more closures, 10 more promises
  and 6 more suspended async functions (cockatiel's \`execute\` wrappers, four nested async
  functions, the deadline's race). Now one async function per upstream call and our own
  three-method breaker; the deadline race holds one promise, two closures and a place in
  the deadline timer's list.
- Node 20's \`AbortSignal\` costs 2.2 µs to create and \`setMaxListeners\` on it up to 1.6 µs:
  the signal is made only when a handler reads it (the upstream client takes the deadline itself),
  and only \`/queries\` raises its listener limit.
- \`randomUUID\`'s entropy refills were 1.8% of \`/external\`: ids are a process tag and a counter.
- prom-client's labelled \`Histogram.observe\` validates and hashes labels each time (1.5 µs per
  request); the request histogram records into its own arrays and prom-client reads them at scrape.
- The access log (the third session on this issue): pino.destination (sonic-boom) appends each line
  to one growing batch string and measures its UTF-8 length again for every line (1.4 µs a line
  in a microbenchmark, against 0.3 µs for a list of lines), and hands each 4 KiB batch to a
  thread-pool thread; under load its one write in flight fell behind and lines piled up in memory.
  \`LineBatch\` (\`log-destination.ts\`) writes whole-line batches through \`process.stdout\`: one
  \`write(2)\` on the event loop while the pipe has room, one batch queued while it is full (each
  write stays whole, atomic up to PIPE_BUF), at most 16 MiB waiting. pino's general path
  (serializers, redaction, a loop over the keys) cost 0.8 µs a line in a microbenchmark and about
  3 µs a request in the server; the access line is now put together from the logger's own level
  label, time and bindings (\`pino.symbols\`), the same bytes \`info()\` writes (a test compares
  them). In the scaffolded project, alternating: 37.1–37.8k req/s before, 39.1–41.5k with
  LineBatch, 42.9–44.2k with the built line (silent: 51–60k).
- Counted instead of timed (fifth session): under callgrind, on the same connections after a
  warm-up and with V8's clock-driven memory reducer off, one build counts the same instructions per
  request within 1%, where req/s moved 10% between runs. On /json, before this session's changes:
  the minimal app 66.4k a request, the generated server 86.2k; without \`ServiceResponse\` 71.3k, and
  without metrics as well 69.1k (so request scope, shedding and the composed app cost 2.7k, metrics
  about 2k). The response headers were the rest: Node handles each header it is given (name and
  value through a regular expression, the name lower-cased and matched against the headers it
  treats specially, four string concatenations, then the longer head copied flat) for about 1.7k
  instructions. Strict-Transport-Security now goes only on responses that reached the client over
  HTTPS (our TLS socket, or the proxy's \`X-Forwarded-Proto: https\`): RFC 6797 §7.2 forbids it over
  plain HTTP, as Django, Rails and Spring Security already do. With that, a prebuilt head list and
  the handler's header names looked up once: 86.2k to 82.9k. The HTTPS row's request carries one
  header more than the others, which costs any build about 2.6k (the old one: 86.2k, 88.8k with it);
  on that path the new build counts 88.0k, the old 88.8k (fresh processes). The
  access log: 10k more a request; \`durationMs\` formatted from whole tenths instead of a double.
- Ready head lines (sixth session): Node checks every header it is given, on every response (the
  name and the value each through a regular expression); ours never change. \`ServiceResponse\` now
  checks them once at start-up (\`validateHeaderName\`/\`validateHeaderValue\`) and hands them to Node's
  \`_storeHeader\` (undocumented, in every release line) as ready lines after the status line; the
  request id goes in the same way (a sane token, or ours). The handler's own headers still go through
  Node's checks, and one of ours that the handler sets is left out, whichever way it was set (the
  generated project's \`service-response.test.ts\` reads the raw head). The \`serviceResponse\` rung
  of the ladder went from +11.5k to +2.8k instructions; in scratch counts of the whole server
  (three windows each) 83.9–85.8k became 75.4–78.3k. The access log and the metrics now share one
  clock reading (\`performance.now()\` costs about 650 instructions on Node 20). Counted on this run:
  the generated server 78.8k against the minimal app's 66.7k (1.18x; 1.25x before), 85.0k with the
  access log (1.27x; 1.39x before, scratch). Tried and dropped: LineBatch counting characters instead of
  UTF-8 bytes (one \`Buffer.byteLength\` a batch instead of a line) saved 2.7k a line in a
  microbenchmark and nothing measurable in the server's count. The machine of this session was
  slower and noisier than the fifth's: the minimal app served 30k /json req/s at 32 µs a request
  (52k at 19 µs then), one run's rounds went from 33 to 70 µs, and a first count window once read
  100k where the next two read 78k (so counts are now the median of three windows). On it, before
  any change (9b1670e, 5 rounds): /json 0.86x silent and 0.77x with the log; after, in this run,
  0.83x and 0.78x, with rounds from 0.60x to 0.91x: req/s cannot tell a 10% change in work apart
  here; the counts can. /external showed wrk timeouts (2 s) on the generated contenders only, in
  rounds where every contender slowed; their cause is not found yet.
- The rotation, not the request (seventh session): alternating only the minimal app and the
  generated server (silent), with this bench's own code (\`servers.ts\`, \`measureRun\`, embedded DB,
  mock upstream, 2 s warm-up, 5 s runs), the generated server served 0.99x and 0.97x of the minimal
  app (medians of 5 and 6 rounds; 1.01x over 8 rounds with wrk from a shell), its CPU a request
  21.5–22.6 µs against 20.8–22.6. With two more servers in the rotation, as in this bench (the log
  and no-metrics servers, or two more minimal apps), it read 0.90x and 0.91x in two runs (0.96x with
  the minimal apps), its own CPU a request rising to 23–26 µs while the minimal app's stayed at
  21–23 µs: the generated server runs slower when other servers ran between its runs. Not V8's
  memory reducer (off: 0.86x) nor bytecode flushing (both off: 0.87x); a 1 s unmeasured run right before each
  measured one did not help (0.90x); nor did its two event-loop monitors (METRICS=off and
  MAX_EVENT_LOOP_DELAY_MS=0: 0.97x with two more minimal apps, 0.88x alone with 15 s pauses). The two
  servers alone with 15 s pauses between runs read 0.86x and 0.84x in their first two rounds, then
  drowned in the machine's noise (the minimal app moved from 34k to 50k req/s inside one run): the
  time between a server's runs, not the other servers, looks like the cause. The bench keeps its
  four-way rotation, which the targets are read from; this is the next thing to explain, not the
  per-request work.
- Instruction counts include work the clock drives (seventh session): a per-function diff of one
  counted window (\`callgrind_annotate\`, the generated server against the minimal app) puts 2.5k
  instructions a request in \`memset\` and 0.3k in \`hdr_value_at_percentile\`: the load shedder
  reads and resets its event-loop histogram every 250 ms (\`hdr_reset\`: 68 calls in that window,
  369k instructions each), and callgrind's slowdown (about 50x) spreads each reset over 50 times
  fewer requests (at 40k req/s it is about 40 instructions a request). So the per-request gap is
  nearer 7k (1.11x) than the table's 10k, and the ladder's first rung counts 2.6k more than the
  minimal app because its fixture built the shedder for every rung (now only on its own rung: 66.6k against 66.3k). The rest of the diff:
  JIT code +2.3k, flattening the head (200 bytes longer) +1.2k, megamorphic property loads +0.9k,
  the id counter's \`toString(36)\` 0.2k, map lookups 0.2k. The clock readings are not it: with
  \`Date.now()\` in place of all three \`performance.now()\` a request, the count moved by under 0.5k.
- Idle shrinks the young generation (eighth session): \`--trace-gc\` on the generated server
  (silent), loaded by wrk for 5 s at a time: right after another run it scavenged 105–197 times a
  run, after 15 s idle 343–457 times. The first scavenge after a pause finds the allocation rate
  low and V8 shrinks the new space (heap committed 30.8 → 16.1 MB), which grows back only over
  seconds. The minimal app does the same (182–241 → 501–553 scavenges), and scavenging a run took
  65 ms more for it, 85 ms more for the generated server (of 5 s: 1.3% and 1.7%), so it explains
  little of the rotation's gap; nothing changed. Both allocate about the same a request
  (\`--trace-gc-nvp\`: 9.3 kB minimal, 10.0 kB generated; promoted 1–2 B and 4–6 B) and make the
  same system calls (\`strace -c\`: 2.09 a request, one \`read\` and one \`writev\`).
- The access log's cost was mostly wake-ups (eighth session): the bench's pipe reader (a Node
  process draining stdout, as a log shipper would) used 3.5–5.1 µs of CPU per logged request
  against 0.5 µs for a silent server, on the same two cores as wrk and the server. A Node process
  reading a pipe spent 50–90 µs per \`'data'\` event on this machine (5,000 chunks of 6 kB: 250–450 ms
  of CPU), whatever it did with the bytes: counting the statuses in the bytes instead of with a
  regular expression was slower (330 against 180 ns a line) and was dropped. Batches of 3 KiB woke
  it about 2,000 times a second. A process with stdout to itself now writes 16 KiB batches (at
  most 32 KiB); the workers of \`asyncsrv start\`, sharing one stdout, keep 4 KiB (PIPE_BUF). One
  A/B run (6 rounds): the logging server 1.05x of itself with 3 KiB batches (pairwise median), its
  CPU 43.1 → 39.6 µs a request, the reader's 4.3 → 3.0 µs; in this bench, /json with the log went
  from 0.76x to 0.88x of the minimal app and its count from 95.1k to 89.1k. The line's own work is
  about 3.5k instructions (a counted window against the silent server's): the time as a number
  0.5k (\`FastDtoa\`), joining and flattening the line 1.8k, its UTF-8 length 0.4k.
- Where /external's wrk timeouts are not (eighth session): they came back on this slower machine
  (258 in this run, all on the silent server; in probe runs on every contender, the minimal app
  included: 99 and 152 in two of its five rounds). In every generated server that had them, its own
  request histogram (\`/metrics\`, from the handler's start to its answer) held no request over
  0.5 s. A probe on \`http.Server\`'s events (\`--import\`, generated and minimal alike) found no
  connection whose first request came more than 1 s after its accept, no gap over 0.5 s between a
  response and the next request on a connection, and no answer over 1 s; \`nstat\` counted no
  listen overflow or drop and 27 retransmitted segments over a whole run. So no request waited 2 s
  in the server or in its accept queue. wrk counts a timeout, every 2 s, for each connection whose
  last request went out more than 2 s before (or that has sent none yet), whatever held it (its
  source, \`check_timeouts\`); with wrk's two threads, the
  server and the mock upstream on two saturated cores, the timeouts look like the client's, not
  the server's. Not changed; the target is read as the bench reports it.
- Where /json's gap is (ninth session, this run on a faster day: the minimal app at 45–52k
  req/s). \`node --cpu-prof\` on both servers, loaded in turns (three 4 s wrk runs each, after a
  2 s warm-up): busy time 20.2 µs a request against 16.9. Of the 3.3 µs, 2.0 µs are inside
  \`writev\` (14.9 against 12.9 µs: the kernel's send, which on loopback also runs the receiving
  side's TCP path) and the rest is JavaScript, startup included; per request the pieces that show
  are small: the handler's \`finish\` 0.10 µs, the metrics' second router match 0.10 µs,
  \`ServiceResponse\` 0.13 µs. The response is 330 bytes against 174. The minimal app itself,
  answering a body 157 bytes longer (331 bytes a response), served 0.95x of its own /json (median
  of 8 alternating 3 s runs, 0.80–1.00): the head's bytes alone are about a third of the gap, and
  they are the request id and OWASP's headers. Under callgrind the metrics cost 2.1k instructions
  a request (75.2k on, 73.1k off), partly the clock's work again (prom-client's event-loop-delay
  monitor ticks every 10 ms); in req/s, on against off read 0.99x in this run.
- The access log, counted alone (ninth session): 82.1k instructions a request against the silent
  server's 75.4k (this bench counts two processes at a time, and its pipe read slower: 89.7k). The
  named pieces: joining and flattening strings 1.4k, the time as a number 0.6k (\`FastDtoa\`), the
  UTF-8 length 0.4k, polymorphic loads of pino's symbols 0.5k. Tried and dropped: a line writer
  that looks the label, time function and destination up once and makes the time string once a
  millisecond. Its count did not move (under callgrind a millisecond holds under one request), nor
  did req/s (0.785x against 0.780x, 6 alternating rounds; a first run read 0.81x against 0.84x).
  The log's target read 0.88x in the eighth session's record and 0.77x in this one, on the same
  logging code: this bench's rounds spread more than the change the target asks for.
- A larger young generation, again (ninth session): \`node --max-semi-space-size=32\` on the
  generated server read 1.09x and 0.97x of the minimal app on /external in two runs (0.94x and
  0.98x without, same runs), no change on /json, and no more RSS with 1000 requests waiting. The
  minimal app with the same flag served 1.18x of itself: the flag helps the bare app more than
  ours. Not set by the template.
- Fewer, larger log writes (tenth session, on a day the minimal app served 14–22k /json req/s,
  a third of the ninth session's): the server wrote its access log in 16–32 KiB batches, about
  400 writes a second at 30k requests, and each write wakes the pipe's reader, which on two
  cores runs in the place of the server or of wrk. The logged server against itself, with this
  bench's own reader (\`servers.ts\`, \`measureRun\`), 8 alternating 4 s rounds at /json c=50:
  48–64 KiB batches (at most a pipe's default capacity) served 1.10x the requests a second of
  16–32 KiB (7 of 8 rounds higher) at 0.91x the CPU a request; 256 KiB against 64 KiB read 0.98x
  (a write puts at most the pipe's 64 KiB in at once). The template now writes 48–64 KiB; the
  workers of \`asyncsrv start\` keep 4 KiB. The line itself is a small part of the log's cost: in a
  microbenchmark through LineBatch to a pipe read by \`cat\`, 1.1–1.3 µs a line (0.6 µs to build
  it), where a request cost the server 70–100 µs on this day. Tried and dropped: a writer that
  encodes each line straight into a Buffer and hands batches out as slices (no join, no separate
  UTF-8 length) cost more, 1.27–1.76 against 1.07–1.59 µs a line (3 alternating runs). In this
  session's record the access log adds 9.0k instructions a request to the silent server (13.5k in
  the ninth's), and the silent server counts 81.5k on the same code as the ninth's 76.2k: its
  clock-driven work (seventh session) spreads over fewer requests when callgrind runs slower.
- The rotation's idle time, retested (tenth session): the minimal app and the generated server
  (silent) alone, rounds back to back interleaved with rounds that wait 12 s before each run, 8 of
  each: 0.84x back to back and 0.89x after the pauses (CPU a request 1.19x and 1.15x of the
  minimal app's). The pauses did not lower the ratio, so the seventh session's two-way readings
  (0.97–1.01x) against the four-way ones (0.88–0.91x) were within this machine's spread (single
  rounds from 0.59x to 1.42x in this test), not an effect of idling. Also: \`perf record -g\`
  (cpu-clock; this VM has no hardware counters) with \`node --perf-basic-prof\` names JIT
  functions and the kernel's side in one profile, where \`--cpu-prof\` sees JavaScript only.
- Where the access log's time goes (eleventh session; in its first record the minimal app served
  37–53k /json req/s, an hour later 31–41k). The same project built three ways, alternating, 9
  rounds of 4 s at /json c=50, stdout read by \`cat\`, CPU a request from /proc (medians): silent
  23.1 µs, the access line built and dropped at the destination 23.3 µs, the full log 24.9 µs. So
  the line costs about 0.2 µs and getting it out 1.6 µs. A second run, with a build that joins its
  batches and never writes them: 27.5 µs against 28.0 for the full log and 26.4 for the dropped
  line, so about 1 µs in the batching and 0.5 µs in the write; a repeat of the first comparison
  later read the full log level with the dropped line, so these are single runs' medians.
  Counted instead (callgrind, steady state, see the next point): lines measured in characters
  instead of UTF-8 bytes (no \`Buffer.byteLength\` a line) saved about 1k instructions a request
  (first windows 83.7k → 82.4k, third 89.8k → 88.9k, two processes each), 1%, as in the sixth session;
  not changed. \`perf record -g\` on the silent and the logged server (three alternating pairs of
  8 s): the logged one used 0.7–5.0 µs more a request (the machine drifted between runs), and
  0.4–1.6 µs of it was the kernel's \`_raw_spin_unlock_irqrestore\` under \`sock_def_readable\`:
  waking wrk's thread when the response arrives on loopback, with interrupts off, which on a VM is
  a costly cross-CPU wake-up. It costs more a request the slower the server runs (wrk waits more
  often, so more responses find it asleep), so work added to the server shows in req/s larger
  than its own CPU time. Pinning the server to one CPU and wrk with the reader to the other
  (\`taskset\`, one run of 6 rounds) spread no less than sharing both; the bench does not pin.
- Counted after a longer warm-up (eleventh session): after 20,000 requests the generated server
  still settles, its next two windows of 10,000 counting 11–15% more than its steady state
  (silent: 76.4k, 87.3k, 88.7k, then six windows at 75.7–75.9k; with the access log 83.0k,
  107.1k, 89.4k, then 83.0–85.2k), while the minimal app's windows agree from the first. The
  median of three read the access log about 5k too high (89.0k in this session's first record,
  where its steady state counts about 83.5k). The counts now start after 50,000 requests.
- What /json with the access log off still pays (fourth session, the generated server changed one
  piece at a time, alternating, 4–6 rounds): the response headers. A ServerResponse subclass that
  adds nothing serves 0.96x of the minimal app; adding \`x-request-id\` to node-server's headers
  costs about 5%, the five security headers about 6% more (each header is validated by Node, matched against the
  headers it treats specially and sent: 391 bytes a response against 174). The subclass's own
  code does not show: the same headers from a two-line \`writeHead\`, or as an object instead of a
  list, measured the same. Same system calls as the minimal app (one \`read\`, one \`writev\`).
- Setting the security headers the Hono way (\`c.json(body, 200, headers)\`) takes node-server off
  its fast path: the minimal app with the same six headers served 0.60x of itself (40–43k against
  67–72k req/s); \`ServiceResponse\` puts them in the head for a fraction of that.
- \`/external\` at 1000 connections, CPU per request from the profiles (busy time / requests): 145 µs
  against the minimal app's 85 in the third session, 127 against 83 at the start of the fourth.
  undici's \`request()\` (an AsyncResource, a Readable body read by \`body.json()\`, a listener on the
  deadline's AbortSignal per call), Node's \`AbortController\`, a Node timer per request and the
  garbage a thousand waiting calls leave were most of it. The upstream client now sends through
  undici's \`dispatch\` with a handler of its own (the body kept as a list of chunks, parsed once)
  and takes the request's deadline itself: \`deadline.link\` aborts undici's controller at the
  deadline or when the client leaves, so a request makes no AbortSignal (a handler may still pass
  \`signal\`). Deadlines share one timer per budget (\`http/deadline-timer.ts\`: requests expire in
  the order they started, so they wait in a list and the timer is set for the first; alone it
  gained 1–7% req/s, 5 rounds of 5, against a Node timer per request held while it waits).
  Alternating, 5 rounds: 0.90x to 0.98x of the minimal app's req/s, 123 to 93 µs a request (minimal 84). Left:
  the kernel's \`writev\` (+5 µs, larger heads both ways), and about 1000 upstream reconnects after
  each wrk run, whose end aborts the requests in flight and with them their upstream calls (the
  minimal app lets those finish and keeps the sockets). A larger young generation
  (\`node --max-semi-space-size=64\`) cut CPU per request by 17% and raised req/s 6% in the third
  session, at up to 96 MB more heap: not set by the template; a service with memory to spare can
  add it.
${OVERHEAD_MARKERS.end}
`;
}
