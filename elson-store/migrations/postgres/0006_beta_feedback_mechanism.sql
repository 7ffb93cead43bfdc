-- Elson SDK, PostgreSQL, migration 6: beta feedback.
CREATE TABLE beta_feedback (
    id                  UUID         NOT NULL PRIMARY KEY,
    user_id             UUID         NOT NULL REFERENCES users (id),
    feedback_type       TEXT         NOT NULL CHECK (feedback_type IN ('BUG', 'FEATURE_REQUEST', 'GENERAL')),
    category            VARCHAR(100),
    title               VARCHAR(255) NOT NULL CHECK (length(title) >= 1),
    description         TEXT         NOT NULL,
    severity            TEXT         NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
    status              TEXT         NOT NULL DEFAULT 'NEW' CHECK (status IN ('NEW', 'REVIEWING', 'PRIORITIZED', 'IMPLEMENTED')),
    submitted_at        TIMESTAMPTZ  NOT NULL,
    updated_at          TIMESTAMPTZ  NOT NULL,
    related_component   VARCHAR(100),
    environment_details JSONB,
    screenshots         TEXT[]       NOT NULL DEFAULT '{}',
    assigned_to         UUID         REFERENCES users (id)
);
-- The seed's `user_id` index, extended with submitted_at for "feedback by user".
CREATE INDEX idx_beta_feedback_user_submitted ON beta_feedback (user_id, submitted_at);
CREATE INDEX idx_beta_feedback_submitted_at ON beta_feedback (submitted_at);
