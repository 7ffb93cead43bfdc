-- Elson SDK, PostgreSQL, migration 15: idempotent commands.
--
-- A command sent with a client command id (a mobile retry, a replayed
-- offline queue) is recorded here in the transaction of its effects: who
-- sent it, which command, the SHA-256 digest of its payload and its result.
-- A retry with the same id and payload returns the recorded result and has
-- no second effect; the same id with another payload is refused
-- (`IDEMPOTENCY_CONFLICT`). The row is claimed first (`INSERT … ON CONFLICT
-- DO NOTHING`, which waits for a concurrent claim of the same id to commit
-- or roll back) and its result set when the command succeeds, in the same
-- transaction.
CREATE TABLE command_log (
    actor_id   UUID        NOT NULL,
    command_id UUID        NOT NULL,
    operation  VARCHAR(50) NOT NULL,
    digest     CHAR(64)    NOT NULL,
    result     JSONB,
    at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (actor_id, command_id)
);
CREATE FUNCTION command_log_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') OR OLD.result IS NOT NULL
       OR NEW.actor_id IS DISTINCT FROM OLD.actor_id
       OR NEW.command_id IS DISTINCT FROM OLD.command_id
       OR NEW.operation IS DISTINCT FROM OLD.operation
       OR NEW.digest IS DISTINCT FROM OLD.digest THEN
        RAISE EXCEPTION 'command_log: a recorded command is final';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER command_log_final BEFORE UPDATE OR DELETE ON command_log
    FOR EACH ROW EXECUTE FUNCTION command_log_final();
CREATE TRIGGER command_log_no_truncate BEFORE TRUNCATE ON command_log
    FOR EACH STATEMENT EXECUTE FUNCTION command_log_final();

-- Row-level security: an actor sees and claims only their own commands.
ALTER TABLE command_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY command_log_own ON command_log
    USING (actor_id = NULLIF(current_setting('elson.actor_id', true), '')::uuid)
    WITH CHECK (actor_id = NULLIF(current_setting('elson.actor_id', true), '')::uuid);
REVOKE ALL ON command_log FROM elson_app;
GRANT SELECT, INSERT, UPDATE ON command_log TO elson_app;
