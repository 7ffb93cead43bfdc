-- Elson SDK, postgres, migration 10: row-level security and the application role.
--
-- The store runs every call (reads included) in a transaction that starts
-- with `SELECT … FROM elson_act_as(actor_id, is_system)`, which sets with
-- set_config(…, true) — so they end with the transaction and never leak to
-- the next user of a pooled connection:
--   elson.actor_id    the acting user's id (the nil id for the SDK's system actor)
--   elson.actor_role  the role stored in `users` (never the caller's claim),
--                     'SYSTEM' for the system actor; both empty for an
--                     INACTIVE or SUSPENDED user, who then sees nothing (an
--                     unknown id keeps its id, for signing up).
-- The policies below read them: a user sees their own rows, a guardian also
-- those of the minors they have an ACTIVE relationship with, an ADMIN and
-- the system actor everything; with no actor set nothing is visible.
--
-- Row-level security binds roles without BYPASSRLS that do not own the
-- tables: connect the application as a LOGIN member of `elson_app` (created
-- here when missing; roles are cluster-wide, so an existing one is reused).
-- The role that runs the migrations owns the tables and is not restricted.
-- The authorization decisions themselves are elson_core's (`authorize`);
-- these policies are the database's second line behind them.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'elson_app') THEN
        CREATE ROLE elson_app NOLOGIN NOBYPASSRLS;
    END IF;
EXCEPTION
    -- Another database of the cluster created it at the same moment.
    WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- Sets the per-transaction actor and returns the actor's stored role and
-- status (no row for an unknown id). SECURITY DEFINER: it reads `users`
-- before any actor is set.
CREATE FUNCTION elson_act_as(actor UUID, is_system BOOLEAN)
RETURNS TABLE (role TEXT, status TEXT)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    r TEXT;
    s TEXT;
BEGIN
    PERFORM set_config('elson.actor_id', '', true);
    PERFORM set_config('elson.actor_role', '', true);
    IF is_system THEN
        IF actor <> '00000000-0000-0000-0000-000000000000'::uuid THEN
            RAISE EXCEPTION 'only the nil id is the system actor';
        END IF;
        PERFORM set_config('elson.actor_id', actor::text, true);
        PERFORM set_config('elson.actor_role', 'SYSTEM', true);
        role := 'ADMIN';
        status := 'ACTIVE';
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT u.role, u.status INTO r, s FROM users u WHERE u.id = actor;
    IF NOT FOUND THEN
        -- No such user (yet): it sees nothing but may create its own row
        -- (sign-up; the store asks elson_core whether the role may).
        PERFORM set_config('elson.actor_id', actor::text, true);
        RETURN;
    END IF;
    IF s IN ('ACTIVE', 'BETA_TESTER') THEN
        PERFORM set_config('elson.actor_id', actor::text, true);
        PERFORM set_config('elson.actor_role', r, true);
    END IF;
    role := r;
    status := s;
    RETURN NEXT;
END $$;

-- True when the current actor may see rows owned by `owner`.
-- SECURITY DEFINER (owner of the tables): reads `relationships` without
-- its own policies, which would otherwise recurse.
CREATE FUNCTION elson_rls_sees(owner UUID) RETURNS BOOLEAN
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT CASE
        WHEN NULLIF(current_setting('elson.actor_id', true), '') IS NULL THEN false
        WHEN current_setting('elson.actor_role', true) IN ('ADMIN', 'SYSTEM') THEN true
        WHEN owner = NULLIF(current_setting('elson.actor_id', true), '')::uuid THEN true
        ELSE EXISTS (
            SELECT 1 FROM relationships r
            WHERE r.guardian_id = NULLIF(current_setting('elson.actor_id', true), '')::uuid
              AND r.minor_id = owner
              AND r.status = 'ACTIVE')
    END
$$;

-- The same for rows of a portfolio (positions, trades).
CREATE FUNCTION elson_rls_sees_portfolio(pid UUID) RETURNS BOOLEAN
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT CASE
        WHEN NULLIF(current_setting('elson.actor_id', true), '') IS NULL THEN false
        WHEN current_setting('elson.actor_role', true) IN ('ADMIN', 'SYSTEM') THEN true
        ELSE EXISTS (SELECT 1 FROM portfolios p WHERE p.id = pid AND elson_rls_sees(p.user_id))
    END
$$;

-- Whom the actor's operations may notify: anyone they see, their own
-- guardians, and the co-guardians of their wards (a minor's order tells the
-- guardians; a guardian's decision tells the others).
CREATE FUNCTION elson_rls_may_notify(recipient UUID) RETURNS BOOLEAN
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT elson_rls_sees(recipient) OR EXISTS (
        SELECT 1 FROM relationships r
        WHERE r.guardian_id = recipient
          AND r.status = 'ACTIVE'
          AND (r.minor_id = NULLIF(current_setting('elson.actor_id', true), '')::uuid
               OR elson_rls_sees(r.minor_id)))
$$;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_actor ON users USING (elson_rls_sees(id));

ALTER TABLE portfolios ENABLE ROW LEVEL SECURITY;
CREATE POLICY portfolios_actor ON portfolios USING (elson_rls_sees(user_id));

ALTER TABLE positions ENABLE ROW LEVEL SECURITY;
CREATE POLICY positions_actor ON positions USING (elson_rls_sees_portfolio(portfolio_id));

ALTER TABLE trades ENABLE ROW LEVEL SECURITY;
CREATE POLICY trades_actor ON trades USING (elson_rls_sees_portfolio(portfolio_id));

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY notifications_actor ON notifications USING (elson_rls_sees(user_id));
CREATE POLICY notifications_notify ON notifications FOR INSERT
    WITH CHECK (elson_rls_may_notify(user_id));

ALTER TABLE relationships ENABLE ROW LEVEL SECURITY;
CREATE POLICY relationships_actor ON relationships USING (
    guardian_id = NULLIF(current_setting('elson.actor_id', true), '')::uuid
    OR elson_rls_sees(minor_id));

ALTER TABLE beta_feedback ENABLE ROW LEVEL SECURITY;
CREATE POLICY beta_feedback_actor ON beta_feedback USING (elson_rls_sees(user_id));

-- Anyone acting appends (denials too); only admins and the system read.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_append ON audit_log FOR INSERT WITH CHECK (true);
CREATE POLICY audit_log_read ON audit_log FOR SELECT
    USING (current_setting('elson.actor_role', true) IN ('ADMIN', 'SYSTEM'));

-- What the store needs, and no UPDATE or DELETE on audit_log (its trigger
-- refuses them too, for every role).
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO elson_app', current_schema());
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO elson_app', current_schema());
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON users, portfolios, positions, trades, notifications,
    relationships, beta_feedback, feature_flags, model_parameters, backtest_results,
    volatility_regimes TO elson_app;
GRANT SELECT, INSERT ON audit_log TO elson_app;
GRANT SELECT ON _sqlx_migrations TO elson_app;
-- Tables later migrations create are the store's too.
ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO elson_app;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO elson_app;
