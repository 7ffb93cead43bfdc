-- Elson SDK, PostgreSQL, migration 5: volatility regimes, effective-dated
-- model parameters and backtest results.
CREATE TABLE volatility_regimes (
    id                    UUID          NOT NULL PRIMARY KEY,
    symbol                VARCHAR(20)   NOT NULL CHECK (length(symbol) >= 1),
    timestamp             TIMESTAMPTZ   NOT NULL,
    volatility_value      NUMERIC(10,4) NOT NULL,
    volatility_level      TEXT          NOT NULL CHECK (volatility_level IN ('LOW', 'NORMAL', 'HIGH', 'EXTREME')),
    lookback_period       INTEGER       NOT NULL CHECK (lookback_period > 0),
    calculation_method    VARCHAR(50)   NOT NULL
        CHECK (calculation_method IN ('CLOSE_TO_CLOSE', 'EWMA', 'PARKINSON', 'GARMAN_KLASS')),
    circuit_breaker_state TEXT          CHECK (circuit_breaker_state IN ('OPEN', 'RESTRICTED', 'CAUTIOUS', 'CLOSED')),
    confidence_score      NUMERIC(5,2)  NOT NULL CHECK (confidence_score BETWEEN 0 AND 1),
    stabilization_count   INTEGER       NOT NULL CHECK (stabilization_count >= 1)
);
-- The seed's `symbol` index, extended with timestamp for "last 30 readings".
CREATE INDEX idx_volatility_regimes_symbol_timestamp ON volatility_regimes (symbol, timestamp);
CREATE INDEX idx_volatility_regimes_timestamp ON volatility_regimes (timestamp);
-- DESIGN §5: a row whose level differs from the previous row of its symbol
-- must carry stabilization_count >= 3.
CREATE FUNCTION volatility_regimes_stabilization() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    prev_level TEXT;
BEGIN
    IF NEW.stabilization_count < 3 THEN
        SELECT volatility_level INTO prev_level FROM volatility_regimes
         WHERE symbol = NEW.symbol AND timestamp < NEW.timestamp
         ORDER BY timestamp DESC LIMIT 1;
        IF prev_level IS NOT NULL AND prev_level <> NEW.volatility_level THEN
            RAISE EXCEPTION 'a regime change needs stabilization_count >= 3'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_volatility_regimes_stabilization';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER volatility_regimes_stabilization BEFORE INSERT ON volatility_regimes
    FOR EACH ROW EXECUTE FUNCTION volatility_regimes_stabilization();

CREATE TABLE model_parameters (
    id               UUID          NOT NULL PRIMARY KEY,
    volatility_level TEXT          NOT NULL CHECK (volatility_level IN ('LOW', 'NORMAL', 'HIGH', 'EXTREME')),
    parameter_type   VARCHAR(50)   NOT NULL CHECK (length(parameter_type) >= 1),
    parameter_name   VARCHAR(100)  NOT NULL CHECK (length(parameter_name) >= 1),
    parameter_value  NUMERIC(15,6) NOT NULL,
    effective_from   TIMESTAMPTZ   NOT NULL,
    effective_to     TIMESTAMPTZ,
    created_by       VARCHAR(100)  NOT NULL CHECK (length(created_by) >= 1),
    created_at       TIMESTAMPTZ   NOT NULL,
    updated_at       TIMESTAMPTZ   NOT NULL,
    description      TEXT,
    CONSTRAINT ck_model_parameters_interval CHECK (effective_to IS NULL OR effective_to > effective_from)
);
CREATE INDEX idx_model_parameters_volatility_level ON model_parameters (volatility_level);
CREATE INDEX idx_model_parameters_parameter_name ON model_parameters (parameter_name);

CREATE TABLE backtest_results (
    id                   UUID          NOT NULL PRIMARY KEY,
    model_version        VARCHAR(50)   NOT NULL CHECK (length(model_version) >= 1),
    symbol               VARCHAR(20)   NOT NULL CHECK (length(symbol) >= 1),
    start_date           DATE          NOT NULL,
    end_date             DATE          NOT NULL,
    total_trades         INTEGER       NOT NULL CHECK (total_trades >= 0),
    win_rate             NUMERIC(5,2)  NOT NULL CHECK (win_rate BETWEEN 0 AND 100),
    profit_loss          NUMERIC(15,2) NOT NULL,
    sharpe_ratio         NUMERIC(10,4) NOT NULL,
    drawdown_max         NUMERIC(10,4) NOT NULL,
    volatility_breakdown JSONB         NOT NULL,
    parameters_used      JSONB         NOT NULL,
    created_at           TIMESTAMPTZ   NOT NULL,
    notes                TEXT,
    CONSTRAINT ck_backtest_results_dates CHECK (end_date >= start_date)
);
CREATE INDEX idx_backtest_results_model_version ON backtest_results (model_version);
CREATE INDEX idx_backtest_results_symbol ON backtest_results (symbol);
