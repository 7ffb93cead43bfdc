-- Elson SDK, SQLite, migration 7: feature flags.
CREATE TABLE feature_flags (
    id              BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    flag_name       TEXT    NOT NULL CHECK (length(flag_name) BETWEEN 1 AND 100),
    description     TEXT,
    enabled         INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    environment     TEXT    NOT NULL CHECK (environment IN ('DEV', 'BETA', 'STAGING', 'PRODUCTION')),
    user_percentage INTEGER NOT NULL DEFAULT 0
        CONSTRAINT ck_feature_flags_user_percentage CHECK (user_percentage BETWEEN 0 AND 100),
    -- ARRAY of user ids: a JSON array of UUID strings on SQLite, UUID[] on PostgreSQL.
    user_whitelist  TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(user_whitelist) AND json_type(user_whitelist) = 'array'),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    created_by      TEXT    NOT NULL CHECK (length(created_by) BETWEEN 1 AND 100),
    expires_at      INTEGER
) STRICT;
-- A flag name exists once per environment; also the seed's flag_name index.
CREATE UNIQUE INDEX ux_feature_flags_name_environment ON feature_flags (flag_name, environment);
CREATE INDEX idx_feature_flags_environment ON feature_flags (environment, enabled);
