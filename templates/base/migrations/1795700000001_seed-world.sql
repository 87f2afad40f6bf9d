-- Seeds the World table once: 10,000 rows (WORLD_ROWS in src/routes/db.ts), random numbers 1-10,000.
-- ON CONFLICT: rows an older database already has are kept.

-- Up Migration
INSERT INTO world (id, randomnumber)
  SELECT n, 1 + floor(random() * 10000)::integer FROM generate_series(1, 10000) AS n
  ON CONFLICT (id) DO NOTHING;

-- Down Migration
DELETE FROM world;
