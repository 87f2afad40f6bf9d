import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by test/global-setup.ts for every test file. */
    databaseUrl: string;
  }
}

/** The URL of the database the global setup prepared (embedded server or DATABASE_URL). */
export function testDatabaseUrl(): string {
  return inject('databaseUrl');
}

/** A URL where nothing listens, to test how the app behaves when the database is down. */
export const unreachableDatabaseUrl = 'postgres://postgres@127.0.0.1:1/none';
