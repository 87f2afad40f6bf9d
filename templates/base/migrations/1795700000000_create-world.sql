-- The benchmark's table, after the TechEmpower "World" table (GET /db, /queries, /updates).
-- IF NOT EXISTS: a database made before migrations (the app created the table at each start) takes
-- this migration as it is.

-- Up Migration
CREATE TABLE IF NOT EXISTS world (
  id integer PRIMARY KEY,
  randomnumber integer NOT NULL
);

-- Down Migration
DROP TABLE world;
