-- Elson SDK, PostgreSQL, migration 4: trading-engine columns on trades.
ALTER TABLE trades
    ADD COLUMN circuit_breaker_state TEXT CHECK (circuit_breaker_state IN ('OPEN', 'RESTRICTED', 'CAUTIOUS', 'CLOSED')),
    ADD COLUMN volatility_level TEXT CHECK (volatility_level IN ('LOW', 'NORMAL', 'HIGH', 'EXTREME')),
    ADD COLUMN guardian_approval TEXT NOT NULL DEFAULT 'NOT_REQUIRED'
        CHECK (guardian_approval IN ('PENDING', 'APPROVED', 'REJECTED', 'NOT_REQUIRED')),
    ADD COLUMN confidence_score NUMERIC(5,2)
        CONSTRAINT ck_trades_confidence_score CHECK (confidence_score BETWEEN 0 AND 1),
    ADD COLUMN position_sizing NUMERIC(5,2)
        CONSTRAINT ck_trades_position_sizing CHECK (position_sizing BETWEEN 0 AND 1);
