//! Access control and the audit trail: every store call runs in a
//! [`Session`].
//!
//! A session is the unit of work of one call: a write transaction, or for a
//! read a pooled connection (on PostgreSQL each statement of a read is sent
//! with the actor's settings in one implicit transaction, see
//! [`crate::oneshot`], so the row-level-security settings never outlive
//! it). Opening it:
//!
//! 1. takes the actor's **id** from the caller and its *current* role and
//!    status from `users` (the [`Actor::system`] excepted: it is no user
//!    row), so a suspended user or a forged role claim is refused;
//! 2. on PostgreSQL, sets `elson.actor_id` / `elson.actor_role` for the
//!    transaction with `set_config(…, true)` (function `elson_begin_as`,
//!    migration 0013), which the row-level-security policies read.
//!
//! Each repository method then resolves the owner of what it touches (a
//! portfolio's `user_id`, a trade's portfolio owner, …) and calls
//! [`Session::authorize`], which loads the actor's relationships only when
//! the rule may need them (a GUARDIAN on data that is not their own, a MINOR
//! moving money: one indexed query) and asks
//! [`elson_core::families::authorize`]. Every rule is the core's; the store
//! only gathers facts.
//!
//! [`Store::conclude`] ends the call: a successful write appends its
//! `audit_log` rows in the SAME transaction (they commit or roll back
//! together); a read that `authorize` marked `audited` has its row written
//! right after the read in a statement of its own, since a read has nothing
//! to commit. A read's record does not wait for a disk
//! flush of its own (see `Store::append_read_audit`): it is durable with the
//! next flushed commit, so auditing reads costs no fsync per read. A denied call (`FORBIDDEN`) writes no
//! domain row, rolls back, and is recorded in its own small transaction. The
//! in-process [`crate::AuditHook`] still hears of every call.

use chrono::{DateTime, Utc};
use elson_core::ElsonError;
use elson_core::entities::Relationship;
use elson_core::enums::UserRole;
use elson_core::families::{Access, AccessBasis, Action, Resource, authorize};
use sqlx::Postgres;
use sqlx::pool::PoolConnection;
use uuid::Uuid;

use crate::actor::Actor;
use crate::db::{Arg, Conn, DbRow, text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::oneshot::PgActor;
use crate::repo::relationships;
use crate::store::{Backend, Pooled, Store, Tx};

/// An id no user has (the max UUID): the owner of "someone else's" data for
/// calls that are not scoped to one owner (a role-wide user list, the audit
/// log, a lookup that found nothing), so only the rules for others' data
/// can grant them.
pub(crate) const NOBODY: Uuid = Uuid::max();

/// A statement that also selects the actor's standing as `elson_standing`
/// ([`Session::fetch_with_standing`]), in each backend's text: PostgreSQL
/// reads the standing `elson_begin_as` left in the transaction
/// (`standing_pg!`); SQLite reads `users` for the actor's id, which its
/// text takes as the last parameter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WithStanding {
    pub(crate) pg: &'static str,
    pub(crate) sqlite: &'static str,
}

impl WithStanding {
    /// The text for `backend` and its arguments: `args`, on SQLite followed
    /// by the actor's id, the last parameter of its text there.
    pub(crate) fn bind<'a>(
        self,
        backend: Backend,
        mut args: Vec<Arg<'a>>,
        actor: Uuid,
    ) -> (&'static str, Vec<Arg<'a>>) {
        match backend {
            Backend::Postgres => (self.pg, args),
            Backend::Sqlite => {
                args.push(uuid(actor));
                (self.sqlite, args)
            }
        }
    }
}

