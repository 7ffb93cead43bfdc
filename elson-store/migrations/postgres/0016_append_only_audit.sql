-- Elson SDK, PostgreSQL, migration 16: the audit log is append-only against
-- every SQL form.
--
-- Migration 1 refuses UPDATE and DELETE (an INSERT … ON CONFLICT DO UPDATE
-- is an UPDATE); the table's owner could still empty it with TRUNCATE,
-- which fires no row trigger. A statement trigger (migration 1's function)
-- refuses it for every role, the owner included.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
