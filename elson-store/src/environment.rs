//! Beta safeguards (data model "Beta Safeguards", DESIGN §10): one
//! environment per database, snapshots and restores.
//!
//! ## Environments
//! A store is opened for one environment ([`StoreOptions::environment`]:
//! DEV, BETA, STAGING or PRODUCTION). Migration 12 adds a one-row table
//! `store_environment`; the first store opened with an environment stamps
//! the database, and the stamp never changes (UPDATE and DELETE raise).
//! Opening the database later for another environment fails with
//! [`StoreError::EnvironmentMismatch`] naming both. A store opened without
//! an environment (the default) takes the stamp of a stamped database and
//! is unscoped on an unstamped one (every environment's rows, as before
//! migration 12). The default is not DEV because existing callers keep one
//! default store with flags of every environment (the seed's "BETA flags"
//! query on a development database); a DEV default would refuse them.
//!
//! Rows that carry an environment, and what a stamped database does:
//! - `feature_flags.environment`: a flag of another environment is refused
//!   on insert and update (`InvalidInput` naming `environment`, nothing
//!   written) and is invisible to reads (`get` is `NotFound`, `enabled_in`
//!   another environment and [`FeatureFlags::beta_enabled`] outside BETA
//!   return nothing). Flags written before the stamp stay in the table,
//!   invisible and read-only.
//! - `users.status = BETA_TESTER`: "beta user data is isolated from
//!   production" means beta testers have their accounts, portfolios and
//!   feedback in the BETA database, not in production's. A PRODUCTION
//!   database refuses a user with status BETA_TESTER (`InvalidInput` naming
//!   `status`); the other environments accept them. Nothing is copied
//!   between environments by the store.
//!
//! Triggers of migration 12 enforce both rules inside the database too, so
//! raw SQL cannot break them either.
//!
//! ## Snapshots (SQLite)
//! [`Store::snapshot`] writes a consistent copy of the whole database to a
//! new file with SQLite's `VACUUM INTO`: an online backup that reads one
//! transaction's view of the database while writers carry on (WAL), needs no
//! extra crate and produces a compact, ordinary database file. It never
//! overwrites a file. An in-memory store has neither snapshots nor restores
//! (SQLite would open the snapshot file in memory too): both calls return
//! [`StoreError::Unsupported`] instead of silently writing nothing.
//!
//! [`Store::restore`] brings the open database back to a snapshot in ONE
//! transaction: the snapshot is attached, checked (`PRAGMA
//! integrity_check`, the same migration history — versions and checksums —
//! as the database, the same environment stamp), every table is replaced by
//! the snapshot's rows, and the transaction commits or nothing changed.
//! Other connections and clones of the store see the restored data at once;
//! no file is swapped under open connections. Two tables are not taken from
//! the snapshot: `store_environment` (equal by the check) and the
//! append-only `audit_log`, which keeps its history and gains a `restore`
//! row. Triggers of the replaced tables are dropped and re-created inside
//! the transaction (the rows come from a database that already passed
//! them; replaying them in another order could refuse valid rows), and
//! foreign keys are checked at commit. The portfolio read cache is
//! cleared after the commit.
//!
//! Only an active ADMIN may snapshot or restore (`Forbidden` otherwise).
//! A restore brings back the snapshot's users rows whole, including their
//! wrapped data keys (keep the key-encryption keys the snapshot used
//! readable in the `KeyProvider`) and their last accepted TOTP step.
//!
//! ## PostgreSQL
//! Both calls return [`StoreError::Unsupported`]: a PostgreSQL database is
//! backed up with the server's own tools, which take a consistent dump
//! (one repeatable-read transaction) while the application writes:
//!
//! ```sh
//! pg_dump -Fc -f elson.dump "postgres://elson@db/elson_beta"
//! createdb elson_beta_restored
//! pg_restore --exit-on-error --no-owner -d "postgres://elson@db/elson_beta_restored" elson.dump
//! ```
//!
//! The restored database keeps its environment stamp; open it with the same
//! [`StoreOptions::environment`]. Use `pg_dump` and `pg_restore` of the
//! server's major version (e.g. `/usr/lib/postgresql/<v>/bin`). The test
//! `postgres_dump_and_restore_round_trip` in `tests/beta.rs` runs this round
//! trip (also while trades execute) in every `scripts/test-all`.
//!
//! [`StoreOptions::environment`]: crate::StoreOptions::environment
//! [`FeatureFlags::beta_enabled`]: crate::repo::feature_flags::FeatureFlags::beta_enabled