/// The standing column of a [`WithStanding`] statement on PostgreSQL.
macro_rules! standing_pg {
    () => {
        "current_setting('elson.standing', true)"
    };
}
/// The standing column of a [`WithStanding`] statement on SQLite, for the
/// actor whose id is parameter `$n` (a literal).
macro_rules! standing_sqlite {
    ($n:literal) => {
        concat!("(SELECT a.role || ' ' || a.status FROM users a WHERE a.id = $", $n, ")")
    };
}
/// A [`WithStanding`] for a whole query: `$query` (with its own `ORDER BY`
/// and `LIMIT`) and the actor's standing in the same round trip, every row
/// then ordered by `$order` (the query's order, over its columns). No result
/// is one row with only the standing (see
/// [`Session::fetch_all_with_standing`]). `$actor` is the literal number of
/// the SQLite text's last parameter, the actor's id.
macro_rules! with_standing {
    ($query:expr, $order:literal, $actor:literal) => {
        $crate::access::WithStanding {
            pg: $crate::access::with_standing!(@text $crate::access::standing_pg!(), $query, $order),
            sqlite: $crate::access::with_standing!(
                @text $crate::access::standing_sqlite!($actor), $query, $order
            ),
        }
    };
    (@text $standing:expr, $query:expr, $order:literal) => {
        concat!(
            "SELECT o.elson_standing, q.* FROM (SELECT ",
            $standing,
            " AS elson_standing) o LEFT JOIN (",
            $query,
            ") q ON true ORDER BY ",
            $order
        )
    };
}
pub(crate) use {standing_pg, standing_sqlite, with_standing};

/// PostgreSQL: sets the per-transaction actor for row-level security and
/// returns the actor's current role and status (none for an unknown id).
const ACT_AS_PG: &str = "SELECT role, status FROM elson_act_as($1, $2)";
/// SQLite: the actor's current role and status, as `ROLE STATUS` (no row
/// for an id that is no user).
const STANDING: &str = "SELECT role || ' ' || status AS elson_standing FROM users WHERE id = $1";
/// PostgreSQL: the actor's standing that [`pg_begin_as`] left in the
/// transaction, as `ROLE STATUS` (empty for an unknown id).
const STANDING_PG: &str = concat!("SELECT ", standing_pg!(), " AS elson_standing");

/// PostgreSQL: the simple-query string that opens a write call's
/// transaction and, in the same round trip, runs `elson_begin_as` (migration 13: the
/// row-level-security settings of `elson_act_as`, in one statement) which
/// also keeps the actor's stored role and status in the transaction-local
/// setting `elson.standing`, where the call's first query picks it up.
/// (Reads send the same call with each statement instead:
/// [`crate::oneshot`].)
///
/// The id is formatted from a `Uuid` (hex and dashes only) and the flag
/// from a `bool`, so nothing from a caller's text reaches the SQL.
/// `elson_begin_as` raises only for a system flag on another id than the
/// nil one, which [`Actor::is_system`] rules out.
fn pg_begin_as(actor: &Actor) -> String {
    format!("BEGIN; SELECT elson_begin_as('{}'::uuid, {})", actor.id, actor.is_system())
}

/// The actor named by a standing text (`ROLE STATUS`; empty or missing for
/// an id that is no user).
fn parse_standing(id: Uuid, standing: Option<&str>) -> StoreResult<Option<Actor>> {
    let Some((role, status)) = standing.and_then(|s| s.split_once(' ')) else {
        return Ok(None);
    };
    let corrupt = |e: ElsonError| StoreError::Storage {
        operation: "access.standing",
        message: format!("unreadable actor standing: {e}"),
    };
    Ok(Some(Actor {
        id,
        role: role.parse().map_err(corrupt)?,
        status: status.parse().map_err(corrupt)?,
    }))
}

/// Whether the session knows its actor yet.
#[derive(Debug, Clone, Copy)]
enum Standing {
    /// Resolved: the actor as stored, `None` for an id that is no user.
    Known(Option<Actor>),
    /// Not read yet: the call's first query may bring it back (on
    /// PostgreSQL from `elson.standing`, left by [`pg_begin_as`]; on SQLite
    /// from `users`), or [`Session::actor`] reads it.
    Deferred,
}

pub(crate) const AUDIT_INSERT: &str = "INSERT INTO audit_log (actor_id, action, entity, entity_id, at, \
     outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const AUDIT_INSERT_PREFIX: &str =
    "INSERT INTO audit_log (actor_id, action, entity, entity_id, at, outcome, detail) VALUES ";
/// PostgreSQL: appends one audit row of a read in a statement of its own
/// (autocommit: one round trip, insert and commit) whose commit does not
/// wait for its WAL flush — `set_config(…, true)` lasts as long as the
/// statement's implicit transaction (see `Store::append_read_audit`).
const AUDIT_INSERT_NO_FLUSH_WAIT_PG: &str = "WITH relaxed AS \
     (SELECT set_config('synchronous_commit', 'off', true)) \
     INSERT INTO audit_log (actor_id, action, entity, entity_id, at, outcome, detail) \
     SELECT $1, $2, $3, $4, $5, $6, $7 FROM relaxed";
