/** How to get a database; shown when DATABASE_URL is missing. Each database overlay replaces this file. */
export const databaseUrlHint = 'Set DATABASE_URL to a PostgreSQL connection string, e.g. postgres://user:password@127.0.0.1:5432/app.';
