/**
 * `npm run bench:engine`: requests/s and requests per generator CPU-second of our load engine
 * beside wrk, autocannon and a plain undici Pool loop (the alternative the engine was chosen
 * against), all against one minimal node:http server in a child process, in one run.
 * Targets: engine req/s >= 0.95 x wrk's; engine req per CPU-second >= autocannon's.
 * Prints figures; asserts nothing (machines here are shared and noisy).
 * Rounds interleave the generators in a rotating order and the table shows each one's median
 * round, so load from other processes on a shared machine hits all of them alike; the best round
 * shows what each reaches when the machine is quiet (then the server is the limit).
 * Env: BENCH_SECONDS (per run, default 3), BENCH_CONNECTIONS (default 50), BENCH_ROUNDS (default 5).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { runLoad } from '../src/bench/engine/index.js';

// autocannon ships no types; this is the slice of its API used here.
type Autocannon = (options: { url: string; connections: number; duration: number }) => Promise<{ requests: { total: number } }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

interface Measurement {
  requests: number;
  wallSeconds: number;
  cpuSeconds: number;
  /** CPU seconds the server used during the run (from /proc), to see what each generator costs it. */
  serverCpuSeconds?: number;
}

/** User + system CPU seconds of a process, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const serverSource = `
const http = require('node:http');
const body = 'hello world';
const server = http.createServer((req, res) => { res.setHeader('content-type', 'text/plain'); res.end(body); });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', serverSource], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, url: `http://127.0.0.1:${line.trim()}/` };
}

function ensureWrk(): void {
  if (spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0) return;
  console.log('wrk is missing: apt-get update && apt-get install -y wrk');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  for (const args of [
    ['apt-get', 'update'],
    ['apt-get', 'install', '-y', 'wrk'],
  ]) {
    const [command, ...rest] = [...sudo, ...args] as [string, ...string[]];
    const result = spawnSync(command, rest, { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`\`${[command, ...rest].join(' ')}\` failed; install wrk and run again.`);
  }
}

/** CPU seconds this process used while `work` ran (the server lives in another process). */
async function inProcess(work: () => Promise<number>): Promise<Measurement> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const requests = await work();
  const wallSeconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { requests, wallSeconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function measureEngine(url: string): Promise<Measurement> {
  return inProcess(async () => {
    const result = await runLoad({ target: { url }, connections, duration: seconds * 1000 }, new AbortController().signal);
    return result.completed;
  });
}

async function measureUndici(url: string): Promise<Measurement> {
  return inProcess(async () => {
    const pool = new Pool(new URL(url).origin, { connections, pipelining: 1 });
    const end = performance.now() + seconds * 1000;
    let requests = 0;
    const loop = async (): Promise<void> => {
      while (performance.now() < end) {
        const response = await pool.request({ path: '/', method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 });
        await response.body.dump();
        requests += 1;
      }
    };
    await Promise.all(Array.from({ length: connections }, loop));
    await pool.close();
    return requests;
  });
}

async function measureAutocannon(url: string): Promise<Measurement> {
  return inProcess(async () => {
    const result = await autocannon({ url, connections, duration: seconds });
    return result.requests.total;
  });
}

/** wrk with one thread (as our engine uses one); its CPU from bash's `times` (children's user + sys). */
function measureWrk(url: string): Measurement {
  const script = `wrk -t1 -c${connections} -d${seconds}s ${url}; times`;
  const start = performance.now();
  const run = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  const wallSeconds = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr}`);
  const requests = Number(/(\d+) requests in/.exec(run.stdout)?.[1]);
  const times = run.stdout.trim().split('\n').at(-1) ?? '';
  const cpuSeconds = [...times.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  return { requests, wallSeconds: Math.min(wallSeconds, seconds), cpuSeconds };
}

const generators: Array<[string, (url: string) => Promise<Measurement> | Measurement]> = [
  ['engine (raw sockets)', measureEngine],
  ['undici Pool loop', measureUndici],
  ['autocannon', measureAutocannon],
  ['wrk -t1', measureWrk],
];

ensureWrk();
const { child, url } = await startServer();
try {
  console.log(
    `bench:engine: ${connections} connections, ${seconds} s per run, ${rounds} rounds, closed model, GET ${url} (node ${process.version}, ${new Date().toISOString()})`,
  );
  await measureEngine(url); // warm the server's JIT and ours
  const runs = new Map<string, Measurement[]>(generators.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < generators.length; i++) {
      const [name, measure] = generators[(i + round) % generators.length]!;
      const serverBefore = processCpuSeconds(child.pid!);
      const m = await measure(url);
      m.serverCpuSeconds = processCpuSeconds(child.pid!) - serverBefore;
      runs.get(name)!.push(m);
    }
  }
  const rps = (m: Measurement): number => m.requests / m.wallSeconds;
  const perCpu = (m: Measurement): number => m.requests / m.cpuSeconds;
  const row = (cells: Array<string | number>, widths: number[]): string =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('');
  const widths = [24, 10, 12, 10, 12, 14, 16];
  console.log(row(['generator (median)', 'req/s', 'best req/s', 'CPU s', 'req/CPU-s', 'server CPU s', 'server µs/req'], widths));
  const summary = new Map<string, { rps: number; best: number; perCpu: number }>();
  for (const [name, ms] of runs) {
    const byRps = [...ms].sort((a, b) => rps(a) - rps(b))[Math.floor(ms.length / 2)]!;
    const s = { rps: median(ms.map(rps)), best: Math.max(...ms.map(rps)), perCpu: median(ms.map(perCpu)) };
    summary.set(name, s);
    console.log(
      row(
        [
          name,
          Math.round(s.rps),
          Math.round(s.best),
          byRps.cpuSeconds.toFixed(2),
          Math.round(s.perCpu),
          byRps.serverCpuSeconds!.toFixed(2),
          ((byRps.serverCpuSeconds! * 1e6) / byRps.requests).toFixed(1),
        ],
        widths,
      ),
    );
  }
  console.log(
    `all rounds, req/s: ${[...runs].map(([name, ms]) => `${name} [${ms.map((m) => Math.round(rps(m))).join(', ')}]`).join('; ')}`,
  );
  const engine = summary.get('engine (raw sockets)')!;
  const rpsRatio = engine.rps / summary.get('wrk -t1')!.rps;
  const bestRatio = engine.best / summary.get('wrk -t1')!.best;
  const cpuRatio = engine.perCpu / summary.get('autocannon')!.perCpu;
  console.log(
    `target: engine req/s >= 0.95 x wrk -> ${rpsRatio >= 0.95 ? 'met' : 'MISSED'} (${rpsRatio.toFixed(2)} x median, ${bestRatio.toFixed(2)} x best round)`,
  );
  console.log(`target: engine req/CPU-s >= autocannon -> ${cpuRatio >= 1 ? 'met' : 'MISSED'} (${cpuRatio.toFixed(2)} x)`);
} finally {
  child.kill();
}