const AUDIT_RECENT: &str = "SELECT id, actor_id, action, entity, entity_id, at, outcome, detail \
     FROM audit_log ORDER BY id DESC LIMIT $1";

/// Sets the system actor for a transaction the store runs outside a
/// [`Session`] (the demo generator's bulk writes), so PostgreSQL row-level
/// security admits them when the store connects as `elson_app`. No-op on
/// SQLite.
pub(crate) async fn act_as_system(c: &mut Conn<'_>, op: &'static str) -> StoreResult<()> {
    if let Conn::Pg(_) = c {
        c.fetch_optional(op, ACT_AS_PG, &[uuid(Actor::system().id), Arg::Bool(true)]).await?;
    }
    Ok(())
}

/// Read or write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Read,
    Write,
}

/// What a call is, for the audit hook and the `audit_log` row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call {
    pub(crate) op: &'static str,
    pub(crate) action: &'static str,
    pub(crate) entity: &'static str,
    pub(crate) entity_id: Option<Uuid>,
}

impl Call {
    pub(crate) const fn new(
        op: &'static str,
        action: &'static str,
        entity: &'static str,
        entity_id: Option<Uuid>,
    ) -> Call {
        Call { op, action, entity, entity_id }
    }
}

enum Work {
    Tx(Tx),
    Pooled(Pooled),
    /// A PostgreSQL read: no transaction; each statement carries the
    /// actor's settings ([`crate::oneshot`]).
    PgRead(PoolConnection<Postgres>, PgActor),
}

/// One call's unit of work, its resolved actor and what was granted.
pub(crate) struct Session {
    op: &'static str,
    work: Work,
    mode: Mode,
    /// The actor as stored (role and status from `users`); `None` when the
    /// caller's id is no user.
    actor: Standing,
    /// The caller's acting id.
    actor_id: Uuid,
    /// The actor's relationships, loaded on first need.
    links: Option<Vec<Relationship>>,
    /// Some access of this call must be on record.
    audited: bool,
    /// The basis of the last granted access, for the audit row.
    basis: Option<AccessBasis>,
    /// Rows to name in the audit log instead of the call's `entity_id`
    /// (a batch writes one row per trade).
    audit_ids: Vec<Uuid>,
    /// Portfolios whose cached rows the commit must invalidate.
    touched: Vec<Uuid>,
    /// The call already sent its audit rows inside its own write statement
    /// ([`Session::take_write_audit`]); `finish` writes none.
    audit_sent: bool,
}

/// The session of a call, or the error opening it failed with.
pub(crate) fn live(s: &mut StoreResult<Session>) -> StoreResult<&mut Session> {
    s.as_mut().map_err(|e| e.clone())
}

/// Whether the rule for (`actor`, `action`, `resource`) can depend on the
/// actor's relationships: a GUARDIAN on data that is not their own (a ward's,
/// a co-guardian's link), a MINOR depositing or withdrawing (the guardians'
/// permissions).
fn needs_links(actor: &Actor, action: Action, resource: &Resource) -> bool {
    match actor.role {
        UserRole::Minor => matches!(action, Action::Deposit | Action::Withdraw),
        UserRole::Guardian => match *resource {
            Resource::User { id } | Resource::UserStanding { id } => id != actor.id,
            Resource::Portfolio { owner_id } | Resource::Trade { owner_id } => owner_id != actor.id,
            Resource::Notification { user_id } | Resource::BetaFeedback { user_id } => {
                user_id != actor.id
            }
            Resource::Relationship { guardian_id, .. } => guardian_id != actor.id,
            _ => false,
        },
        UserRole::User | UserRole::Admin => false,
    }
}

