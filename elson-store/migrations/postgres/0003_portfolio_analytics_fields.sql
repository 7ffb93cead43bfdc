-- Elson SDK, PostgreSQL, migration 3: portfolio analytics fields.
ALTER TABLE portfolios
    ADD COLUMN risk_score INTEGER CONSTRAINT ck_portfolios_risk_score CHECK (risk_score BETWEEN 0 AND 100),
    ADD COLUMN diversification_score INTEGER
        CONSTRAINT ck_portfolios_diversification_score CHECK (diversification_score BETWEEN 0 AND 100),
    ADD COLUMN guardian_approval BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN volatility_preference TEXT CHECK (volatility_preference IN ('LOW', 'NORMAL', 'HIGH', 'EXTREME')),
    ADD COLUMN performance_metrics JSONB;
