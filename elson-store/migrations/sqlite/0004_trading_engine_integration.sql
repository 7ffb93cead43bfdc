-- Elson SDK, SQLite, migration 4: trading-engine columns on trades.
ALTER TABLE trades ADD COLUMN circuit_breaker_state TEXT
    CHECK (circuit_breaker_state IN ('OPEN', 'RESTRICTED', 'CAUTIOUS', 'CLOSED'));
ALTER TABLE trades ADD COLUMN volatility_level TEXT
    CHECK (volatility_level IN ('LOW', 'NORMAL', 'HIGH', 'EXTREME'));
ALTER TABLE trades ADD COLUMN guardian_approval TEXT NOT NULL DEFAULT 'NOT_REQUIRED'
    CHECK (guardian_approval IN ('PENDING', 'APPROVED', 'REJECTED', 'NOT_REQUIRED'));
-- DECIMAL(5,2) fractions in [0, 1], stored in hundredths (0..100).
ALTER TABLE trades ADD COLUMN confidence_score INTEGER
    CONSTRAINT ck_trades_confidence_score CHECK (confidence_score BETWEEN 0 AND 100);
ALTER TABLE trades ADD COLUMN position_sizing INTEGER
    CONSTRAINT ck_trades_position_sizing CHECK (position_sizing BETWEEN 0 AND 100);