impl Session {
    /// A connection of this call's unit of work.
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match &mut self.work {
            Work::Tx(t) => t.conn(),
            Work::Pooled(p) => p.conn(),
            Work::PgRead(c, actor) => Conn::PgAs(c, actor),
        }
    }

    /// Sign-up: when `actor_id` has no user row and `user` is the row being
    /// created under that id, the actor is that row (its role and status,
    /// not the caller's claim); the core then decides whether that role may
    /// open its own account.
    ///
    /// # Errors
    /// Storage failures reading the actor's standing.
    pub(crate) async fn sign_up(
        &mut self,
        actor_id: Uuid,
        user: &elson_core::entities::User,
    ) -> StoreResult<()> {
        if self.actor().await?.is_none() && user.id == actor_id {
            self.actor = Standing::Known(Some(Actor::from(user)));
        }
        Ok(())
    }

    /// The actor as stored; reads the standing [`pg_begin_as`] left in the
    /// transaction when no query of the call has brought it back yet.
    ///
    /// # Errors
    /// Storage failures.
    async fn actor(&mut self) -> StoreResult<Option<Actor>> {
        if let Standing::Known(a) = self.actor {
            return Ok(a);
        }
        let (op, id) = (self.op, self.actor_id);
        let row = match self.conn() {
            Conn::Pg(_) | Conn::PgAs(..) => {
                self.conn().fetch_optional(op, STANDING_PG, &[]).await?
            }
            Conn::Sqlite(_) => self.conn().fetch_optional(op, STANDING, &[uuid(id)]).await?,
        };
        let text = match row {
            Some(r) => r.opt_text("elson_standing")?,
            None => None,
        };
        let actor = parse_standing(id, text.as_deref())?;
        self.actor = Standing::Known(actor);
        Ok(actor)
    }

    /// The acting id, whose standing a query may select for
    /// [`Session::offer_standing`].
    pub(crate) fn actor_id(&self) -> Uuid {
        self.actor_id
    }

    /// Takes the actor's standing from a row of a query the call runs anyway
    /// (the trading calls' portfolio statement) that also selected it as
    /// `elson_standing`, sparing [`Session::actor`] its query.
    ///
    /// # Errors
    /// An unreadable standing.
    pub(crate) fn offer_standing(&mut self, row: &DbRow) -> StoreResult<()> {
        if let Standing::Deferred = self.actor {
            let text = row.opt_text("elson_standing")?;
            self.actor = Standing::Known(parse_standing(self.actor_id, text.as_deref())?);
        }
        Ok(())
    }

    /// Invalidates these portfolios' cached rows when the call commits.
    /// The audit rows this call commits when it succeeds: one per row it
    /// names for a write or an audited read, none otherwise.
    fn pending_audit<'c>(&self, actor: &Actor, call: &'c Call) -> Vec<AuditRow<'c>> {
        if !(self.mode == Mode::Write || self.audited) {
            return Vec::new();
        }
        let at = Utc::now();
        let detail = self.basis.map(|b| basis_name(b).to_string());
        let ids: Vec<Option<String>> = if self.audit_ids.is_empty() {
            vec![call.entity_id.map(|id| id.to_string())]
        } else {
            self.audit_ids.iter().map(|id| Some(id.to_string())).collect()
        };
        ids.into_iter()
            .map(|entity_id| AuditRow {
                actor_id: actor.id,
                call,
                entity_id,
                at,
                outcome: "OK",
                detail: detail.clone(),
            })
            .collect()
    }

    /// For a write that sends its audit rows in its own last statement (one
    /// round trip fewer on PostgreSQL): the rows `finish` would write, which
    /// it then no longer writes. Call it after every authorization of the
    /// call; the rows commit (or roll back) with the caller's transaction.
    pub(crate) fn take_write_audit<'c>(
        &mut self,
        actor: &Actor,
        call: &'c Call,
    ) -> Vec<AuditRow<'c>> {
        self.audit_sent = true;
        self.pending_audit(actor, call)
    }

    pub(crate) fn touch(&mut self, portfolio_ids: &[Uuid]) {
        self.touched.extend_from_slice(portfolio_ids);
    }

    /// Names these rows in the audit log instead of the call's `entity_id`.
    pub(crate) fn audit_rows(&mut self, ids: impl IntoIterator<Item = Uuid>) {
        self.audit_ids.extend(ids);
    }

    /// Refuses an acting user who may do nothing (INACTIVE, SUSPENDED, or a
    /// forged standing): the core's rule for reading one's own standing. An
    /// id with no user row passes (a sign-up, which its command decides).
    ///
    /// # Errors
    /// `Forbidden`; storage failures.
    pub(crate) async fn authorize_standing(&mut self, id: Uuid) -> StoreResult<()> {
        if self.actor().await?.is_none() {
            return Ok(());
        }
        self.authorize(Action::Read, Resource::UserStanding { id }).await.map(|_| ())
    }

    /// Asks the core whether the actor may perform `action` on `resource`.
    ///
    /// # Errors
    /// `Forbidden` when the core refuses (or the acting id is no user);
    /// storage failures loading the actor's relationships.
    pub(crate) async fn authorize(
        &mut self,
        action: Action,
        resource: Resource,
    ) -> StoreResult<Access> {
        let Some(actor) = self.actor().await? else {
            return Err(ElsonError::forbidden("the acting user does not exist").into());
        };
        if self.links.is_none() && needs_links(&actor, action, &resource) {
            let sql = match actor.role {
                UserRole::Guardian => relationships::BY_GUARDIAN,
                _ => relationships::BY_MINOR,
            };
            let op = self.op;
            let rows = self.conn().fetch_all(op, sql, &[uuid(actor.id)]).await?;
            let links = rows.iter().map(relationships::from_row).collect::<StoreResult<_>>()?;
            self.links = Some(links);
        }
        let links = self.links.as_deref().unwrap_or(&[]);
        let access = authorize(&actor, action, &resource, links)?;
        self.audited |= access.audited;
        self.basis = Some(access.basis);
        Ok(access)
    }

    /// Runs `sql` with `args` — on SQLite followed by the actor's id, the
    /// last parameter of its text there — and takes the actor's standing
    /// from the first row ([`Session::offer_standing`]): the call's first
    /// query brings back what its authorization needs.
    ///
    /// # Errors
    /// Storage failures; an unreadable standing.
    pub(crate) async fn fetch_with_standing(
        &mut self,
        op: &'static str,
        sql: WithStanding,
        args: &[Arg<'_>],
    ) -> StoreResult<Vec<DbRow>> {
        let backend = match self.conn() {
            Conn::Pg(_) | Conn::PgAs(..) => Backend::Postgres,
            Conn::Sqlite(_) => Backend::Sqlite,
        };
        let (text, all) = sql.bind(backend, args.to_vec(), self.actor_id);
        let rows = self.conn().fetch_all(op, text, &all).await?;
        if let Some(first) = rows.first() {
            self.offer_standing(first)?;
        }
        Ok(rows)
    }

    /// [`Session::fetch_with_standing`] for a [`with_standing!`] statement:
    /// the query's rows, without the one row of an empty result (whose `id`
    /// is NULL).
    ///
    /// # Errors
    /// Storage failures; an unreadable standing or `id`.
    pub(crate) async fn fetch_all_with_standing(
        &mut self,
        op: &'static str,
        sql: WithStanding,
        args: &[Arg<'_>],
    ) -> StoreResult<Vec<DbRow>> {
        let mut rows = self.fetch_with_standing(op, sql, args).await?;
        if let [only] = rows.as_slice()
            && only.opt_uuid("id")?.is_none()
        {
            rows.clear();
        }
        Ok(rows)
    }

    /// [`Session::may`] with `given` in place of the actor's links, for a
    /// row that joined the one link the rule can look at (the link between
    /// the actor and the resource's owner: `is_active_guardian_of` looks at
    /// no other); spares loading all of the actor's links. The links count
    /// only where [`Session::authorize`] would load them.
    ///
    /// # Errors
    /// Storage failures reading the actor's standing.
    pub(crate) async fn may_given(
        &mut self,
        action: Action,
        resource: Resource,
        given: &[Relationship],
    ) -> StoreResult<bool> {
        let Some(actor) = self.actor().await? else { return Ok(false) };
        let links = if needs_links(&actor, action, &resource) { given } else { &[] };
        match authorize(&actor, action, &resource, links) {
            Ok(access) => {
                self.audited |= access.audited;
                self.basis = Some(access.basis);
                Ok(true)
            }
            Err(ElsonError::Forbidden { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// [`Session::authorize`] for filtering: `Ok(false)` when the core
    /// refuses, so a list scoped to the actor can drop rows they may no
    /// longer see.
    pub(crate) async fn may(&mut self, action: Action, resource: Resource) -> StoreResult<bool> {
        match self.authorize(action, resource).await {
            Ok(_) => Ok(true),
            Err(StoreError::Domain(ElsonError::Forbidden { .. })) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

fn basis_name(b: AccessBasis) -> &'static str {
    match b {
        AccessBasis::Owner => "basis=OWNER",
        AccessBasis::Guardian => "basis=GUARDIAN",
        AccessBasis::Admin => "basis=ADMIN",
        AccessBasis::Public => "basis=PUBLIC",
    }
}

/// One `audit_log` row before it is written.
pub(crate) struct AuditRow<'a> {
    actor_id: Uuid,
    call: &'a Call,
    entity_id: Option<String>,
    at: DateTime<Utc>,
    outcome: &'static str,
    detail: Option<String>,
}

impl AuditRow<'_> {
    pub(crate) fn args(&self) -> [Arg<'_>; 7] {
        [
            uuid(self.actor_id),
            text(self.call.action),
            text(self.call.entity),
            Arg::Text(self.entity_id.as_deref()),
            ts(self.at),
            text(self.outcome),
            Arg::Text(self.detail.as_deref()),
        ]
    }
}

/// Appends audit rows on `c` (inside the caller's transaction): one
/// prepared statement for a single row, multi-row statements for many.
pub(crate) async fn write_audit(
    c: &mut Conn<'_>,
    op: &'static str,
    rows: &[AuditRow<'_>],
) -> StoreResult<()> {
    match rows {
        [] => Ok(()),
        [one] => c.execute(op, AUDIT_INSERT, &one.args()).await.map(|_| ()),
        many => {
            let args: Vec<[Arg<'_>; 7]> = many.iter().map(AuditRow::args).collect();
            c.insert_rows(op, AUDIT_INSERT_PREFIX, &args).await
        }
    }
}

impl Store {
    /// Opens the unit of work of a call for `actor` and resolves the actor's
    /// current standing (see the module docs).
    ///
    /// # Errors
    /// Storage failures and `Busy`.
    pub(crate) async fn session(
        &self,
        call: &Call,
        actor: &Actor,
        mode: Mode,
    ) -> StoreResult<Session> {
        let op = call.op;
        let system = actor.is_system();
        let pg_begin = || Some(pg_begin_as(actor));
        let work = match (mode, self.backend()) {
            (Mode::Write, Backend::Postgres) => {
                Work::Tx(self.begin_write_with(op, pg_begin()).await?)
            }
            (Mode::Write, Backend::Sqlite) => Work::Tx(self.begin_write(op).await?),
            (Mode::Read, Backend::Postgres) => match self.acquire(op).await? {
                Pooled::Pg(c) => Work::PgRead(c, PgActor::new(actor)),
                other => Work::Pooled(other),
            },
            (Mode::Read, Backend::Sqlite) => Work::Pooled(self.acquire(op).await?),
        };
        let s = Session {
            op,
            work,
            mode,
            actor: if system { Standing::Known(Some(Actor::system())) } else { Standing::Deferred },
            actor_id: actor.id,
            links: None,
            audited: false,
            basis: None,
            audit_ids: Vec::new(),
            touched: Vec::new(),
            audit_sent: false,
        };
        Ok(s)
    }

    /// Ends a call: audit rows and commit on success, rollback (and a
    /// FORBIDDEN row in its own transaction) on a denial; then the audit
    /// hook. Returns the call's result, or the failure of the commit.
    pub(crate) async fn conclude<T>(
        &self,
        actor: &Actor,
        session: StoreResult<Session>,
        result: StoreResult<T>,
        call: &Call,
    ) -> StoreResult<T> {
        let result = match session {
            Err(_) => result,
            Ok(s) => self.finish(actor, s, result, call).await,
        };
        self.audited(actor, call.action, call.entity, call.entity_id, result)
    }

    async fn finish<T>(
        &self,
        actor: &Actor,
        s: Session,
        result: StoreResult<T>,
        call: &Call,
    ) -> StoreResult<T> {
        let op = call.op;
        let value = match result {
            Ok(v) => v,
            Err(e) => {
                let write = s.mode == Mode::Write;
                drop(s); // rolls back: a failed call writes no domain row
                if write || matches!(e, StoreError::Domain(ElsonError::Forbidden { .. })) {
                    // Denials (of any call) and refused commands are on
                    // record; if even that cannot be written, the caller
                    // still learns of the refusal, not of the log.
                    let _ = self.record_refusal(actor, call, &e).await;
                }
                return Err(e);
            }
        };
        let rows = if s.audit_sent { Vec::new() } else { s.pending_audit(actor, call) };
        match s.work {
            Work::Tx(mut tx) => {
                write_audit(&mut tx.conn(), op, &rows).await?;
                // Invalidate after the commit (no read caches the old row
                // afterwards), also when it fails (its outcome is unknown).
                let committed = tx.commit(op).await;
                if !s.touched.is_empty() {
                    self.portfolio_cache().invalidate(&s.touched);
                }
                committed?;
            }
            // A read wrote nothing and holds no transaction: its record,
            // if it needs one, follows.
            Work::Pooled(p) => {
                drop(p);
                self.append_read_audit(op, &rows).await?;
            }
            Work::PgRead(c, _) => {
                // Every statement it sent was answered: ready for the next
                // call as it is (crate::parked).
                self.park(c);
                self.append_read_audit(op, &rows).await?;
            }
        }
        Ok(value)
    }

    /// Appends the audit rows of a read after it: the caller gets the read's
    /// result only once its record is written, but the record is not kept
    /// waiting for a disk flush of its own. A read changes nothing, so
    /// nothing is gained by writing its record inside its transaction.
    ///
    /// - SQLite: one autocommit statement (its own implicit transaction)
    ///   in this process's writer turn, committed with `synchronous =
    ///   NORMAL` (set for that statement, restored right after). In WAL
    ///   mode the next fsynced commit makes it durable too, and it survives
    ///   a process crash already.
    /// - PostgreSQL: one autocommit statement per row that relaxes
    ///   `synchronous_commit` for its own commit
    ///   ([`AUDIT_INSERT_NO_FLUSH_WAIT_PG`]).
    ///
    /// Either way a power (or server) failure can lose only the records of
    /// the last reads, never a write's record, which commits with the
    /// write; without this an audited read would cost a disk flush.
    async fn append_read_audit(&self, op: &'static str, rows: &[AuditRow<'_>]) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        if self.backend() == Backend::Postgres {
            let mut pooled = self.acquire(op).await?;
            for row in rows {
                pooled.conn().execute(op, AUDIT_INSERT_NO_FLUSH_WAIT_PG, &row.args()).await?;
            }
            if let Pooled::Pg(c) = pooled {
                self.park(c);
            }
            return Ok(());
        }
        let _turn = self.sqlite_writer_turn().await;
        let mut pooled = self.acquire(op).await?;
        let mut c = pooled.conn();
        if !self.sqlite_synchronous_full() {
            return write_audit(&mut c, op, rows).await;
        }
        c.execute(op, "PRAGMA synchronous = NORMAL", &[]).await?;
        let written = write_audit(&mut c, op, rows).await;
        let restored = c.execute(op, "PRAGMA synchronous = FULL", &[]).await;
        if restored.is_err() {
            // Never hand a connection that skips fsyncs back to the pool.
            pooled.close_on_drop();
        }
        written?;
        restored.map(|_| ())
    }

    /// Writes the FORBIDDEN row of a denied call in its own transaction.
    /// Writes the audit row of a refused call, in its own transaction: the
    /// outcome is the error's code (`FORBIDDEN`, `INVALID_INPUT`,
    /// `INSUFFICIENT_FUNDS`, …) and the detail its message. A storage
    /// failure or a busy database is not a refusal and is not recorded.
    pub(crate) async fn record_refusal(
        &self,
        actor: &Actor,
        call: &Call,
        e: &StoreError,
    ) -> StoreResult<()> {
        if !matches!(
            e,
            StoreError::Domain(_) | StoreError::Crypto(_) | StoreError::EnvironmentMismatch { .. }
        ) {
            return Ok(());
        }
        let row = AuditRow {
            actor_id: actor.id,
            call,
            entity_id: call.entity_id.map(|id| id.to_string()),
            at: Utc::now(),
            outcome: e.code(),
            detail: Some(e.to_string()),
        };
        let mut tx = self.begin_write(call.op).await?;
        write_audit(&mut tx.conn(), call.op, &[row]).await?;
        tx.commit(call.op).await
    }

    /// Authorizes one call that runs its own transactions (the demo
    /// generator): the check, and its denial, are recorded like any call's;
    /// the caller then reports the outcome with [`Store::record_outcome`].
    pub(crate) async fn authorize_call(
        &self,
        actor: &Actor,
        call: &Call,
        action: Action,
        resource: Resource,
    ) -> StoreResult<()> {
        let mut s = self.session(call, actor, Mode::Read).await;
        let r = async { live(&mut s)?.authorize(action, resource).await.map(|_| ()) }.await;
        match s {
            Ok(s) => match r {
                Ok(()) => {
                    drop(s);
                    Ok(())
                }
                Err(e) => {
                    drop(s);
                    if matches!(e, StoreError::Domain(ElsonError::Forbidden { .. })) {
                        let _ = self.record_refusal(actor, call, &e).await;
                    }
                    Err(e)
                }
            },
            Err(e) => Err(e),
        }
    }

    /// Appends the outcome of a call authorized with
    /// [`Store::authorize_call`] in its own transaction.
    pub(crate) async fn record_outcome(&self, actor: &Actor, call: &Call, outcome: &'static str) {
        let row = AuditRow {
            actor_id: actor.id,
            call,
            entity_id: call.entity_id.map(|id| id.to_string()),
            at: Utc::now(),
            outcome,
            detail: None,
        };
        let write = async {
            let mut tx = self.begin_write(call.op).await?;
            write_audit(&mut tx.conn(), call.op, &[row]).await?;
            tx.commit(call.op).await
        };
        let _: StoreResult<()> = write.await;
    }

    /// The `audit_log` reader.
    pub fn audit_log(&self) -> AuditLog<'_> {
        AuditLog { store: self }
    }
}

/// One row of `audit_log`: who did what to which row, when, and how it
/// ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Order of writing (identity column).
    pub id: i64,
    /// The acting user's id (the nil id for the SDK's system actor).
    pub actor_id: Uuid,
    /// What: `insert`, `update`, `get`, `list`, `query`, `place`, `deposit`, …
    pub action: String,
    /// Which table (or `demo`, `audit_log`).
    pub entity: String,
    /// Which row (or, for a list, the owner it was scoped to), when the call
    /// names one.
    pub entity_id: Option<String>,
    /// When the call finished.
    pub at: DateTime<Utc>,
    /// `OK` or `FORBIDDEN`.
    pub outcome: String,
    /// The basis of a granted access (`basis=GUARDIAN`, …) or the reason of
    /// a denial.
    pub detail: Option<String>,
}

/// Reader of the append-only `audit_log`; from [`Store::audit_log`].
#[derive(Debug, Clone, Copy)]
pub struct AuditLog<'s> {
    store: &'s Store,
}

impl AuditLog<'_> {
    /// The newest `limit` rows, newest first. Reading the log is an admin
    /// read of other users' data (and is itself audited).
    ///
    /// # Errors
    /// `Forbidden` for anyone but an ADMIN (or the system actor);
    /// `InvalidInput` for a limit outside 1–1000.
    ///
    /// # Example
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use elson_store::{Store, system_actor};
    /// let store = Store::open("sqlite::memory:").await.unwrap();
    /// let system = system_actor();
    /// store.feature_flags().beta_enabled(&system).await.unwrap();
    /// let log = store.audit_log().recent(&system, 10).await.unwrap();
    /// assert_eq!((log[0].action.as_str(), log[0].entity.as_str()), ("query", "feature_flags"));
    /// # });
    /// ```
    pub async fn recent(self, actor: &Actor, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let call = Call::new("audit_log.recent", "list", "audit_log", None);
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            crate::check::page(limit, 0)?;
            s.authorize(Action::Read, Resource::UserStanding { id: NOBODY }).await?;
            let rows = s.conn().fetch_all(call.op, AUDIT_RECENT, &[Arg::I64(limit)]).await?;
            rows.iter()
                .map(|r| {
                    Ok(AuditEntry {
                        id: r.i64("id")?,
                        actor_id: r.uuid("actor_id")?,
                        action: r.text("action")?,
                        entity: r.text("entity")?,
                        entity_id: r.opt_text("entity_id")?,
                        at: r.ts("at")?,
                        outcome: r.text("outcome")?,
                        detail: r.opt_text("detail")?,
                    })
                })
                .collect()
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }
}
