-- Elson SDK, sqlite, migration 9: passwords, two-factor and encrypted PII columns.
--
-- first_name, last_name, date_of_birth and two_factor_secret now hold either
-- plain text (rows written without a key provider) or AES-256-GCM
-- ciphertext ('v1:' + base64). Their old CHECKs (length <= 100/255, a valid
-- date) no longer hold for ciphertext and are checked in Rust on the plain
-- value instead. SQLite cannot drop a CHECK in place and this migration runs
-- inside a transaction (so the 12-step table rebuild, which needs
-- PRAGMA foreign_keys = OFF, is not possible): each column is copied to a
-- new unconstrained column, dropped (allowed: it is not indexed, not a key
-- and its CHECK is its own), and the copy renamed. Values are preserved; the
-- columns move to the end of the table, which no statement depends on
-- (every statement names its columns).

ALTER TABLE users ADD COLUMN first_name_v9 TEXT;
ALTER TABLE users ADD COLUMN last_name_v9 TEXT;
ALTER TABLE users ADD COLUMN date_of_birth_v9 TEXT;
ALTER TABLE users ADD COLUMN two_factor_secret_v9 TEXT;
UPDATE users SET first_name_v9 = first_name, last_name_v9 = last_name,
    date_of_birth_v9 = date_of_birth, two_factor_secret_v9 = two_factor_secret;
ALTER TABLE users DROP COLUMN first_name;
ALTER TABLE users DROP COLUMN last_name;
ALTER TABLE users DROP COLUMN date_of_birth;
ALTER TABLE users DROP COLUMN two_factor_secret;
ALTER TABLE users RENAME COLUMN first_name_v9 TO first_name;
ALTER TABLE users RENAME COLUMN last_name_v9 TO last_name;
ALTER TABLE users RENAME COLUMN date_of_birth_v9 TO date_of_birth;
ALTER TABLE users RENAME COLUMN two_factor_secret_v9 TO two_factor_secret;

-- The row's data key (envelope encryption): which key-encryption key
-- wrapped it, and the wrapped key (base64). Both NULL for a plain-text row.
-- Rotation rewrites only these two columns.
ALTER TABLE users ADD COLUMN pii_kek_id TEXT CHECK (length(pii_kek_id) BETWEEN 1 AND 64);
ALTER TABLE users ADD COLUMN pii_data_key TEXT
    CHECK ((pii_data_key IS NULL) = (pii_kek_id IS NULL));
-- Rotation and pii_key_usage look rows up by key.
CREATE INDEX idx_users_pii_kek_id ON users (pii_kek_id);

-- The last TOTP time step accepted (Unix seconds / 30): a code is accepted
-- only for a later step, so it cannot be replayed.
ALTER TABLE users ADD COLUMN two_factor_last_step INTEGER CHECK (two_factor_last_step >= 0);
