-- Elson SDK, PostgreSQL, migration 2: roles, statuses, 2FA, risk profile,
-- and guardian–minor relationships.
ALTER TABLE users
    ADD COLUMN role TEXT NOT NULL DEFAULT 'USER' CHECK (role IN ('USER', 'GUARDIAN', 'MINOR', 'ADMIN')),
    ADD COLUMN status TEXT NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE', 'SUSPENDED', 'BETA_TESTER')),
    ADD COLUMN two_factor_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    -- Encrypted at rest by the security layer (issue 5); opaque text here.
    ADD COLUMN two_factor_secret VARCHAR(255),
    ADD COLUMN risk_profile TEXT NOT NULL DEFAULT 'MODERATE' CHECK (risk_profile IN ('LOW', 'MODERATE', 'AGGRESSIVE')),
    ADD COLUMN education_progress JSONB,
    ADD COLUMN preferences JSONB,
    ADD COLUMN beta_feedback TEXT;

CREATE TABLE relationships (
    id                UUID        NOT NULL PRIMARY KEY,
    guardian_id       UUID        NOT NULL REFERENCES users (id),
    minor_id          UUID        NOT NULL REFERENCES users (id),
    relationship_type TEXT        NOT NULL CHECK (relationship_type IN ('PARENT', 'LEGAL_GUARDIAN', 'OTHER')),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    status            TEXT        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('ACTIVE', 'INACTIVE', 'PENDING')),
    approval_settings JSONB       NOT NULL DEFAULT '{}',
    permissions       JSONB       NOT NULL DEFAULT '{}',
    CONSTRAINT ck_relationships_distinct CHECK (guardian_id <> minor_id)
);
-- One relationship per pair; also the seed's guardian_id index.
CREATE UNIQUE INDEX ux_relationships_guardian_minor ON relationships (guardian_id, minor_id);
CREATE INDEX idx_relationships_minor_id ON relationships (minor_id);
