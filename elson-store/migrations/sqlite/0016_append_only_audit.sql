-- Elson SDK, SQLite, migration 16: the audit log is append-only against
-- every SQL form.
--
-- `REPLACE INTO audit_log …` (and `INSERT OR REPLACE`) resolves a
-- primary-key conflict by deleting the old row, which does not fire the
-- DELETE trigger of migration 1 (SQLite fires delete triggers of a REPLACE
-- only with recursive_triggers on), so a plain sqlite3 connection could
-- rewrite history. An insert that names an id already in the log is
-- refused before any conflict resolution runs. (An UPSERT's DO UPDATE is
-- an UPDATE, which migration 1 already refuses.)
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
