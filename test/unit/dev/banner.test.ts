import chalk from 'chalk';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDatabase, formatBanner, redactDatabaseUrl } from '../../../src/dev/banner.js';

beforeAll(() => {
  chalk.level = 0;
});

const listening = {
  type: 'asyncsrv:listening' as const,
  url: 'http://127.0.0.1:3000',
  upstream: 'http://127.0.0.1:3000/upstream',
  routes: [
    { method: 'GET', path: '/json' },
    { method: 'POST', path: '/items' },
  ],
};

describe('formatBanner', () => {
  it('shows the URL, database, upstream and the route table', () => {
    expect(
      formatBanner({
        name: 'my-app',
        listening,
        database: { kind: 'external', url: 'postgres://app:s3cret@db.local:6432/orders' },
        quiet: false,
      }),
    ).toBe(
      [
        'my-app dev  http://127.0.0.1:3000',
        '  database  PostgreSQL app@db.local:6432/orders',
        '  upstream  http://127.0.0.1:3000/upstream',
        '  routes',
        '    GET   /json',
        '    POST  /items',
      ].join('\n'),
    );
  });

  it('leaves the route table out when quiet', () => {
    expect(formatBanner({ name: 'x', listening, database: { kind: 'external', url: 'postgres://h/db' }, quiet: true })).not.toContain(
      'routes',
    );
  });
});

describe('database description', () => {
  it('never shows the password', () => {
    expect(redactDatabaseUrl('postgres://postgres:postgres@127.0.0.1:55432/postgres')).toBe('postgres@127.0.0.1:55432/postgres');
    expect(redactDatabaseUrl('postgresql://host/db')).toBe('host:5432/db');
    expect(redactDatabaseUrl('not a url')).toBe('(unparseable DATABASE_URL)');
  });

  it('names the embedded server and its data directory', () => {
    expect(describeDatabase({ kind: 'embedded', dataDir: '.data/pglite', url: 'postgres://postgres:pw@127.0.0.1:40000/postgres' })).toBe(
      'embedded PGlite server, data in .data/pglite (postgres@127.0.0.1:40000/postgres)',
    );
  });
});
