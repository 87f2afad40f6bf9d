import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Naive variants of a generated project, made only at bench time by patching a copy: nothing
 * naive is ever generated. Each patch replaces exact text of the template and fails loudly when
 * the template changed under it, so a row never measures an unpatched server by accident.
 */
export interface Variant {
  name: string;
  /** What the patch does, for the table's notes. */
  about: string;
  /** Env overrides the variant needs beside its patch. */
  env?: Record<string, string>;
  patch(projectRoot: string): void;
}

type Replacement = string | ((...groups: string[]) => string);

/**
 * Replaces the one match of `anchor` in a project file's source (a RegExp, so small edits of the
 * template around it do not matter), or throws naming the file. `replacement` gets the capture groups.
 */
export function replaceOnce(source: string, anchor: RegExp, replacement: Replacement, file: string): string {
  const matches = [...source.matchAll(new RegExp(anchor.source, anchor.flags.includes('g') ? anchor.flags : `${anchor.flags}g`))];
  const match = matches[0];
  if (!match || matches.length > 1) {
    throw new Error(
      `bench fixture: expected exactly one match of ${String(anchor)} in ${file}, found ${matches.length}; did the template change?`,
    );
  }
  const text = typeof replacement === 'string' ? replacement : replacement(...match.slice(1).map((group) => group ?? ''));
  return source.slice(0, match.index) + text + source.slice(match.index + match[0].length);
}

function patchFile(root: string, file: string, edits: Array<[anchor: RegExp, replacement: Replacement]>): void {
  const path = join(root, file);
  let source = readFileSync(path, 'utf8');
  for (const [anchor, replacement] of edits) source = replaceOnce(source, anchor, replacement, file);
  writeFileSync(path, source);
}

/** A new undici Pool (so a new TCP connection) for every upstream call, closed after it. */
export function patchPerRequestClient(root: string): void {
  patchFile(root, 'src/resources/upstream-client.ts', [
    [
      /async function callUpstream\(path: string, (\{[^}]*\}): UpstreamCallOptions\): Promise<unknown> \{/,
      (params) => `async function callUpstream(path: string, options: UpstreamCallOptions): Promise<unknown> {
    const perCall = new Pool(baseUrl.origin, { connections: 1, connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    try {
      return await callUpstreamVia(perCall, path, options);
    } finally {
      await perCall.close();
    }
  }

  async function callUpstreamVia(pool: Pool, path: string, ${params}: UpstreamCallOptions): Promise<unknown> {`,
    ],
  ]);
}

/** A new pg.Client (TCP, startup, auth) for every query instead of the pool. */
export function patchPerQueryConnection(root: string): void {
  patchFile(root, 'src/resources/database.ts', [
    [/const pending = [^;]+;/, 'const pending = queryOnNewConnection<Row>(options, text, values);'],
    [
      /$/,
      `
// bench fixture: appended, the anti-pattern the pool exists to avoid
async function queryOnNewConnection<Row extends pg.QueryResultRow>(options: DatabaseOptions, text: string, values: unknown[]): Promise<pg.QueryResult<Row>> {
  const client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: options.connectTimeoutMs, statement_timeout: options.statementTimeoutMs, query_timeout: options.statementTimeoutMs + 500 });
  await client.connect();
  try {
    return await client.query<Row>(text, values);
  } finally {
    await client.end();
  }
}
`,
    ],
  ]);
}

/** The three independent upstream calls of /concurrent awaited one after another. */
export function patchSequentialFanOut(root: string): void {
  patchFile(root, 'src/routes/concurrent.ts', [
    [
      /const calls = parts\.map\(\(part\) =>\s*([\s\S]*?\}\)),?\s*\);/,
      (call) => `const calls: unknown[] = [];
      for (const part of parts) calls.push(await ${call});`,
    ],
  ]);
}

/** The deadline timer never fires within a run; the client-disconnect signal stays. */
export function patchNoDeadline(root: string): void {
  patchFile(root, 'src/http/deadline.ts', [[/place = timer\.add\(this\);/, 'place = -1; // bench fixture: the deadline never fires']]);
}

/**
 * The upstream calls skip the admission line: they queue FIFO inside undici's pool, their timeout
 * counting the wait (the behaviour before admission control: an AbortSignal.timeout made with the
 * call, which answers 504 when it fires).
 */
export function patchNoAdmissionLine(root: string): void {
  const file = 'src/resources/upstream-client.ts';
  const path = join(root, file);
  let source = replaceOnce(
    readFileSync(path, 'utf8'),
    /let slot = line\.tryAcquire\(stop\);\n\s*if \(!slot\) \{\n[\s\S]*?\n {4}\}\n/,
    '    const slot = { release: (): void => undefined }; // bench fixture: no admission line, the call queues FIFO inside the undici pool\n',
    file,
  );
  source = replaceOnce(
    source,
    /const stop: StopSource \| undefined = deadline \?\? signal;/,
    'const stop: StopSource | undefined = AbortSignal.any([deadline?.signal ?? (signal as AbortSignal), AbortSignal.timeout(timeoutMs)]); // bench fixture: the timeout starts before the wait',
    file,
  );
  source = replaceOnce(
    source,
    /const failure = stopReason\(stop\) \?\? describeFailure\(error, path, timeoutMs\);/,
    "const failure = (stopReason(stop) as Error | undefined)?.name === 'TimeoutError' ? new DependencyTimeoutError(`The upstream (${path})`, timeoutMs, { cause: error }) : (stopReason(stop) ?? describeFailure(error, path, timeoutMs));",
    file,
  );
  writeFileSync(path, source);
}

export const perRequestClient: Variant = {
  name: 'per-request-client',
  about: 'a new HTTP client (undici Pool) per upstream call',
  patch: patchPerRequestClient,
};
export const perQueryConnection: Variant = {
  name: 'per-query-connection',
  about: 'a new pg.Client connection per query',
  patch: patchPerQueryConnection,
};
export const sequentialFanOut: Variant = {
  name: 'sequential-fan-out',
  about: '/concurrent awaits its 3 calls one after another',
  patch: patchSequentialFanOut,
};
export const noDeadline: Variant = {
  name: 'no-deadline',
  about: 'no request deadline, and a 60 s per-call timeout (UPSTREAM_TIMEOUT_MS=60000)',
  env: { UPSTREAM_TIMEOUT_MS: '60000' },
  patch: patchNoDeadline,
};
export const noAdmissionLine: Variant = {
  name: 'no-admission-line',
  about:
    'upstream calls bypass the admission line and queue FIFO inside undici, with a 2 s per-call timeout that starts before the wait (an AbortSignal.timeout); the circuit breaker is off (UPSTREAM_BREAKER_FAILURES=1000000): the code before admission control',
  env: { UPSTREAM_BREAKER_FAILURES: '1000000' },
  patch: patchNoAdmissionLine,
};
