-- Elson SDK, PostgreSQL, migration 7: feature flags.
CREATE TABLE feature_flags (
    id              UUID         NOT NULL PRIMARY KEY,
    flag_name       VARCHAR(100) NOT NULL CHECK (length(flag_name) >= 1),
    description     TEXT,
    enabled         BOOLEAN      NOT NULL DEFAULT FALSE,
    environment     TEXT         NOT NULL CHECK (environment IN ('DEV', 'BETA', 'STAGING', 'PRODUCTION')),
    user_percentage INTEGER      NOT NULL DEFAULT 0
        CONSTRAINT ck_feature_flags_user_percentage CHECK (user_percentage BETWEEN 0 AND 100),
    user_whitelist  UUID[]       NOT NULL DEFAULT '{}',
    created_at      TIMESTAMPTZ  NOT NULL,
    updated_at      TIMESTAMPTZ  NOT NULL,
    created_by      VARCHAR(100) NOT NULL CHECK (length(created_by) >= 1),
    expires_at      TIMESTAMPTZ
);
-- A flag name exists once per environment; also the seed's flag_name index.
CREATE UNIQUE INDEX ux_feature_flags_name_environment ON feature_flags (flag_name, environment);
CREATE INDEX idx_feature_flags_environment ON feature_flags (environment, enabled);
