-- Elson SDK, PostgreSQL, migration 1: initial schema.
-- Native types: UUID, TIMESTAMPTZ, NUMERIC(p,s), JSONB, arrays, BOOLEAN;
-- enums are TEXT + CHECK so that adding a value is a plain migration.

CREATE TABLE users (
    id            UUID         NOT NULL PRIMARY KEY,
    email         VARCHAR(255) NOT NULL CHECK (length(email) >= 1 AND email = lower(email)),
    password_hash VARCHAR(255) NOT NULL CHECK (length(password_hash) >= 1),
    first_name    VARCHAR(100),
    last_name     VARCHAR(100),
    date_of_birth DATE,
    created_at    TIMESTAMPTZ  NOT NULL,
    updated_at    TIMESTAMPTZ  NOT NULL,
    last_login    TIMESTAMPTZ
);
CREATE UNIQUE INDEX ux_users_email ON users (email);

CREATE TABLE portfolios (
    id           UUID          NOT NULL PRIMARY KEY,
    user_id      UUID          NOT NULL REFERENCES users (id),
    name         VARCHAR(100)  NOT NULL CHECK (length(name) >= 1),
    description  TEXT,
    created_at   TIMESTAMPTZ   NOT NULL,
    updated_at   TIMESTAMPTZ   NOT NULL,
    cash_balance NUMERIC(15,2) NOT NULL DEFAULT 0 CONSTRAINT ck_portfolios_cash_balance CHECK (cash_balance >= 0),
    total_value  NUMERIC(15,2) NOT NULL DEFAULT 0 CONSTRAINT ck_portfolios_total_value CHECK (total_value >= 0),
    type         TEXT          NOT NULL DEFAULT 'STANDARD' CHECK (type IN ('STANDARD', 'EDUCATION', 'RETIREMENT'))
);
CREATE INDEX idx_portfolios_user_id ON portfolios (user_id);

CREATE TABLE positions (
    id                UUID          NOT NULL PRIMARY KEY,
    portfolio_id      UUID          NOT NULL REFERENCES portfolios (id),
    symbol            VARCHAR(20)   NOT NULL CHECK (length(symbol) >= 1),
    quantity          NUMERIC(15,6) NOT NULL CONSTRAINT ck_positions_quantity CHECK (quantity >= 0),
    average_price     NUMERIC(15,2) NOT NULL CHECK (average_price >= 0),
    current_price     NUMERIC(15,2) NOT NULL CHECK (current_price >= 0),
    current_value     NUMERIC(15,2) NOT NULL CHECK (current_value >= 0),
    created_at        TIMESTAMPTZ   NOT NULL,
    updated_at        TIMESTAMPTZ   NOT NULL,
    last_price_update TIMESTAMPTZ,
    gain_loss         NUMERIC(15,2) NOT NULL DEFAULT 0,
    gain_loss_percent NUMERIC(10,2) NOT NULL DEFAULT 0,
    asset_type        TEXT          NOT NULL CHECK (asset_type IN ('STOCK', 'ETF', 'MUTUAL_FUND', 'CRYPTO', 'OTHER')),
    sector            VARCHAR(100)
);
-- One position per symbol per portfolio; also the portfolio_id index.
CREATE UNIQUE INDEX ux_positions_portfolio_symbol ON positions (portfolio_id, symbol);
CREATE INDEX idx_positions_symbol ON positions (symbol);

CREATE TABLE trades (
    id           UUID          NOT NULL PRIMARY KEY,
    portfolio_id UUID          NOT NULL REFERENCES portfolios (id),
    symbol       VARCHAR(20)   NOT NULL CHECK (length(symbol) >= 1),
    order_type   TEXT          NOT NULL CHECK (order_type IN ('MARKET', 'LIMIT')),
    side         TEXT          NOT NULL CHECK (side IN ('BUY', 'SELL')),
    quantity     NUMERIC(15,6) NOT NULL CONSTRAINT ck_trades_quantity CHECK (quantity > 0),
    price        NUMERIC(15,2) CHECK (price >= 0),
    status       TEXT          NOT NULL CHECK (status IN ('PENDING', 'EXECUTED', 'CANCELLED', 'REJECTED')),
    created_at   TIMESTAMPTZ   NOT NULL,
    executed_at  TIMESTAMPTZ,
    total_amount NUMERIC(15,2) CHECK (total_amount >= 0),
    fees         NUMERIC(10,2) CHECK (fees >= 0),
    notes        TEXT,
    -- executed_at is set exactly when the status is EXECUTED (DESIGN §2).
    CONSTRAINT ck_trades_executed_at CHECK ((status = 'EXECUTED') = (executed_at IS NOT NULL))
);
-- The seed's `trades.portfolio_id` index, extended with created_at so the
-- paginated trade history is one index range read in order (id breaks ties,
-- so pages never overlap or skip rows).
CREATE INDEX idx_trades_portfolio_created ON trades (portfolio_id, created_at, id);
CREATE INDEX idx_trades_created_at ON trades (created_at);

CREATE TABLE notifications (
    id                  UUID         NOT NULL PRIMARY KEY,
    user_id             UUID         NOT NULL REFERENCES users (id),
    related_entity_id   UUID,
    related_entity_type VARCHAR(50),
    type                TEXT         NOT NULL CHECK (type IN ('TRADE', 'APPROVAL', 'SYSTEM', 'EDUCATIONAL')),
    title               VARCHAR(100) NOT NULL CHECK (length(title) >= 1),
    message             TEXT         NOT NULL,
    created_at          TIMESTAMPTZ  NOT NULL,
    read_at             TIMESTAMPTZ,
    status              TEXT         NOT NULL DEFAULT 'UNREAD' CHECK (status IN ('UNREAD', 'READ', 'ARCHIVED')),
    priority            TEXT         NOT NULL DEFAULT 'NORMAL' CHECK (priority IN ('LOW', 'NORMAL', 'HIGH', 'URGENT')),
    action_url          VARCHAR(255)
);
CREATE INDEX idx_notifications_user_id ON notifications (user_id);
CREATE INDEX idx_notifications_created_at ON notifications (created_at);

-- Append-only record of who did what (DESIGN §10). No foreign key on
-- actor_id: an audit row outlives the user it names.
CREATE TABLE audit_log (
    id        BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id  UUID        NOT NULL,
    action    VARCHAR(50) NOT NULL,
    entity    VARCHAR(50) NOT NULL,
    entity_id TEXT,
    at        TIMESTAMPTZ NOT NULL,
    outcome   VARCHAR(50) NOT NULL,
    detail    TEXT
);
CREATE INDEX idx_audit_log_at ON audit_log (at);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
