-- Elson SDK, sqlite, migration 11: partitioned tables and the portfolio analytics view.
-- Placeholder (issue 5): filled in by the change that implements it.
SELECT 1;
