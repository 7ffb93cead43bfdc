-- Elson SDK, postgres, migration 9: passwords, two-factor and encrypted PII columns.
--
-- first_name, last_name, date_of_birth and two_factor_secret now hold either
-- plain text (rows written without a key provider) or AES-256-GCM
-- ciphertext ('v1:' + base64), so they become TEXT: ciphertext of a
-- 100-character name does not fit VARCHAR(100), nor any ciphertext a DATE.
-- Existing dates become 'YYYY-MM-DD' text (to_char, independent of
-- DateStyle), which is what the store reads back as a plain-text date.
-- Lengths and date validity are checked in Rust on the plain value.
ALTER TABLE users
    ALTER COLUMN first_name TYPE TEXT,
    ALTER COLUMN last_name TYPE TEXT,
    ALTER COLUMN date_of_birth TYPE TEXT USING to_char(date_of_birth, 'YYYY-MM-DD'),
    ALTER COLUMN two_factor_secret TYPE TEXT,
    -- The row's data key (envelope encryption): which key-encryption key
    -- wrapped it, and the wrapped key (base64). Both NULL for a plain-text
    -- row. Rotation rewrites only these two columns.
    ADD COLUMN pii_kek_id TEXT CHECK (length(pii_kek_id) BETWEEN 1 AND 64),
    ADD COLUMN pii_data_key TEXT,
    ADD CONSTRAINT ck_users_pii_key CHECK ((pii_kek_id IS NULL) = (pii_data_key IS NULL)),
    -- The last TOTP time step accepted (Unix seconds / 30): a code is
    -- accepted only for a later step, so it cannot be replayed.
    ADD COLUMN two_factor_last_step BIGINT CHECK (two_factor_last_step >= 0);
-- Rotation and pii_key_usage look rows up by key.
CREATE INDEX idx_users_pii_kek_id ON users (pii_kek_id);
