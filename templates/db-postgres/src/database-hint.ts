/** How to get a database; shown when DATABASE_URL is missing. */
export const databaseUrlHint =
  'Set DATABASE_URL to your PostgreSQL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/app (see .env.example).';
