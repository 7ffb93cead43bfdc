-- Elson SDK, SQLite, migration 15: idempotent commands.
--
-- A command sent with a client command id (a mobile retry, a replayed
-- offline queue) is recorded here in the transaction of its effects: who
-- sent it, which command, the SHA-256 digest of its payload and its result.
-- A retry with the same id and payload returns the recorded result and has
-- no second effect; the same id with another payload is refused
-- (`IDEMPOTENCY_CONFLICT`). The row is claimed first (`result` NULL) and its
-- result set when the command succeeds, in the same transaction.
CREATE TABLE command_log (
    actor_id   BLOB    NOT NULL CHECK (length(actor_id) = 16),
    command_id BLOB    NOT NULL CHECK (length(command_id) = 16),
    operation  TEXT    NOT NULL CHECK (length(operation) BETWEEN 1 AND 50),
    digest     TEXT    NOT NULL CHECK (length(digest) = 64),
    result     TEXT    CHECK (result IS NULL OR json_valid(result)),
    at         INTEGER NOT NULL,
    PRIMARY KEY (actor_id, command_id)
) STRICT, WITHOUT ROWID;
-- A recorded result is final, and records are never removed.
CREATE TRIGGER command_log_result_once BEFORE UPDATE ON command_log
WHEN OLD.result IS NOT NULL
  OR NEW.actor_id IS NOT OLD.actor_id OR NEW.command_id IS NOT OLD.command_id
  OR NEW.operation IS NOT OLD.operation OR NEW.digest IS NOT OLD.digest
BEGIN SELECT RAISE(ABORT, 'command_log: a recorded command is final'); END;
CREATE TRIGGER command_log_no_delete BEFORE DELETE ON command_log
BEGIN SELECT RAISE(ABORT, 'command_log: a recorded command is final'); END;
