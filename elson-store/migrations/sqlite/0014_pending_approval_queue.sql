-- Elson SDK, sqlite, migration 14: the guardian approval queue.
-- PostgreSQL copies pending trades into an unpartitioned table here, because
-- its `trades` is partitioned by month and the queue does not look trades up
-- by month. SQLite's `trades` is one table whose partial index
-- `idx_trades_pending_approval` (migration 8) already serves the queue, so
-- there is nothing to do.
SELECT 1;
