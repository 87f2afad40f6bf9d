/** How to get a database; shown when DATABASE_URL is missing. */
export const databaseUrlHint =
  'Start the embedded database with `npm run db` (it prints the DATABASE_URL to use, by default ' +
  'postgres://postgres:postgres@127.0.0.1:55432/postgres), or point DATABASE_URL at your PostgreSQL.';
