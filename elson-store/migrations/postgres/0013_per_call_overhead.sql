-- Elson SDK, postgres, migration 13: less work per call (the actor in one
-- statement; a lighter index on audit_log).
--
-- The store opens every call's transaction with one simple-query round trip,
-- `BEGIN; SELECT elson_begin_as(actor_id, is_system)`. It sets what
-- `elson_act_as` (migration 10) sets, with the same rules, and also keeps the
-- actor's stored standing in `elson.standing` (`ROLE STATUS`, empty for an
-- unknown id), which the call's first query brings back to the store — so
-- no round trip is spent on the actor.
--
-- Why a second function: `elson_act_as` runs five statements (four
-- PERFORM set_config and a SELECT), each an executor start of its own inside
-- PL/pgSQL (about 60 µs a call, measured); this one runs a single
-- statement for users and for the system actor alike. `elson_act_as` stays
-- for callers that want the standing as a row.
CREATE FUNCTION elson_begin_as(actor UUID, is_system BOOLEAN)
RETURNS TEXT
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    standing TEXT;
BEGIN
    IF is_system AND actor <> '00000000-0000-0000-0000-000000000000'::uuid THEN
        RAISE EXCEPTION 'only the nil id is the system actor';
    END IF;
    -- One row whatever the id: the user's columns are NULL for an unknown
    -- id (it keeps its id, for signing up, and sees nothing); an INACTIVE or
    -- SUSPENDED user gets empty settings and sees nothing.
    SELECT set_config('elson.actor_id',
               CASE WHEN is_system OR u.status IS NULL OR u.status IN ('ACTIVE', 'BETA_TESTER')
                    THEN actor::text ELSE '' END, true)
        || set_config('elson.actor_role',
               CASE WHEN is_system THEN 'SYSTEM'
                    WHEN u.status IN ('ACTIVE', 'BETA_TESTER') THEN u.role ELSE '' END, true)
        || set_config('elson.standing',
               CASE WHEN is_system THEN 'ADMIN ACTIVE'
                    ELSE COALESCE(u.role || ' ' || u.status, '') END, true)
      INTO standing
      FROM (SELECT 1) AS one LEFT JOIN users u ON u.id = actor AND NOT is_system;
    RETURN current_setting('elson.standing');
END $$;

-- Every write appends an audit_log row in its own transaction, so each
-- index on audit_log is paid on every trade. The B-tree on `at` (migration
-- 1) had no reader in the store (the log is read newest first by id); rows
-- are appended in time order, so a BRIN index serves time-range reads of
-- the log at a fraction of the write cost.
DROP INDEX idx_audit_log_at;
CREATE INDEX idx_audit_log_at_brin ON audit_log USING brin (at);
