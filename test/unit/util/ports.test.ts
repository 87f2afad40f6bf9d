import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePortHolder, isPortFree, nextFreePort } from '../../../src/util/ports.js';

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ports', () => {
  it('sees a port in use, and the next free one after it', async () => {
    expect(await isPortFree(port)).toBe(false);
    const next = await nextFreePort(port);
    expect(next).toBeGreaterThan(port);
    expect(await isPortFree(next!)).toBe(true);
  });

  it('names the process holding a port', async () => {
    expect(await describePortHolder(port)).toMatch(new RegExp(`^pid ${process.pid} \\(.+\\)$`));
  });
});
