/** Keys whose value is a URL: logged with its password hidden, the rest kept for debugging. */
const urlKeys = new Set(['url', 'databaseUrl', 'upstream']);

const secretHeaders = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];

/**
 * What pino's `redact` hides in every logged object. Exact paths only: a `*` wildcard makes pino
 * walk every logged object and would cost more than the rest of a log line.
 */
export const redactPaths: string[] = [
  ...['headers', 'req.headers', 'res.headers'].flatMap((prefix) => secretHeaders.map((name) => `${prefix}["${name}"]`)),
  ...urlKeys,
];

/** pino's `redact.censor`: a URL loses only its password, anything else on `redactPaths` becomes `[redacted]`. */
export function censor(value: unknown, path: string[]): unknown {
  if (!urlKeys.has(path[path.length - 1] ?? '')) return '[redacted]';
  if (value instanceof URL) return hidePassword(value.href);
  return typeof value === 'string' ? hidePassword(value) : value;
}

/**
 * `postgres://user:password@host:5432/app` → `postgres://user:***@host:5432/app`; a URL without a password
 * is returned as it is. Also for strings that do not parse: the part between `user:` and `@` goes.
 */
export function hidePassword(url: string): string {
  if (URL.canParse(url)) {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.href;
  }
  return url.replace(/^([^:/?#]+:\/\/[^:/?#@]*:)[^@]*@/, '$1***@');
}