use std::path::Path;

use chrono::Utc;
use elson_core::ElsonError;
use elson_core::enums::{Environment, UserRole, UserStatus};
use sqlx::{Connection, Row, SqliteConnection};

use crate::actor::Actor;
use crate::db::{enum_text, ts};
use crate::error::{StoreError, StoreResult};
use crate::store::Store;

const STAMP_GET: &str = "SELECT environment FROM store_environment WHERE singleton = 1";
const STAMP_PUT: &str = "INSERT INTO store_environment (singleton, environment, stamped_at) \
     VALUES (1, $1, $2) ON CONFLICT (singleton) DO NOTHING";

/// What a PostgreSQL caller uses instead of [`Store::snapshot`] and
/// [`Store::restore`].
pub const PG_BACKUP_HINT: &str = "back up PostgreSQL with `pg_dump -Fc -f FILE URL` and restore \
     into a new database with `pg_restore --exit-on-error --no-owner -d URL FILE` (see the \
     elson_store::environment docs)";

/// Why an in-memory SQLite store has no snapshots.
const MEMORY_HINT: &str = "an in-memory SQLite database has no file to back up or restore into: \
     SQLite opens every file attached to it in memory too; open the store on a file \
     (sqlite://path/elson.db)";

/// The schema name a snapshot is attached under during a restore.
const ATTACHED: &str = "elson_snapshot";

async fn read_stamp(store: &Store) -> StoreResult<Option<Environment>> {
    match store.query_opt("environment.read", STAMP_GET, &[]).await? {
        Some(row) => Ok(Some(row.parse("environment")?)),
        None => Ok(None),
    }
}

/// Stamps or checks the database's environment when a store opens; returns
/// the environment the store runs in.
pub(crate) async fn resolve(
    store: &Store,
    requested: Option<Environment>,
) -> StoreResult<Option<Environment>> {
    let stamp = match read_stamp(store).await {
        Ok(s) => s,
        // No table: a database migrated to before migration 12. Fine for an
        // unscoped store; a store that must be scoped cannot be.
        Err(_) if requested.is_none() => return Ok(None),
        Err(e) => {
            return Err(StoreError::Open {
                message: format!(
                    "cannot read the environment stamp (migration 12 applied? open with \
                     `migrate: true`): {e}"
                ),
            });
        }
    };
    let check = |found: Option<Environment>| match (found, requested) {
        (Some(f), Some(r)) if f != r => Err(StoreError::EnvironmentMismatch {
            what: "database",
            found: Some(f),
            expected: Some(r),
        }),
        (found, requested) => Ok(found.or(requested)),
    };
    match (stamp, requested) {
        (None, Some(r)) => {
            store.exec("environment.stamp", STAMP_PUT, &[enum_text(r), ts(Utc::now())]).await?;
            // Another process may have stamped it first: check what won.
            check(read_stamp(store).await?)
        }
        (stamp, _) => check(stamp),
    }
}

/// Snapshots and restores replace the whole database: an active admin's job.
fn require_admin(actor: &Actor, what: &str) -> StoreResult<()> {
    if actor.role == UserRole::Admin && actor.status == UserStatus::Active {
        Ok(())
    } else {
        Err(ElsonError::forbidden(format!(
            "only an active ADMIN may {what} the database ({} {} may not)",
            actor.status, actor.role
        ))
        .into())
    }
}

