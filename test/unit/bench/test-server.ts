import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A node:http server on 127.0.0.1:0 that counts the requests it received. */
export interface CountingServer {
  url: string;
  port: number;
  /** Requests received so far. */
  count(): number;
  /** Calls `listener` for each new TCP connection. */
  onConnection(listener: () => void): void;
  close(): Promise<void>;
}

/** `respond` gets the 1-based number of each request. */
export async function startServer(respond: (n: number, req: IncomingMessage, res: ServerResponse) => void): Promise<CountingServer> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    n += 1;
    req.resume();
    respond(n, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    count: () => n,
    onConnection: (listener) => void server.on('connection', listener),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
