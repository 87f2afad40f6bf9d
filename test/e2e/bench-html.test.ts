import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runAsyncsrv } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

let work: Awaited<ReturnType<typeof makeTempDir>>;
let server: Server;
let url: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is needed to check the HTML report: apt-get install -y chromium (or set CHROMIUM_BIN); looked for ${CHROMIUM}.`,
    );
  work = await makeTempDir('cas-html-');
  let n = 0;
  server = createServer((_request, response) => {
    n++;
    setTimeout(() => response.end('ok'), n % 20 === 0 ? 15 : 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.close();
  await work.remove();
});

/** Headless Chromium on a file: its DOM after the scripts ran, and what it logged. */
async function chromium(args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const run = await execa(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${join(work.path, 'chrome')}`,
      '--enable-logging=stderr',
      '--v=0',
      ...args,
    ],
    { reject: false, timeout: 60_000 },
  );
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr };
}

describe('asyncsrv bench --html and --markdown', () => {
  it('writes one self-contained page of uPlot charts that renders in headless Chromium with no console errors, the baseline overlaid', async () => {
    const baselineFile = join(work.path, 'baseline.json');
    const first = await runAsyncsrv(['bench', '--url', url, '--duration', '2s', '--warmup', '0ms', '-c', '4', '--json', baselineFile], {
      cwd: work.path,
    });
    expect(first.exitCode, first.stderr).toBe(0);
    const file = join(work.path, 'report.html');
    const markdownFile = join(work.path, 'comment.md');
    const bench = await runAsyncsrv(
      [
        'bench',
        '--url',
        url,
        '--duration',
        '2s',
        '--warmup',
        '0ms',
        '-c',
        '4',
        '--compare',
        baselineFile,
        '--html',
        file,
        '--markdown',
        markdownFile,
      ],
      { cwd: work.path },
    );
    expect(bench.exitCode, bench.stderr).toBe(0);
    const html = await readFile(file, 'utf8');
    // Self-contained: uPlot inlined, nothing loaded from anywhere.
    expect(html).not.toMatch(/<script[^>]+src=|<link|src="http|href="http|url\(http/);
    expect(html).toContain('https://github.com/leeoniya/uPlot'); // the library's own banner, inlined
    expect(html).toContain('"baselineCurve":');
    const dom = await chromium(['--dump-dom', `file://${file}`]);
    expect(dom.exitCode, dom.stderr).toBe(0);
    // The page's script ends by counting what it drew: latency and requests per second, the percentile curve (this server has no /metrics or pid).
    expect(dom.stdout).toMatch(/<body data-charts="3">/);
    expect(dom.stdout.match(/class="uplot/g)).toHaveLength(3);
    expect(dom.stdout).toContain('latency by percentile (ms, log scales; hover for values)');
    expect(dom.stdout).toContain('baseline p99');
    expect(dom.stderr).not.toMatch(/CONSOLE|Uncaught/);
    // A screenshot, kept as the test's artifact for a person to look at.
    const artifacts = join(repoRoot, '.tmp', 'test-artifacts');
    await mkdir(artifacts, { recursive: true });
    const screenshot = join(artifacts, 'bench-html.png');
    await rm(screenshot, { force: true });
    const shot = await chromium(['--hide-scrollbars', '--window-size=1280,1100', `--screenshot=${screenshot}`, `file://${file}`]);
    expect(shot.exitCode, shot.stderr).toBe(0);
    expect((await stat(screenshot)).size).toBeGreaterThan(20_000); // charts, not a blank page

    const markdown = await readFile(markdownFile, 'utf8');
    expect(markdown).toMatch(/^### asyncsrv bench\n\nclosed model, 4 connections, 2 s per scenario\nCompared with the baseline of /);
    expect(markdown).toContain('| scenario | req/s | p50 | p99 | errors |\n| --- | ---: | ---: | ---: | ---: |\n');
    // Two runs against one local server differ by a few percent: any delta may be past 5% and bold (CI: req/s -8.8%).
    expect(markdown).toMatch(
      /^\| `url` \| [\d,]+ \((\*\*)?[+-]\d+\.\d%(\*\*)?\) \| [\d.]+ ms \((\*\*)?[+-]\d+\.\d%(\*\*)?\) \| [\d.]+ ms \((\*\*)?[+-]\d+\.\d%(\*\*)?\) \| 0\.00% \|$/m,
    );
  }, 180_000);
});
