-- Elson SDK, SQLite, migration 12: the environment a database belongs to
-- (data model "Beta Safeguards": beta data is isolated from production).
--
-- One row, written once by the first store opened with an environment
-- (`StoreOptions::environment`); a store opened later for another
-- environment refuses the database. No row: the database is unstamped (only
-- stores opened without an environment use it).
CREATE TABLE store_environment (
    singleton   INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    environment TEXT    NOT NULL CHECK (environment IN ('DEV', 'BETA', 'STAGING', 'PRODUCTION')),
    stamped_at  INTEGER NOT NULL
) STRICT;
CREATE TRIGGER store_environment_no_update BEFORE UPDATE ON store_environment
BEGIN SELECT RAISE(ABORT, 'store_environment is write-once: a database belongs to one environment'); END;
CREATE TRIGGER store_environment_no_delete BEFORE DELETE ON store_environment
BEGIN SELECT RAISE(ABORT, 'store_environment is write-once: a database belongs to one environment'); END;

-- A stamped database holds only its own environment's feature flags: a
-- flag of another environment is neither inserted nor moved in or out. The
-- store checks this before writing; the triggers hold for raw SQL too.
CREATE TRIGGER feature_flags_environment_insert BEFORE INSERT ON feature_flags
WHEN EXISTS (SELECT 1 FROM store_environment WHERE environment <> NEW.environment)
BEGIN SELECT RAISE(ABORT, 'ck_feature_flags_environment: the flag belongs to another environment than this database'); END;
CREATE TRIGGER feature_flags_environment_update BEFORE UPDATE ON feature_flags
WHEN EXISTS (SELECT 1 FROM store_environment
             WHERE environment <> NEW.environment OR environment <> OLD.environment)
BEGIN SELECT RAISE(ABORT, 'ck_feature_flags_environment: the flag belongs to another environment than this database'); END;

-- Beta testers live in the beta environment: a PRODUCTION database holds no
-- user with status BETA_TESTER (a production user joins the beta program
-- with an account in the BETA database, never the other way round).
CREATE TRIGGER users_beta_tester_insert BEFORE INSERT ON users
WHEN NEW.status = 'BETA_TESTER'
 AND EXISTS (SELECT 1 FROM store_environment WHERE environment = 'PRODUCTION')
BEGIN SELECT RAISE(ABORT, 'ck_users_status: a PRODUCTION database holds no BETA_TESTER users; beta testers belong to the BETA environment'); END;
CREATE TRIGGER users_beta_tester_update BEFORE UPDATE OF status ON users
WHEN NEW.status = 'BETA_TESTER'
 AND EXISTS (SELECT 1 FROM store_environment WHERE environment = 'PRODUCTION')
BEGIN SELECT RAISE(ABORT, 'ck_users_status: a PRODUCTION database holds no BETA_TESTER users; beta testers belong to the BETA environment'); END;
