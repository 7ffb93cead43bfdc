-- Elson SDK, SQLite, migration 1: initial schema.
-- Representation (see the elson-store crate docs): UUID = BLOB (16 bytes,
-- big-endian, sorts like PostgreSQL uuid); timestamps = INTEGER microseconds since the Unix
-- epoch, UTC; DATE = TEXT 'YYYY-MM-DD'; decimals = INTEGER scaled by
-- 10^scale of the column (cents for money, micro-units for quantities);
-- booleans = INTEGER 0/1; JSON = TEXT (json_valid); enums = TEXT + CHECK.
-- Tables are STRICT so a value of the wrong storage class is refused.

CREATE TABLE users (
    id            BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    email         TEXT    NOT NULL CHECK (length(email) BETWEEN 1 AND 255 AND email = lower(email)),
    password_hash TEXT    NOT NULL CHECK (length(password_hash) BETWEEN 1 AND 255),
    first_name    TEXT    CHECK (length(first_name) <= 100),
    last_name     TEXT    CHECK (length(last_name) <= 100),
    date_of_birth TEXT    CHECK (date_of_birth IS NULL OR date(date_of_birth) = date_of_birth),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    last_login    INTEGER
) STRICT;
CREATE UNIQUE INDEX ux_users_email ON users (email);

CREATE TABLE portfolios (
    id           BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    user_id      BLOB    NOT NULL REFERENCES users (id),
    name         TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description  TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    cash_balance INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_portfolios_cash_balance CHECK (cash_balance >= 0),
    total_value  INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_portfolios_total_value CHECK (total_value >= 0),
    type         TEXT    NOT NULL DEFAULT 'STANDARD' CHECK (type IN ('STANDARD', 'EDUCATION', 'RETIREMENT'))
) STRICT;
CREATE INDEX idx_portfolios_user_id ON portfolios (user_id);

CREATE TABLE positions (
    id                BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    portfolio_id      BLOB    NOT NULL REFERENCES portfolios (id),
    symbol            TEXT    NOT NULL CHECK (length(symbol) BETWEEN 1 AND 20),
    quantity          INTEGER NOT NULL CONSTRAINT ck_positions_quantity CHECK (quantity >= 0),
    average_price     INTEGER NOT NULL CHECK (average_price >= 0),
    current_price     INTEGER NOT NULL CHECK (current_price >= 0),
    current_value     INTEGER NOT NULL CHECK (current_value >= 0),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    last_price_update INTEGER,
    gain_loss         INTEGER NOT NULL DEFAULT 0,
    gain_loss_percent INTEGER NOT NULL DEFAULT 0,
    asset_type        TEXT    NOT NULL CHECK (asset_type IN ('STOCK', 'ETF', 'MUTUAL_FUND', 'CRYPTO', 'OTHER')),
    sector            TEXT    CHECK (length(sector) <= 100)
) STRICT;
-- One position per symbol per portfolio; also the portfolio_id index.
CREATE UNIQUE INDEX ux_positions_portfolio_symbol ON positions (portfolio_id, symbol);
CREATE INDEX idx_positions_symbol ON positions (symbol);

CREATE TABLE trades (
    id           BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    portfolio_id BLOB    NOT NULL REFERENCES portfolios (id),
    symbol       TEXT    NOT NULL CHECK (length(symbol) BETWEEN 1 AND 20),
    order_type   TEXT    NOT NULL CHECK (order_type IN ('MARKET', 'LIMIT')),
    side         TEXT    NOT NULL CHECK (side IN ('BUY', 'SELL')),
    quantity     INTEGER NOT NULL CONSTRAINT ck_trades_quantity CHECK (quantity > 0),
    price        INTEGER CHECK (price >= 0),
    status       TEXT    NOT NULL CHECK (status IN ('PENDING', 'EXECUTED', 'CANCELLED', 'REJECTED')),
    created_at   INTEGER NOT NULL,
    executed_at  INTEGER,
    total_amount INTEGER CHECK (total_amount >= 0),
    fees         INTEGER CHECK (fees >= 0),
    notes        TEXT,
    -- executed_at is set exactly when the status is EXECUTED (DESIGN §2).
    CONSTRAINT ck_trades_executed_at CHECK ((status = 'EXECUTED') = (executed_at IS NOT NULL))
) STRICT;
-- The seed's `trades.portfolio_id` index, extended with created_at so the
-- paginated trade history is one index range read in order (id breaks ties,
-- so pages never overlap or skip rows).
CREATE INDEX idx_trades_portfolio_created ON trades (portfolio_id, created_at, id);
CREATE INDEX idx_trades_created_at ON trades (created_at);

CREATE TABLE notifications (
    id                  BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    user_id             BLOB    NOT NULL REFERENCES users (id),
    related_entity_id   BLOB    CHECK (length(related_entity_id) = 16),
    related_entity_type TEXT    CHECK (length(related_entity_type) <= 50),
    type                TEXT    NOT NULL CHECK (type IN ('TRADE', 'APPROVAL', 'SYSTEM', 'EDUCATIONAL')),
    title               TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    message             TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    read_at             INTEGER,
    status              TEXT    NOT NULL DEFAULT 'UNREAD' CHECK (status IN ('UNREAD', 'READ', 'ARCHIVED')),
    priority            TEXT    NOT NULL DEFAULT 'NORMAL' CHECK (priority IN ('LOW', 'NORMAL', 'HIGH', 'URGENT')),
    action_url          TEXT    CHECK (length(action_url) <= 255)
) STRICT;
CREATE INDEX idx_notifications_user_id ON notifications (user_id);
CREATE INDEX idx_notifications_created_at ON notifications (created_at);

-- Append-only record of who did what (DESIGN §10). No foreign key on
-- actor_id: an audit row outlives the user it names.
CREATE TABLE audit_log (
    id        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    actor_id  BLOB    NOT NULL CHECK (length(actor_id) = 16),
    action    TEXT    NOT NULL CHECK (length(action) BETWEEN 1 AND 50),
    entity    TEXT    NOT NULL CHECK (length(entity) BETWEEN 1 AND 50),
    entity_id TEXT,
    at        INTEGER NOT NULL,
    outcome   TEXT    NOT NULL CHECK (length(outcome) BETWEEN 1 AND 50),
    detail    TEXT
) STRICT;
CREATE INDEX idx_audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
