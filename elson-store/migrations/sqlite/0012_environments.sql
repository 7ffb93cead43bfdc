-- Elson SDK, sqlite, migration 12: the environment a database belongs to.
-- Placeholder (issue 5): filled in by the change that implements it.
SELECT 1;
