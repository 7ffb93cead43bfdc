-- Elson SDK, sqlite, migration 10: row-level security and the application role.
-- Placeholder (issue 5): filled in by the change that implements it.
SELECT 1;
