-- Elson SDK, SQLite, migration 5: volatility regimes, effective-dated model
-- parameters and backtest results.
CREATE TABLE volatility_regimes (
    id                    BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    symbol                TEXT    NOT NULL CHECK (length(symbol) BETWEEN 1 AND 20),
    timestamp             INTEGER NOT NULL,
    volatility_value      INTEGER NOT NULL,          -- DECIMAL(10,4), ten-thousandths
    volatility_level      TEXT    NOT NULL CHECK (volatility_level IN ('LOW', 'NORMAL', 'HIGH', 'EXTREME')),
    lookback_period       INTEGER NOT NULL CHECK (lookback_period > 0),
    calculation_method    TEXT    NOT NULL CHECK (calculation_method IN ('CLOSE_TO_CLOSE', 'EWMA', 'PARKINSON', 'GARMAN_KLASS')),
    circuit_breaker_state TEXT    CHECK (circuit_breaker_state IN ('OPEN', 'RESTRICTED', 'CAUTIOUS', 'CLOSED')),
    confidence_score      INTEGER NOT NULL CHECK (confidence_score BETWEEN 0 AND 100),  -- DECIMAL(5,2) fraction
    stabilization_count   INTEGER NOT NULL CHECK (stabilization_count >= 1)
) STRICT;
-- The seed's `symbol` index, extended with timestamp for "last 30 readings".
CREATE INDEX idx_volatility_regimes_symbol_timestamp ON volatility_regimes (symbol, timestamp);
CREATE INDEX idx_volatility_regimes_timestamp ON volatility_regimes (timestamp);
-- DESIGN §5: a row whose level differs from the previous row of its symbol
-- must carry stabilization_count >= 3.
CREATE TRIGGER volatility_regimes_stabilization BEFORE INSERT ON volatility_regimes
WHEN NEW.stabilization_count < 3
 AND EXISTS (SELECT 1 FROM (SELECT volatility_level FROM volatility_regimes
                            WHERE symbol = NEW.symbol AND timestamp < NEW.timestamp
                            ORDER BY timestamp DESC LIMIT 1) AS prev
             WHERE prev.volatility_level <> NEW.volatility_level)
BEGIN SELECT RAISE(ABORT, 'ck_volatility_regimes_stabilization: a regime change needs stabilization_count >= 3'); END;

CREATE TABLE model_parameters (
    id               BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    volatility_level TEXT    NOT NULL CHECK (volatility_level IN ('LOW', 'NORMAL', 'HIGH', 'EXTREME')),
    parameter_type   TEXT    NOT NULL CHECK (length(parameter_type) BETWEEN 1 AND 50),
    parameter_name   TEXT    NOT NULL CHECK (length(parameter_name) BETWEEN 1 AND 100),
    parameter_value  INTEGER NOT NULL,               -- DECIMAL(15,6), millionths
    effective_from   INTEGER NOT NULL,
    effective_to     INTEGER,
    created_by       TEXT    NOT NULL CHECK (length(created_by) BETWEEN 1 AND 100),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    description      TEXT,
    CONSTRAINT ck_model_parameters_interval CHECK (effective_to IS NULL OR effective_to > effective_from)
) STRICT;
CREATE INDEX idx_model_parameters_volatility_level ON model_parameters (volatility_level);
CREATE INDEX idx_model_parameters_parameter_name ON model_parameters (parameter_name);

CREATE TABLE backtest_results (
    id                   BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    model_version        TEXT    NOT NULL CHECK (length(model_version) BETWEEN 1 AND 50),
    symbol               TEXT    NOT NULL CHECK (length(symbol) BETWEEN 1 AND 20),
    start_date           TEXT    NOT NULL CHECK (date(start_date) = start_date),
    end_date             TEXT    NOT NULL CHECK (date(end_date) = end_date),
    total_trades         INTEGER NOT NULL CHECK (total_trades >= 0),
    win_rate             INTEGER NOT NULL CHECK (win_rate BETWEEN 0 AND 10000),  -- DECIMAL(5,2) percent
    profit_loss          INTEGER NOT NULL,   -- cents
    sharpe_ratio         INTEGER NOT NULL,   -- DECIMAL(10,4)
    drawdown_max         INTEGER NOT NULL,   -- DECIMAL(10,4)
    volatility_breakdown TEXT    NOT NULL CHECK (json_valid(volatility_breakdown)),
    parameters_used      TEXT    NOT NULL CHECK (json_valid(parameters_used)),
    created_at           INTEGER NOT NULL,
    notes                TEXT,
    CONSTRAINT ck_backtest_results_dates CHECK (end_date >= start_date)
) STRICT;
CREATE INDEX idx_backtest_results_model_version ON backtest_results (model_version);
CREATE INDEX idx_backtest_results_symbol ON backtest_results (symbol);
