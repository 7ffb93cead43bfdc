-- Elson SDK, SQLite, migration 2: roles, statuses, 2FA, risk profile, and
-- guardian–minor relationships.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'USER'
    CHECK (role IN ('USER', 'GUARDIAN', 'MINOR', 'ADMIN'));
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'ACTIVE'
    CHECK (status IN ('ACTIVE', 'INACTIVE', 'SUSPENDED', 'BETA_TESTER'));
ALTER TABLE users ADD COLUMN two_factor_enabled INTEGER NOT NULL DEFAULT 0
    CHECK (two_factor_enabled IN (0, 1));
-- Encrypted at rest by the security layer (issue 5); opaque text here.
ALTER TABLE users ADD COLUMN two_factor_secret TEXT CHECK (length(two_factor_secret) <= 255);
ALTER TABLE users ADD COLUMN risk_profile TEXT NOT NULL DEFAULT 'MODERATE'
    CHECK (risk_profile IN ('LOW', 'MODERATE', 'AGGRESSIVE'));
ALTER TABLE users ADD COLUMN education_progress TEXT CHECK (education_progress IS NULL OR json_valid(education_progress));
ALTER TABLE users ADD COLUMN preferences TEXT CHECK (preferences IS NULL OR json_valid(preferences));
ALTER TABLE users ADD COLUMN beta_feedback TEXT;

CREATE TABLE relationships (
    id                BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    guardian_id       BLOB    NOT NULL REFERENCES users (id),
    minor_id          BLOB    NOT NULL REFERENCES users (id),
    relationship_type TEXT    NOT NULL CHECK (relationship_type IN ('PARENT', 'LEGAL_GUARDIAN', 'OTHER')),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    status            TEXT    NOT NULL DEFAULT 'PENDING' CHECK (status IN ('ACTIVE', 'INACTIVE', 'PENDING')),
    approval_settings TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(approval_settings)),
    permissions       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(permissions)),
    CONSTRAINT ck_relationships_distinct CHECK (guardian_id <> minor_id)
) STRICT;
-- One relationship per pair; also the seed's guardian_id index.
CREATE UNIQUE INDEX ux_relationships_guardian_minor ON relationships (guardian_id, minor_id);
CREATE INDEX idx_relationships_minor_id ON relationships (minor_id);