fn path_text(path: &Path) -> StoreResult<&str> {
    path.to_str().filter(|s| !s.is_empty()).ok_or_else(|| {
        ElsonError::invalid("path", "the snapshot path must be non-empty UTF-8").into()
    })
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Store {
    /// Writes a consistent copy of the whole database to `path`, a file that
    /// must not exist yet, while the store stays in use (SQLite `VACUUM
    /// INTO`; see [`crate::environment`]). The snapshot carries the
    /// database's environment stamp and migration history, which
    /// [`Store::restore`] checks.
    ///
    /// # Errors
    /// `Forbidden` unless `actor` is an active ADMIN; `InvalidInput`
    /// (`path`) for a path that is not UTF-8; `Conflict` when `path`
    /// exists (a snapshot never overwrites); [`StoreError::Storage`] when the
    /// file cannot be written (no such directory, disk full; a partial file
    /// is removed); [`StoreError::Unsupported`] on PostgreSQL (use
    /// `pg_dump`, see [`PG_BACKUP_HINT`]) and for an in-memory SQLite store.
    ///
    /// # Example
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use elson_store::{Store, system_actor};
    /// let dir = std::env::temp_dir().join(format!("elson-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let file = dir.join("snapshot.db");
    /// # std::fs::remove_file(&file).ok();
    /// let url = format!("sqlite://{}", dir.join("elson.db").display());
    /// let store = Store::open(&url).await.unwrap();
    /// store.snapshot(&system_actor(), &file).await.unwrap();
    /// // Never overwritten:
    /// assert_eq!(store.snapshot(&system_actor(), &file).await.unwrap_err().code(), "CONFLICT");
    /// store.restore(&system_actor(), &file).await.unwrap();
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # });
    /// ```
    pub async fn snapshot(&self, actor: &Actor, path: impl AsRef<Path>) -> StoreResult<()> {
        let path = path.as_ref();
        let r = self.snapshot_inner(actor, path).await;
        self.audited(actor, "snapshot", "database", None, r)
    }

    async fn snapshot_inner(&self, actor: &Actor, path: &Path) -> StoreResult<()> {
        const OP: &str = "snapshot";
        require_admin(actor, "snapshot")?;
        // The role above is the caller's claim: check the stored one (issue 5).
        let call = crate::access::Call::new(OP, "snapshot", "database", None);
        let admins_only =
            elson_core::families::Resource::UserStanding { id: crate::access::NOBODY };
        let update = elson_core::families::Action::Update;
        self.authorize_call(actor, &call, update, admins_only).await?;
        let Some(pool) = self.sqlite_pool() else {
            return Err(StoreError::Unsupported { operation: OP, hint: PG_BACKUP_HINT.into() });
        };
        let text = path_text(path)?;
        let mut c = pool.acquire().await.map_err(|e| crate::db::map_err(OP, e))?;
        if in_memory(&mut c).await? {
            return Err(StoreError::Unsupported { operation: OP, hint: MEMORY_HINT.into() });
        }
        let exists = || {
            ElsonError::Conflict {
                reason: format!("snapshot file {text} already exists; a snapshot never overwrites"),
            }
            .into()
        };
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(exists());
        }
        // One read transaction's view, copied page by page into a new file;
        // writers carry on meanwhile (WAL). SQLite itself refuses a
        // non-empty target, so a file created since the check above is not
        // overwritten either.
        let r = sqlx::query("VACUUM INTO $1").bind(text).execute(&mut *c).await;
        match r {
            Ok(_) if path.is_file() => Ok(()),
            Ok(_) => Err(StoreError::storage(OP, format!("VACUUM INTO wrote no file at {text}"))),
            Err(e) if e.to_string().contains("output file already exists") => Err(exists()),
            Err(e) => {
                std::fs::remove_file(path).ok();
                Err(StoreError::storage(OP, format!("writing {text}: {e}")))
            }
        }
    }

    /// Brings the database back to the snapshot at `path`, in one
    /// transaction, while the store stays open (see [`crate::environment`]):
    /// every table except `audit_log` and `store_environment` then holds
    /// exactly the snapshot's rows; `audit_log` keeps its history and gains
    /// a `restore` row.
    ///
    /// # Errors
    /// `Forbidden` unless `actor` is an active ADMIN; `InvalidInput`
    /// (`path`) for a path that is not UTF-8; `NotFound` (entity
    /// `snapshot`) when there is no such file; [`StoreError::Snapshot`] when
    /// the file is not a database, fails `PRAGMA integrity_check`, is not an
    /// Elson database, or has another migration history (a newer schema, an
    /// older one — open a copy with this SDK to migrate it first — or
    /// different migration contents); [`StoreError::EnvironmentMismatch`]
    /// when its environment stamp differs from the database's;
    /// [`StoreError::Unsupported`] on PostgreSQL (use `pg_restore`, see
    /// [`PG_BACKUP_HINT`]) and for an in-memory SQLite store. On any error
    /// nothing changed.
    pub async fn restore(&self, actor: &Actor, path: impl AsRef<Path>) -> StoreResult<()> {
        let path = path.as_ref();
        let r = self.restore_inner(actor, path).await;
        self.audited(actor, "restore", "database", None, r)
    }

    async fn restore_inner(&self, actor: &Actor, path: &Path) -> StoreResult<()> {
        const OP: &str = "restore";
        require_admin(actor, "restore")?;
        // The role above is the caller's claim: check the stored one (issue 5).
        let call = crate::access::Call::new(OP, "restore", "database", None);
        let admins_only =
            elson_core::families::Resource::UserStanding { id: crate::access::NOBODY };
        let update = elson_core::families::Action::Update;
        self.authorize_call(actor, &call, update, admins_only).await?;
        let Some(pool) = self.sqlite_pool() else {
            return Err(StoreError::Unsupported { operation: OP, hint: PG_BACKUP_HINT.into() });
        };
        let text = path_text(path)?;
        // ATTACH would create a missing file: check first.
        if !std::fs::metadata(path).map(|m| m.is_file()).unwrap_or(false) {
            return Err(StoreError::not_found("snapshot", text));
        }
        let _turn = self.sqlite_writer_turn().await;
        let mut c = pool.acquire().await.map_err(|e| crate::db::map_err(OP, e))?;
        if in_memory(&mut c).await? {
            return Err(StoreError::Unsupported { operation: OP, hint: MEMORY_HINT.into() });
        }
        let conn: &mut SqliteConnection = &mut c;
        let bad = |reason: String| StoreError::Snapshot { path: text.to_string(), reason };
        // A restore cancelled earlier may have left it attached.
        let attached = sqlx::query("SELECT 1 FROM pragma_database_list WHERE name = $1")
            .bind(ATTACHED)
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| crate::db::map_err(OP, e))?;
        if attached.is_some() {
            sqlx::query(sqlx::AssertSqlSafe(format!("DETACH DATABASE {ATTACHED}")))
                .execute(&mut *conn)
                .await
                .map_err(|e| crate::db::map_err(OP, e))?;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!("ATTACH DATABASE $1 AS {ATTACHED}")))
            .bind(text)
            .execute(&mut *conn)
            .await
            .map_err(|e| bad(e.to_string()))?;
        let result = restore_attached(self, conn, actor, text).await;
        // Outside the (committed or rolled back) transaction.
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DETACH DATABASE {ATTACHED}")))
            .execute(&mut *conn)
            .await;
        if result.is_ok() {
            // Cached portfolio rows describe the replaced data.
            self.clear_portfolio_cache();
        }
        result
    }
}

