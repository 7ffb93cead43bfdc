-- Elson SDK, sqlite, migration 11: partitioned tables and the portfolio analytics view.
--
-- Partitioning: nothing to do. SQLite has no table partitioning; an embedded
-- database holds one family's or one device's rows, where a b-tree per index
-- is already the right shape. PostgreSQL partitions trades, volatility_regimes
-- (monthly) and notifications (hash of user_id) in its migration 11;
-- Store::ensure_partitions is a documented no-op here.
--
-- portfolio_analytics: on PostgreSQL a materialized view refreshed
-- concurrently; here a plain view with the same name and columns, always
-- fresh (Store::refresh_portfolio_analytics is a no-op). Money columns are
-- scaled integers like the tables they sum (cents).
-- Correlated subqueries, so a read of one portfolio is a few index range
-- reads (ux_positions_portfolio_symbol, idx_trades_portfolio_status,
-- idx_trades_portfolio_created) rather than an aggregate over every row.
CREATE VIEW portfolio_analytics AS
SELECT p.id AS portfolio_id,
       p.user_id,
       p.cash_balance,
       p.total_value,
       (SELECT COUNT(*) FROM positions x WHERE x.portfolio_id = p.id) AS position_count,
       (SELECT COALESCE(SUM(x.current_value), 0) FROM positions x WHERE x.portfolio_id = p.id) AS positions_value,
       (SELECT COALESCE(SUM(x.gain_loss), 0) FROM positions x WHERE x.portfolio_id = p.id) AS gain_loss,
       (SELECT COUNT(*) FROM trades t WHERE t.portfolio_id = p.id AND t.status = 'PENDING') AS trades_pending,
       (SELECT COUNT(*) FROM trades t WHERE t.portfolio_id = p.id AND t.status = 'EXECUTED') AS trades_executed,
       (SELECT COUNT(*) FROM trades t WHERE t.portfolio_id = p.id AND t.status = 'CANCELLED') AS trades_cancelled,
       (SELECT COUNT(*) FROM trades t WHERE t.portfolio_id = p.id AND t.status = 'REJECTED') AS trades_rejected,
       (SELECT MAX(t.created_at) FROM trades t WHERE t.portfolio_id = p.id) AS last_trade_at
FROM portfolios p;
