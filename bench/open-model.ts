/**
 * `npm run bench:open`: the open model (`asyncsrv bench --rate`) against servers of known
 * behaviour, each a node:http server in its own process on 127.0.0.1 (default keep-alive, 5 s):
 * 1. a server that always takes 100 ms, at 80 req/s: the p99 with 100 and with 1000
 *    connections, rounds interleaved (target: within 5 % of each other, no "fell behind");
 * 2. a server that answers at once, at 1000 req/s on one connection: the generator's send lag
 *    (target: median <= 0.05 ms) and corrected minus uncorrected latency at the median (target:
 *    <= 0.1 ms), with the generator's CPU;
 * 3. 200 req/s for the run length, repeated: requests sent and counted by the server (target:
 *    exactly rate x duration every time) and the reported rate.
 * Prints figures; asserts nothing (machines here are shared and noisy).
 * Env: BENCH_SECONDS (per run, default 8), BENCH_ROUNDS (default 3).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { LatencyHistogram, runLoad, type HistogramData, type LoadOptions, type LoadResult } from '../src/bench/engine/index.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const never = new AbortController().signal;

// Answers after `delay` ms; counts requests, and tells the count on GET /count (not counted).
const serverSource = `
const http = require('node:http');
const delay = Number(process.argv[1]);
let count = 0;
const server = http.createServer((req, res) => {
  req.resume();
  if (req.url === '/count') return res.end(String(count));
  count += 1;
  if (delay > 0) setTimeout(() => res.end('ok'), delay); else res.end('ok');
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

interface TestServer {
  child: ChildProcess;
  url: string;
  count(): Promise<number>;
}

async function startServer(delayMs: number): Promise<TestServer> {
  const child = spawn(process.execPath, ['-e', serverSource, String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const origin = `http://127.0.0.1:${line.trim()}`;
  return {
    child,
    url: `${origin}/`,
    count: async () => Number(await (await fetch(`${origin}/count`, { signal: AbortSignal.timeout(2_000) })).text()),
  };
}

const ms = (us: number): string => `${(us / 1000).toFixed(3)} ms`;
const summary = (data: HistogramData | undefined) => LatencyHistogram.fromData(data!).summary();
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function open(url: string, options: Omit<LoadOptions, 'target'>): Promise<{ result: LoadResult; cpuPercent: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await runLoad({ target: { url }, ...options }, never);
  const used = process.cpuUsage(cpu);
  return { result, cpuPercent: ((used.user + used.system) / 1000 / (performance.now() - start)) * 100 };
}

async function connectionsDoNotMatter(server: TestServer): Promise<void> {
  console.log(`\n1. 100 ms server, 80 req/s, ${seconds} s: p99 from intended send (uncorrected p99, p99 send lag)`);
  const p99s = new Map<number, number[]>([
    [100, []],
    [1000, []],
  ]);
  for (let round = 0; round < rounds; round++) {
    for (const connections of round % 2 === 0 ? [100, 1000] : [1000, 100]) {
      const { result } = await open(server.url, { connections, rate: 80, duration: seconds * 1000 });
      const [corrected, service, lag] = [summary(result.latency), summary(result.serviceTime), summary(result.sendLag)];
      p99s.get(connections)!.push(corrected.p99);
      console.log(
        `   round ${round + 1} c=${String(connections).padEnd(5)} p99 ${ms(corrected.p99)} (${ms(service.p99)}, ${ms(lag.p99)})  sent ${result.sent}${result.valid ? '' : '  INVALID: ' + result.warnings.join(' ')}`,
      );
    }
  }
  const [few, many] = [median(p99s.get(100)!), median(p99s.get(1000)!)];
  console.log(
    `   median p99: c=100 ${ms(few)}, c=1000 ${ms(many)}: ${((Math.abs(many - few) / few) * 100).toFixed(1)} % apart (target <= 5 %)`,
  );
}

async function sendLag(server: TestServer): Promise<void> {
  console.log(`\n2. server answering at once, 1000 req/s, 1 connection, ${seconds} s`);
  for (let round = 0; round < rounds; round++) {
    const { result, cpuPercent } = await open(server.url, { connections: 1, rate: 1000, duration: seconds * 1000 });
    const [corrected, service, lag] = [summary(result.latency), summary(result.serviceTime), summary(result.sendLag)];
    console.log(
      `   round ${round + 1}: send lag p50 ${ms(lag.p50)} p90 ${ms(lag.p90)} p99 ${ms(lag.p99)}; latency p50 ${ms(corrected.p50)} vs service p50 ${ms(service.p50)} ` +
        `(+${ms(corrected.p50 - service.p50)}); late ${(((result.late ?? 0) / result.sent) * 100).toFixed(1)} %; generator CPU ${cpuPercent.toFixed(0)} %`,
    );
  }
}

async function exactCounts(server: TestServer): Promise<void> {
  console.log(`\n3. 200 req/s for ${seconds} s (planned ${200 * seconds} requests)`);
  for (let round = 0; round < rounds; round++) {
    const before = await server.count();
    const { result } = await open(server.url, { connections: 20, rate: 200, duration: seconds * 1000 });
    const counted = (await server.count()) - before;
    console.log(
      `   round ${round + 1}: sent ${result.sent}, server counted ${counted}, req/s ${result.requestsPerSecond.toFixed(2)} over ${(result.windowMs! / 1000).toFixed(3)} s (run ${(result.elapsedMs / 1000).toFixed(3)} s to the last answer)`,
    );
  }
}

const slow = await startServer(100);
const fast = await startServer(0);
try {
  console.log(`bench:open: ${seconds} s per run, ${rounds} rounds (node ${process.version}, ${new Date().toISOString()})`);
  await open(fast.url, { connections: 10, rate: 1000, duration: 1000 }); // warm both JITs
  await connectionsDoNotMatter(slow);
  await sendLag(fast);
  await exactCounts(fast);
} finally {
  slow.child.kill();
  fast.child.kill();
}
