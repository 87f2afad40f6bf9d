import chalk from 'chalk';
import type { ListeningMessage } from './app-process.js';

export type DatabaseInUse = { kind: 'embedded'; dataDir: string; url: string } | { kind: 'external'; url: string };

export interface BannerInput {
  name: string;
  listening: ListeningMessage;
  database: DatabaseInUse;
  quiet: boolean;
}

/** The dev banner: URL, database, upstream and (unless quiet) the route table, in a few lines. */
export function formatBanner({ name, listening, database, quiet }: BannerInput): string {
  const lines = [
    `${chalk.bold(name)} ${chalk.dim('dev')}  ${chalk.cyan(listening.url)}`,
    `  database  ${describeDatabase(database)}`,
    `  upstream  ${listening.upstream}`,
  ];
  if (!quiet && listening.routes.length > 0) {
    const width = Math.max(...listening.routes.map((route) => route.method.length));
    lines.push('  routes');
    for (const route of listening.routes) lines.push(`    ${chalk.green(route.method.padEnd(width))}  ${route.path}`);
  }
  return lines.join('\n');
}

/** `user@host:port/db`, never the password. */
export function describeDatabase(database: DatabaseInUse): string {
  const where = redactDatabaseUrl(database.url);
  return database.kind === 'embedded' ? `embedded PGlite server, data in ${database.dataDir} (${where})` : `PostgreSQL ${where}`;
}

export function redactDatabaseUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
    return `${user}${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
