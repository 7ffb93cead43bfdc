-- Elson SDK, postgres, migration 14: the guardian approval queue outside the
-- partitioned `trades` table.
--
-- The seed's "Guardian Approval Queue" looks trades up by portfolio, not by
-- `created_at`, so on the monthly-partitioned `trades` (migration 11) every
-- execution opens, locks and probes every partition's pending-approval index
-- (37 partitions and DEFAULT: more than the 16 fast-path locks a backend
-- has), for each portfolio of each of the guardian's minors. That fixed
-- cost, not the handful of pending rows, was most of the queue's latency.
--
-- `trades_pending_approval` holds a copy of every trade whose
-- `guardian_approval` is PENDING: the same columns in the same order, one
-- small unpartitioned table with one index for the queue. Triggers keep it
-- exact in the same transaction as the write (a row enters when it is
-- written PENDING, is rewritten on every update while PENDING, and leaves
-- when it is decided or deleted); their WHEN clauses make every other trade
-- write pay nothing. The store reads the queue from here; every other read
-- of trades still reads `trades`. Store::ensure_partitions re-adds the
-- pending rows it moves out of DEFAULT (moving a row deletes it there first).
--
-- A later migration that adds a column to `trades` must add it here too, in
-- the same position (the sync copies `NEW.*`). The SQLite backend has no
-- partitions and reads the queue from `trades` directly.
CREATE TABLE trades_pending_approval (LIKE trades INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE trades_pending_approval ADD PRIMARY KEY (id);
CREATE INDEX idx_trades_pending_approval_queue
    ON trades_pending_approval (portfolio_id, created_at, id);

INSERT INTO trades_pending_approval SELECT * FROM trades WHERE guardian_approval = 'PENDING';

-- Runs as the owner of the tables (SECURITY DEFINER): the copy must follow
-- every write the caller's row-level security lets through on `trades`, so
-- it is not itself filtered by the caller's policies.
CREATE FUNCTION elson_sync_pending_approval() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM trades_pending_approval WHERE id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.guardian_approval = 'PENDING' THEN
        INSERT INTO trades_pending_approval SELECT NEW.*;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER trades_pending_approval_insert AFTER INSERT ON trades
    FOR EACH ROW WHEN (NEW.guardian_approval = 'PENDING')
    EXECUTE FUNCTION elson_sync_pending_approval();
CREATE TRIGGER trades_pending_approval_update AFTER UPDATE ON trades
    FOR EACH ROW WHEN (OLD.guardian_approval = 'PENDING' OR NEW.guardian_approval = 'PENDING')
    EXECUTE FUNCTION elson_sync_pending_approval();
CREATE TRIGGER trades_pending_approval_delete AFTER DELETE ON trades
    FOR EACH ROW WHEN (OLD.guardian_approval = 'PENDING')
    EXECUTE FUNCTION elson_sync_pending_approval();

-- The same rows as `trades`, so the same policy: the application role reads
-- only what it could read there, and writes nothing (the triggers do).
ALTER TABLE trades_pending_approval ENABLE ROW LEVEL SECURITY;
CREATE POLICY trades_pending_approval_actor ON trades_pending_approval
    USING (elson_rls_sees_portfolio(portfolio_id));
REVOKE ALL ON trades_pending_approval FROM elson_app;
GRANT SELECT ON trades_pending_approval TO elson_app;
