-- Elson SDK, PostgreSQL, migration 12: the environment a database belongs to
-- (data model "Beta Safeguards": beta data is isolated from production).
--
-- One row, written once by the first store opened with an environment
-- (`StoreOptions::environment`); a store opened later for another
-- environment refuses the database. No row: the database is unstamped (only
-- stores opened without an environment use it).
CREATE TABLE store_environment (
    singleton   INTEGER     NOT NULL PRIMARY KEY CHECK (singleton = 1),
    environment TEXT        NOT NULL CHECK (environment IN ('DEV', 'BETA', 'STAGING', 'PRODUCTION')),
    stamped_at  TIMESTAMPTZ NOT NULL
);
CREATE FUNCTION store_environment_write_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'store_environment is write-once: a database belongs to one environment';
END $$;
CREATE TRIGGER store_environment_no_update_delete BEFORE UPDATE OR DELETE ON store_environment
    FOR EACH ROW EXECUTE FUNCTION store_environment_write_once();
CREATE TRIGGER store_environment_no_truncate BEFORE TRUNCATE ON store_environment
    FOR EACH STATEMENT EXECUTE FUNCTION store_environment_write_once();

-- A stamped database holds only its own environment's feature flags: a
-- flag of another environment is neither inserted nor moved in or out. The
-- store checks this before writing; the trigger holds for raw SQL too.
-- (Plain RAISE with a `ck_<table>_<column>:` prefix: the store maps it to
-- InvalidInput naming the column, exactly as SQLite's RAISE(ABORT, …).)
CREATE FUNCTION feature_flags_environment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    db_env TEXT;
BEGIN
    SELECT environment INTO db_env FROM store_environment;
    IF db_env IS NOT NULL AND (NEW.environment <> db_env
                               OR (TG_OP = 'UPDATE' AND OLD.environment <> db_env)) THEN
        RAISE EXCEPTION 'ck_feature_flags_environment: the flag belongs to another environment than this database';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER feature_flags_environment_guard BEFORE INSERT OR UPDATE ON feature_flags
    FOR EACH ROW EXECUTE FUNCTION feature_flags_environment_guard();

-- Beta testers live in the beta environment: a PRODUCTION database holds no
-- user with status BETA_TESTER (a production user joins the beta program
-- with an account in the BETA database, never the other way round).
CREATE FUNCTION users_beta_tester_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'BETA_TESTER'
       AND EXISTS (SELECT 1 FROM store_environment WHERE environment = 'PRODUCTION') THEN
        RAISE EXCEPTION 'ck_users_status: a PRODUCTION database holds no BETA_TESTER users; beta testers belong to the BETA environment';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER users_beta_tester_guard BEFORE INSERT OR UPDATE OF status ON users
    FOR EACH ROW EXECUTE FUNCTION users_beta_tester_guard();
