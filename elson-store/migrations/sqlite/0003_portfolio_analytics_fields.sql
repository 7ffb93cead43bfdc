-- Elson SDK, SQLite, migration 3: portfolio analytics fields.
ALTER TABLE portfolios ADD COLUMN risk_score INTEGER
    CONSTRAINT ck_portfolios_risk_score CHECK (risk_score BETWEEN 0 AND 100);
ALTER TABLE portfolios ADD COLUMN diversification_score INTEGER
    CONSTRAINT ck_portfolios_diversification_score CHECK (diversification_score BETWEEN 0 AND 100);
ALTER TABLE portfolios ADD COLUMN guardian_approval INTEGER NOT NULL DEFAULT 0
    CHECK (guardian_approval IN (0, 1));
ALTER TABLE portfolios ADD COLUMN volatility_preference TEXT
    CHECK (volatility_preference IN ('LOW', 'NORMAL', 'HIGH', 'EXTREME'));
ALTER TABLE portfolios ADD COLUMN performance_metrics TEXT CHECK (performance_metrics IS NULL OR json_valid(performance_metrics));
