-- Elson SDK, postgres, migration 11: partitioned tables and the portfolio analytics view.
--
-- trades              RANGE (created_at), one partition per calendar month (UTC)
-- volatility_regimes  RANGE (timestamp),  one partition per calendar month (UTC)
-- notifications       HASH (user_id), 8 partitions
--
-- Each range-partitioned table has a DEFAULT partition, so an insert outside
-- every monthly range still succeeds; Store::ensure_partitions creates the
-- months ahead (and moves rows out of DEFAULT into a month it creates).
-- Monthly partitions exist here for 2025-01 .. 2026-12 (the demo data starts
-- 2025-01; deployments call ensure_partitions from a scheduler). Keep the
-- window short: a query without the partition key (history by portfolio,
-- readings by symbol, lookup by id) opens every partition, ~10-15 µs each.
--
-- Keys: PostgreSQL requires a partitioned table's primary key to contain the
-- partition key, so the keys are (id, created_at), (id, timestamp) and
-- (id, user_id). `id` stays unique in practice because ids are UUIDs (v4/v7,
-- 122/74 random bits) chosen by the SDK or its caller. The database refuses a
-- reused id only at the same key value (a retry must reuse its timestamp);
-- SQLite still refuses any reuse. A lookup by id alone is one index probe per
-- partition (cheap: each probe is one b-tree descent, and new months are few).
--
-- The conversion keeps the data, every column and CHECK (CREATE TABLE … LIKE,
-- so columns added by earlier migrations come along), the foreign keys, the
-- index names of migrations 1–8, the regime-stabilization trigger, and the
-- row-level-security flags, policies, grants and other user triggers an
-- earlier migration put on the old table.