/// Whether the store's database lives in memory (no file behind `main`).
async fn in_memory(conn: &mut SqliteConnection) -> StoreResult<bool> {
    let file: Option<String> =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| crate::db::map_err("snapshot", e))?;
    Ok(file.is_none_or(|f| f.is_empty()))
}

/// The restore proper, on a connection with the snapshot attached.
async fn restore_attached(
    store: &Store,
    conn: &mut SqliteConnection,
    actor: &Actor,
    text: &str,
) -> StoreResult<()> {
    const OP: &str = "restore";
    let bad = |reason: String| StoreError::Snapshot { path: text.to_string(), reason };
    let storage = |e: sqlx::Error| crate::db::map_err(OP, e);
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(storage)?;

    // 1. The file is a sound database…
    let check: Vec<String> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("PRAGMA {ATTACHED}.integrity_check")))
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| bad(format!("not a readable SQLite database: {e}")))?;
    if check != ["ok"] {
        return Err(bad(format!("integrity check failed: {}", check.join("; "))));
    }
    // 2. …of this schema: the same migrations, with the same contents…
    let history = |schema: &str| {
        format!(
            "SELECT version, checksum FROM {schema}._sqlx_migrations WHERE success ORDER BY version"
        )
    };
    let ours: Vec<(i64, Vec<u8>)> = sqlx::query_as(sqlx::AssertSqlSafe(history("main")))
        .fetch_all(&mut *tx)
        .await
        .map_err(storage)?;
    let theirs: Vec<(i64, Vec<u8>)> = sqlx::query_as(sqlx::AssertSqlSafe(history(ATTACHED)))
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| bad(format!("not an Elson store database (no migration history): {e}")))?;
    let top = |h: &[(i64, Vec<u8>)]| h.last().map_or(0, |(v, _)| *v);
    if theirs != ours {
        let (t, o) = (top(&theirs), top(&ours));
        return Err(bad(if t > o {
            format!("newer schema: the snapshot is at migration {t}, this database at {o}")
        } else if t < o {
            format!(
                "older schema: the snapshot is at migration {t}, this database at {o}; open a \
                 copy of it with this SDK (which migrates it) and restore from the copy"
            )
        } else {
            "the snapshot's migrations differ from this database's (another build)".to_string()
        }));
    }
    // 3. …and of this environment.
    let stamp = |schema: &str| format!("SELECT environment FROM {schema}.store_environment");
    let ours: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(stamp("main")))
        .fetch_optional(&mut *tx)
        .await
        .map_err(storage)?;
    let theirs: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(stamp(ATTACHED)))
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| bad(e.to_string()))?;
    if theirs != ours {
        let parse = |s: Option<String>| s.and_then(|s| s.parse::<Environment>().ok());
        return Err(StoreError::EnvironmentMismatch {
            what: "snapshot",
            found: parse(theirs),
            expected: parse(ours),
        });
    }

    // Replace every table's rows (FKs checked at commit), with the tables'
    // triggers set aside meanwhile.
    sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *tx).await.map_err(storage)?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' \
         ESCAPE '\\' AND name NOT IN ('_sqlx_migrations', 'audit_log', 'store_environment') \
         ORDER BY name",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(storage)?;
    let triggers: Vec<(String, String)> = sqlx::query(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND tbl_name NOT IN \
         ('_sqlx_migrations', 'audit_log', 'store_environment') ORDER BY name",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(storage)?
    .iter()
    .map(|r| (r.get::<String, _>("name"), r.get::<String, _>("sql")))
    .collect();
    for (name, _) in &triggers {
        let sql = format!("DROP TRIGGER main.{}", quote_ident(name));
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(storage)?;
    }
    for t in &tables {
        let sql = format!("DELETE FROM main.{}", quote_ident(t));
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(storage)?;
    }
    for t in &tables {
        let cols: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1, 'main') ORDER BY cid")
                .bind(t)
                .fetch_all(&mut *tx)
                .await
                .map_err(storage)?;
        let cols = cols.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "INSERT INTO main.{t} ({cols}) SELECT {cols} FROM {ATTACHED}.{t}",
            t = quote_ident(t)
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(storage)?;
    }
    for (_, sql) in &triggers {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(&mut *tx).await.map_err(storage)?;
    }
    // 4. The incoming rows keep every rule of the core (issue 15 item 9):
    // checked in this transaction, before anything replaced is committed.
    check_restored(store, &mut crate::db::Conn::Sqlite(&mut tx))
        .await
        .map_err(|e| bad(format!("the snapshot breaks a rule of the core: {e}")))?;
    sqlx::query(
        "INSERT INTO main.audit_log (actor_id, action, entity, entity_id, at, outcome, detail) \
         VALUES ($1, 'restore', 'database', NULL, $2, 'OK', $3)",
    )
    .bind(actor.id)
    .bind(crate::codec::timestamp_to_micros(Utc::now()))
    .bind(format!("restored from snapshot {text}"))
    .execute(&mut *tx)
    .await
    .map_err(storage)?;
    tx.commit().await.map_err(storage)
}

