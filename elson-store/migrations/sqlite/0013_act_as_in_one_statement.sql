-- Elson SDK, sqlite, migration 13: the per-call actor in one statement.
-- Nothing to do on SQLite: the function this adds on PostgreSQL sets the
-- row-level-security settings, and SQLite has no row-level security (see
-- migration 10). The store reads the actor's standing from `users` there.
SELECT 1;
