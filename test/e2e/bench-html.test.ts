import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runAsyncsrv } from './helpers/cli.js';

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

describe('asyncsrv bench --html', () => {
  it('writes one self-contained page that renders in headless Chromium with no console errors', async () => {
    const file = join(work.path, 'report.html');
    const bench = await runAsyncsrv(['bench', '--url', url, '--duration', '2s', '--warmup', '0ms', '-c', '4', '--html', file], {
      cwd: work.path,
    });
    expect(bench.exitCode, bench.stderr).toBe(0);
    const html = await readFile(file, 'utf8');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/); // nothing fetched: self-contained
    const chrome = await execa(
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
        '--dump-dom',
        `file://${file}`,
      ],
      { reject: false, timeout: 60_000 },
    );
    expect(chrome.exitCode, chrome.stderr).toBe(0);
    expect(chrome.stdout.match(/<svg/g)).toHaveLength(2); // percentile curve and requests/s
    expect(chrome.stdout).toContain('latency by percentile (ms)');
    expect(chrome.stdout).toMatch(/<path class="line" d="M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+"/);
    expect(chrome.stderr).not.toMatch(/CONSOLE|Uncaught/);
  }, 120_000);
});