/// Reads every user-owned row of the database and checks them all as an
/// import is checked (`check_batch`), the trade history aside: a snapshot
/// edited to break an invariant (a total that is not cash plus positions, a
/// position's derived columns, a link whose guardian is made ADMIN, a MINOR
/// without a guardian) is refused. A user is
/// checked as of their row's last change, so an old snapshot of a child
/// who has since come of age still restores.
async fn check_restored(store: &Store, c: &mut crate::db::Conn<'_>) -> StoreResult<()> {
    use crate::commands::{ImportBatch, check_batch, rebuild_user};
    use crate::repo::{
        beta_feedback, notifications, portfolios, positions, relationships, trades, users,
    };
    const OP: &str = "restore";
    let all =
        async |c: &mut crate::db::Conn<'_>, sql: &'static str| c.fetch_all(OP, sql, &[]).await;
    let mut batch = ImportBatch::default();
    for row in all(c, users::ALL).await? {
        batch.users.push(store.users().row_to_user(&row)?);
    }
    for row in all(c, relationships::ALL).await? {
        batch.relationships.push(relationships::from_row(&row)?);
    }
    for row in all(c, portfolios::ALL).await? {
        batch.portfolios.push(portfolios::from_row(&row)?);
    }
    for row in all(c, positions::ALL).await? {
        batch.positions.push(positions::from_row(&row)?);
    }
    for row in all(c, trades::ALL).await? {
        batch.trades.push(trades::from_row(&row)?);
    }
    for row in all(c, notifications::ALL).await? {
        batch.notifications.push(notifications::from_row(&row)?);
    }
    for row in all(c, beta_feedback::ALL).await? {
        batch.beta_feedback.push(beta_feedback::from_row(&row)?);
    }
    let users: Vec<elson_core::entities::User> =
        batch.users.iter().map(|u| rebuild_user(u, u.updated_at)).collect::<StoreResult<_>>()?;
    check_batch(&batch, &users, &std::collections::HashMap::new(), &[], false)
}
