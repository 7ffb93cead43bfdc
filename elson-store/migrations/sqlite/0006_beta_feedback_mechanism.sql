-- Elson SDK, SQLite, migration 6: beta feedback.
CREATE TABLE beta_feedback (
    id                  BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    user_id             BLOB    NOT NULL REFERENCES users (id),
    feedback_type       TEXT    NOT NULL CHECK (feedback_type IN ('BUG', 'FEATURE_REQUEST', 'GENERAL')),
    category            TEXT    CHECK (length(category) <= 100),
    title               TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 255),
    description         TEXT    NOT NULL,
    severity            TEXT    NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
    status              TEXT    NOT NULL DEFAULT 'NEW' CHECK (status IN ('NEW', 'REVIEWING', 'PRIORITIZED', 'IMPLEMENTED')),
    submitted_at        INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    related_component   TEXT    CHECK (length(related_component) <= 100),
    environment_details TEXT    CHECK (environment_details IS NULL OR json_valid(environment_details)),
    -- ARRAY of URLs: a JSON array of strings on SQLite, TEXT[] on PostgreSQL.
    screenshots         TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(screenshots) AND json_type(screenshots) = 'array'),
    assigned_to         BLOB    REFERENCES users (id)
) STRICT;
-- The seed's `user_id` index, extended with submitted_at for "feedback by user".
CREATE INDEX idx_beta_feedback_user_submitted ON beta_feedback (user_id, submitted_at);
CREATE INDEX idx_beta_feedback_submitted_at ON beta_feedback (submitted_at);
