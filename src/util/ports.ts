import { execFile } from 'node:child_process';
import { createServer } from 'node:net';

/** True when nothing listens on `port` at `host` (we can bind it ourselves). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The first free port from `start` upward (at most `tries` ports looked at). */
export async function nextFreePort(start: number, host = '127.0.0.1', tries = 50): Promise<number | undefined> {
  for (let port = start; port < Math.min(start + tries, 65536); port++) {
    // eslint-disable-next-line no-await-in-loop -- the first free port from `start` upward: in order
    if (await isPortFree(port, host)) return port;
  }
  return undefined;
}

/** `pid 1234 (node)` for the process listening on a TCP port, when `ss` can tell; else undefined. */
export function describePortHolder(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ss', ['-Hltnp', `sport = :${port}`], { timeout: 2000 }, (error, stdout) => {
      if (error) return resolve(undefined);
      const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
      resolve(match ? `pid ${match[2]} (${match[1]})` : undefined);
    });
  });
}