-- Copies what LIKE does not: RLS flags, policies, grants and user triggers.
CREATE FUNCTION elson_copy_table_extras(old_t regclass, new_t regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    pol record;
    trg record;
    acl record;
    rls boolean;
    force_rls boolean;
BEGIN
    SELECT relrowsecurity, relforcerowsecurity INTO rls, force_rls FROM pg_class WHERE oid = old_t;
    IF rls THEN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', new_t);
    END IF;
    IF force_rls THEN
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', new_t);
    END IF;
    FOR pol IN
        SELECT p.polname, p.polpermissive, p.polcmd,
               pg_get_expr(p.polqual, p.polrelid) AS qual,
               pg_get_expr(p.polwithcheck, p.polrelid) AS withcheck,
               ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE quote_ident(pg_get_userbyid(r)) END
                     FROM unnest(p.polroles) AS r) AS roles
        FROM pg_policy p WHERE p.polrelid = old_t
    LOOP
        EXECUTE format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s',
            pol.polname, new_t,
            CASE WHEN pol.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
            CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                            WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
            array_to_string(pol.roles, ', '),
            CASE WHEN pol.qual IS NULL THEN '' ELSE ' USING (' || pol.qual || ')' END,
            CASE WHEN pol.withcheck IS NULL THEN '' ELSE ' WITH CHECK (' || pol.withcheck || ')' END);
    END LOOP;
    FOR acl IN
        SELECT a.privilege_type, a.grantee, a.is_grantable
        FROM pg_class c, aclexplode(c.relacl) AS a
        WHERE c.oid = old_t AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('GRANT %s ON %s TO %s%s', acl.privilege_type, new_t,
            CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END,
            CASE WHEN acl.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    -- User triggers other than the stabilization trigger (re-created below).
    FOR trg IN
        SELECT t.tgname, pg_get_triggerdef(t.oid) AS def FROM pg_trigger t
        WHERE t.tgrelid = old_t AND NOT t.tgisinternal
          AND t.tgname <> 'volatility_regimes_stabilization'
    LOOP
        EXECUTE regexp_replace(trg.def, ' ON \S+ ', format(' ON %s ', new_t));
    END LOOP;
END $$;

-- Monthly partitions [from_month, to_month] of a range-partitioned table.
CREATE FUNCTION elson_create_monthly_partitions(parent text, from_month date, to_month date)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    m date := date_trunc('month', from_month)::date;
BEGIN
    WHILE m <= to_month LOOP
        EXECUTE format(
            'CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
            parent || '_' || to_char(m, 'YYYY_MM'), parent,
            (m::timestamp AT TIME ZONE 'UTC'),
            ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
        m := (m + interval '1 month')::date;
    END LOOP;
END $$;

-- ---------------------------------------------------------------- trades
ALTER TABLE trades RENAME TO trades_unpartitioned;
CREATE TABLE trades (LIKE trades_unpartitioned INCLUDING ALL EXCLUDING INDEXES)
    PARTITION BY RANGE (created_at);
CREATE TABLE trades_default PARTITION OF trades DEFAULT;
SELECT elson_create_monthly_partitions('trades', '2025-01-01', '2026-12-01');
INSERT INTO trades SELECT * FROM trades_unpartitioned;
SELECT elson_copy_table_extras('trades_unpartitioned', 'trades');
DROP TABLE trades_unpartitioned;
ALTER TABLE trades ADD CONSTRAINT trades_pkey PRIMARY KEY (id, created_at);
ALTER TABLE trades ADD CONSTRAINT trades_portfolio_id_fkey
    FOREIGN KEY (portfolio_id) REFERENCES portfolios (id);
CREATE INDEX idx_trades_portfolio_created ON trades (portfolio_id, created_at, id);
CREATE INDEX idx_trades_created_at ON trades (created_at);
CREATE INDEX idx_trades_portfolio_status ON trades (portfolio_id, status);
CREATE INDEX idx_trades_symbol_side ON trades (symbol, side);
CREATE INDEX idx_trades_executed_at ON trades (executed_at);
CREATE INDEX idx_trades_pending_approval ON trades (portfolio_id) WHERE guardian_approval = 'PENDING';

-- ---------------------------------------------------- volatility_regimes
ALTER TABLE volatility_regimes RENAME TO volatility_regimes_unpartitioned;
CREATE TABLE volatility_regimes (LIKE volatility_regimes_unpartitioned INCLUDING ALL EXCLUDING INDEXES)
    PARTITION BY RANGE (timestamp);
CREATE TABLE volatility_regimes_default PARTITION OF volatility_regimes DEFAULT;
SELECT elson_create_monthly_partitions('volatility_regimes', '2025-01-01', '2026-12-01');
-- Copied before the trigger exists: these rows were checked when written.
INSERT INTO volatility_regimes SELECT * FROM volatility_regimes_unpartitioned;
SELECT elson_copy_table_extras('volatility_regimes_unpartitioned', 'volatility_regimes');
DROP TABLE volatility_regimes_unpartitioned;
ALTER TABLE volatility_regimes ADD CONSTRAINT volatility_regimes_pkey PRIMARY KEY (id, timestamp);
CREATE INDEX idx_volatility_regimes_symbol_timestamp ON volatility_regimes (symbol, timestamp);
CREATE INDEX idx_volatility_regimes_timestamp ON volatility_regimes (timestamp);
CREATE INDEX idx_volatility_regimes_symbol_level ON volatility_regimes (symbol, volatility_level);
CREATE INDEX idx_volatility_regimes_breaker ON volatility_regimes (circuit_breaker_state);
-- The same function as migration 5; a BEFORE ROW trigger on a partitioned
-- table is cloned onto every partition (PostgreSQL 13+), and its lookup of the
-- previous reading goes through the parent, so it sees every partition.
CREATE TRIGGER volatility_regimes_stabilization BEFORE INSERT ON volatility_regimes
    FOR EACH ROW EXECUTE FUNCTION volatility_regimes_stabilization();

-- ---------------------------------------------------------- notifications
ALTER TABLE notifications RENAME TO notifications_unpartitioned;
CREATE TABLE notifications (LIKE notifications_unpartitioned INCLUDING ALL EXCLUDING INDEXES)
    PARTITION BY HASH (user_id);
DO $$
BEGIN
    FOR r IN 0..7 LOOP
        EXECUTE format('CREATE TABLE notifications_p%s PARTITION OF notifications '
                       'FOR VALUES WITH (MODULUS 8, REMAINDER %s)', r, r);
    END LOOP;
END $$;
INSERT INTO notifications SELECT * FROM notifications_unpartitioned;
SELECT elson_copy_table_extras('notifications_unpartitioned', 'notifications');
DROP TABLE notifications_unpartitioned;
ALTER TABLE notifications ADD CONSTRAINT notifications_pkey PRIMARY KEY (id, user_id);
ALTER TABLE notifications ADD CONSTRAINT notifications_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id);
CREATE INDEX idx_notifications_created_at ON notifications (created_at);
CREATE INDEX idx_notifications_user_status ON notifications (user_id, status);
CREATE INDEX idx_notifications_user_type ON notifications (user_id, type);

DROP FUNCTION elson_copy_table_extras(regclass, regclass);
DROP FUNCTION elson_create_monthly_partitions(text, date, date);

-- ------------------------------------------------- portfolio_analytics
-- One row per portfolio: what the overview and the analytics screens show,
-- precomputed. Refreshed by Store::refresh_portfolio_analytics
-- (REFRESH … CONCURRENTLY, which needs the unique index and never blocks
-- readers). A materialized view has no row-level security of its own: the
-- store reads it only by portfolio or user id, after authorization.
CREATE MATERIALIZED VIEW portfolio_analytics AS
SELECT p.id AS portfolio_id,
       p.user_id,
       p.cash_balance,
       p.total_value,
       COALESCE(pos.position_count, 0) AS position_count,
       COALESCE(pos.positions_value, 0)::NUMERIC(15,2) AS positions_value,
       COALESCE(pos.gain_loss, 0)::NUMERIC(15,2) AS gain_loss,
       COALESCE(t.trades_pending, 0) AS trades_pending,
       COALESCE(t.trades_executed, 0) AS trades_executed,
       COALESCE(t.trades_cancelled, 0) AS trades_cancelled,
       COALESCE(t.trades_rejected, 0) AS trades_rejected,
       t.last_trade_at
FROM portfolios p
LEFT JOIN (SELECT portfolio_id,
                  COUNT(*) AS position_count,
                  SUM(current_value) AS positions_value,
                  SUM(gain_loss) AS gain_loss
           FROM positions GROUP BY portfolio_id) pos ON pos.portfolio_id = p.id
LEFT JOIN (SELECT portfolio_id,
                  COUNT(*) FILTER (WHERE status = 'PENDING') AS trades_pending,
                  COUNT(*) FILTER (WHERE status = 'EXECUTED') AS trades_executed,
                  COUNT(*) FILTER (WHERE status = 'CANCELLED') AS trades_cancelled,
                  COUNT(*) FILTER (WHERE status = 'REJECTED') AS trades_rejected,
                  MAX(created_at) AS last_trade_at
           FROM trades GROUP BY portfolio_id) t ON t.portfolio_id = p.id
WITH DATA;
CREATE UNIQUE INDEX ux_portfolio_analytics_portfolio ON portfolio_analytics (portfolio_id);
CREATE INDEX idx_portfolio_analytics_user ON portfolio_analytics (user_id);
