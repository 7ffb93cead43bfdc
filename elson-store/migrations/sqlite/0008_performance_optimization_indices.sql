-- Elson SDK, SQLite, migration 8: the seed's performance indices.
CREATE INDEX idx_users_role_status ON users (role, status);
CREATE INDEX idx_users_last_login ON users (last_login);
CREATE INDEX idx_portfolios_total_value ON portfolios (total_value);
CREATE INDEX idx_positions_portfolio_asset_type ON positions (portfolio_id, asset_type);
CREATE INDEX idx_positions_current_value ON positions (current_value);
CREATE INDEX idx_trades_portfolio_status ON trades (portfolio_id, status);
CREATE INDEX idx_trades_symbol_side ON trades (symbol, side);
CREATE INDEX idx_trades_executed_at ON trades (executed_at);
CREATE INDEX idx_notifications_user_status ON notifications (user_id, status);
CREATE INDEX idx_notifications_user_type ON notifications (user_id, type);
CREATE INDEX idx_volatility_regimes_symbol_level ON volatility_regimes (symbol, volatility_level);
CREATE INDEX idx_volatility_regimes_breaker ON volatility_regimes (circuit_breaker_state);
CREATE INDEX idx_backtest_results_symbol_version ON backtest_results (symbol, model_version);
CREATE INDEX idx_backtest_results_win_rate ON backtest_results (win_rate);
CREATE INDEX idx_beta_feedback_status_severity ON beta_feedback (status, severity);
CREATE INDEX idx_beta_feedback_type ON beta_feedback (feedback_type);
-- Not in the seed: the guardian approval queue reads only PENDING trades.
CREATE INDEX idx_trades_pending_approval ON trades (portfolio_id) WHERE guardian_approval = 'PENDING';
-- The seed's single-column `notifications.user_id` index is a prefix of the
-- two composites above; keeping it would only slow every insert.
DROP INDEX idx_notifications_user_id;
