import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/** The tests run against the PostgreSQL named by DATABASE_URL; without it they fail loudly. */
export default async function setup(project: TestProject): Promise<void> {
  const databaseUrl = process.env['DATABASE_URL'];
  if (!databaseUrl) {
    throw new Error(
      'DATABASE_URL is not set: these tests need a PostgreSQL database they may write to. ' +
        'Create one (e.g. `createdb app_test`) and run: DATABASE_URL=postgres://user@127.0.0.1:5432/app_test npm test',
    );
  }
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const url = new URL(databaseUrl);
    throw new Error(`Cannot reach the test database at ${url.hostname}:${url.port || 5432}${url.pathname}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  project.provide('databaseUrl', databaseUrl);
}
