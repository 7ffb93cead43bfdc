//! [`Store`]: opening a database, migrations, connections and transactions.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite};
use tokio::sync::OwnedMutexGuard;
use uuid::Uuid;

use crate::actor::Actor;
use crate::audit::{AuditEvent, AuditHook, NoAudit};
use crate::cache::PortfolioCache;
use crate::db::{Arg, Conn, DbRow, is_busy, map_err};
use crate::error::{StoreError, StoreResult};
use crate::parked::Parked;
use crate::pii::{PiiCipher, Plaintext};

static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite: embedded, one file (or memory).
    Sqlite,
    /// PostgreSQL: the production server.
    Postgres,
}

/// How a store is opened. `StoreOptions::default()` is what [`Store::open`]
/// uses.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreOptions {
    /// Apply pending migrations on open. Default true.
    pub migrate: bool,
    /// Most pooled connections (SQLite `:memory:` always uses one). Default 8.
    pub max_connections: u32,
    /// How long SQLite waits on a lock before reporting busy. Default 5 s.
    pub busy_timeout: Duration,
    /// How many times a write retries a busy database before
    /// [`StoreError::Busy`]. Default 8 (backoff 1 ms doubling to 128 ms).
    pub write_attempts_max: u32,
    /// SQLite: fsync every commit (`synchronous = FULL`, durable across power
    /// loss). `false` selects `NORMAL`, durable across process crashes only.
    /// Default true.
    pub sqlite_synchronous_full: bool,
    /// How long [`crate::repo::portfolios::Portfolios::get`] may answer from
    /// memory (see [`Store::portfolio_cache_stats`]); every write through
    /// this store that changes the row invalidates it at once, so the TTL
    /// only bounds how long writes by *other* processes go unseen.
    /// `Duration::ZERO` disables the cache. Default 2 s.
    pub portfolio_cache_ttl: Duration,
    /// bcrypt cost of [`Store::hash_password`] and of the dummy hash an
    /// unknown email is checked against at login. Default 12
    /// ([`crate::security::DEFAULT_BCRYPT_COST`]); 4–31 accepted, below 12
    /// only for tests.
    pub bcrypt_cost: u32,
    /// The platform's fee schedule, charged on every execution. Fees are the
    /// platform's, never the caller's: no command takes a fee schedule.
    /// Default the core's (0.35 %, minimum 0.50).
    pub fees: elson_core::accounting::FeeSchedule,
    /// Issuer shown by authenticator apps for two-factor enrollment
    /// (`otpauth://totp/<issuer>:<email>…`). Default `Elson`.
    pub totp_issuer: String,
    /// The environment this store is for (data model "Beta Safeguards").
    /// `Some(env)`: the first open stamps the database with `env`; opening a
    /// database stamped with another environment fails with
    /// [`StoreError::EnvironmentMismatch`]; feature flags of other
    /// environments are refused on write and invisible on read. `None` (the
    /// default, so existing callers keep working): the store takes the
    /// database's stamp when it has one, otherwise it is unscoped and leaves
    /// the database unstamped. See [`crate::environment`].
    pub environment: Option<elson_core::enums::Environment>,
    /// PostgreSQL, when `migrate` is on: after migrating, make sure the
    /// monthly partitions of `trades` and `volatility_regimes` exist from
    /// this month to this many months ahead ([`Store::ensure_partitions`]),
    /// so rows of the coming months never pile up in the DEFAULT partitions
    /// of a store nobody remembered to maintain. 0 skips it. Default 3.
    /// (Long-running services should still call `ensure_partitions` from a
    /// monthly job.)
    pub partition_months_ahead: u32,
    /// Failed logins allowed in a row per email, and failed two-factor
    /// codes per user, before further attempts are refused for a while
    /// ([`crate::security::AttemptLimit`]; default 5, then 15 minutes).
    /// Counted in this process.
    pub login_attempts: crate::security::AttemptLimit,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            migrate: true,
            max_connections: 8,
            busy_timeout: Duration::from_secs(5),
            write_attempts_max: 8,
            sqlite_synchronous_full: true,
            portfolio_cache_ttl: Duration::from_secs(2),
            bcrypt_cost: crate::security::DEFAULT_BCRYPT_COST,
            fees: elson_core::accounting::FeeSchedule::default(),
            totp_issuer: "Elson".to_string(),
            environment: None,
            partition_months_ahead: 3,
            login_attempts: crate::security::AttemptLimit::DEFAULT,
        }
    }
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug)]
struct Inner {
    pool: Pool,
    options: StoreOptions,
    audit: Arc<dyn AuditHook>,
    pii: Arc<dyn PiiCipher>,
    /// SQLite: the in-process writer queue (see [`Store::begin_write`]).
    sqlite_writer: Arc<tokio::sync::Mutex<()>>,
    /// Portfolio rows read recently (pgscale: crate::cache).
    portfolio_cache: Arc<PortfolioCache>,
    /// The database's environment stamp (beta safeguards), once resolved.
    environment: Option<elson_core::enums::Environment>,
    /// SQLite file: the background WAL checkpoint task (crate::checkpoint),
    /// shared by every clone; it stops when the last one is dropped.
    checkpointer: Option<Arc<crate::checkpoint::Checkpointer>>,
    /// PostgreSQL: connections kept ready between calls (crate::parked),
    /// shared by every clone.
    parked: Option<Arc<Parked>>,
    /// Failed login and two-factor attempts (crate::security), shared by
    /// every clone.
    throttle: Arc<crate::security::Throttle>,
}

/// A handle on one database. Cheap to clone; clones share the pool.
///
/// # Example
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use elson_store::{Backend, Store};
/// let store = Store::open("sqlite::memory:").await.unwrap();
/// assert_eq!(store.backend(), Backend::Sqlite);
/// assert_eq!(store.applied_migrations().await.unwrap().len(), store.known_migrations().len());
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

/// A pooled connection of either backend.
pub(crate) enum Pooled {
    Pg(PoolConnection<Postgres>),
    Sqlite(PoolConnection<Sqlite>),
}

impl Pooled {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Pg(c) => Conn::Pg(c),
            Pooled::Sqlite(c) => Conn::Sqlite(c),
        }
    }

    /// Closes the connection instead of returning it to the pool (its
    /// session state could not be restored).
    pub(crate) fn close_on_drop(&mut self) {
        match self {
            Pooled::Pg(c) => c.close_on_drop(),
            Pooled::Sqlite(c) => c.close_on_drop(),
        }
    }
}

/// An open write transaction of either backend. Dropped without
/// [`Tx::commit`], it rolls back.
pub(crate) enum Tx {
    Pg(sqlx::Transaction<'static, Postgres>),
    /// The transaction, then the in-process writer turn (fields drop in
    /// order: the transaction ends before the next writer may begin).
    Sqlite(sqlx::Transaction<'static, Sqlite>, Option<OwnedMutexGuard<()>>),
}

impl Tx {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Pg(t) => Conn::Pg(t),
            Tx::Sqlite(t, _) => Conn::Sqlite(t),
        }
    }

    pub(crate) async fn commit(self, op: &'static str) -> StoreResult<()> {
        match self {
            Tx::Pg(t) => t.commit().await.map_err(|e| map_err(op, e)),
            Tx::Sqlite(t, _turn) => t.commit().await.map_err(|e| map_err(op, e)),
        }
    }
}

/// Starts a PostgreSQL transaction on `conn` with a plain `BEGIN`, or with
/// `begin`: a simple-query string beginning with `BEGIN;` whose further
/// statements run in the same round trip (their results are not read; one
/// that fails leaves the transaction aborted, which sqlx reports as a failed
/// begin).
async fn pg_begin_on(
    conn: PoolConnection<Postgres>,
    begin: Option<String>,
) -> Result<Tx, sqlx::Error> {
    use sqlx::SqlSafeStr;
    let begin = begin.map(|sql| sqlx::AssertSqlSafe(sql).into_sql_str());
    sqlx::Transaction::begin(conn, begin).await.map(Tx::Pg)
}

/// A pooled connection idle for longer than this is pinged before a call
/// gets it.
///
/// Why not always (sqlx's default): sqlx already pings every connection
/// when it returns to the pool, so one handed out again soon after was
/// checked a moment ago; a second ping is a full round trip to PostgreSQL
/// on every call, a sixth of a seed query's latency. A connection that has
/// sat idle longer is checked, so a server restart costs no failed call
/// after a quiet spell.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(5);

async fn ping_if_idle<C: sqlx::Connection>(
    c: &mut C,
    meta: sqlx::pool::PoolConnectionMetadata,
) -> Result<bool, sqlx::Error> {
    if meta.idle_for > PING_IF_IDLE_FOR {
        c.ping().await?;
    }
    Ok(true)
}

fn open_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Open { message: e.to_string() }
}

impl Store {
    /// Opens (and migrates) the database at `url`:
    /// `sqlite://path/elson.db` (created when missing; WAL, foreign keys on,
    /// busy timeout), `sqlite::memory:` (one connection, so the database
    /// lives as long as the store), or `postgres://user@host:port/db`.
    ///
    /// # Errors
    /// [`StoreError::Open`] for an unknown scheme, an unreachable server or a
    /// failed migration.
    pub async fn open(url: &str) -> StoreResult<Store> {
        Store::open_with(url, StoreOptions::default()).await
    }

    /// [`Store::open`] with explicit options.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub async fn open_with(url: &str, options: StoreOptions) -> StoreResult<Store> {
        let mut checkpointer = None;
        let pool = if url.starts_with("sqlite:") {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let connect = SqliteConnectOptions::from_str(url)
                .map_err(open_err)?
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(options.busy_timeout)
                .synchronous(if options.sqlite_synchronous_full {
                    SqliteSynchronous::Full
                } else {
                    SqliteSynchronous::Normal
                });
            let connect = if memory {
                connect
            } else {
                // A 32 MiB page cache (default 2 MiB): the indices of a busy
                // trades table stay in memory instead of being re-read through
                // system calls on every insert.
                connect.journal_mode(SqliteJournalMode::Wal).pragma("cache_size", "-32768")
            };
            // Checkpoints in the background (crate::checkpoint); the
            // foreground only checkpoints a log the task left far behind.
            let background = !memory && crate::checkpoint::available();
            let connect = if background {
                let pages = crate::checkpoint::FOREGROUND_PAGES.to_string();
                connect.pragma("wal_autocheckpoint", pages)
            } else {
                connect
            };
            let mut pool_options = SqlitePoolOptions::new()
                .max_connections(if memory { 1 } else { options.max_connections.max(1) })
                .acquire_timeout(options.busy_timeout.max(Duration::from_secs(30)))
                .test_before_acquire(false)
                .before_acquire(|c, meta| Box::pin(ping_if_idle(c, meta)));
            if memory {
                // An in-memory database dies with its last connection: keep it.
                pool_options =
                    pool_options.min_connections(1).idle_timeout(None).max_lifetime(None);
            }
            let pool = pool_options.connect_with(connect).await.map_err(open_err)?;
            if background {
                checkpointer = crate::checkpoint::start(pool.clone());
            }
            Pool::Sqlite(pool)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // Generic plans always (a startup parameter: no round trip).
            // Every statement of the store is a parameterized OLTP query
            // whose plan does not depend on the values; left to choose,
            // PostgreSQL re-plans a statement over the partitioned tables
            // for every call once one partition's statistics are skewed
            // (≈ 3 ms of planning for 27 partitions, against ≈ 0.1 ms to
            // run it), and a generic plan still prunes partitions by
            // parameter when the executor starts.
            let connect = PgConnectOptions::from_str(url)
                .map_err(open_err)?
                .options([("plan_cache_mode", "force_generic_plan")]);
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections.max(1))
                .acquire_timeout(Duration::from_secs(30))
                .test_before_acquire(false)
                .before_acquire(|c, meta| Box::pin(ping_if_idle(c, meta)))
                .connect_with(connect)
                .await
                .map_err(open_err)?;
            Pool::Postgres(pool)
        } else {
            return Err(open_err(format!(
                "unsupported database url {url:?}: expected sqlite:… or postgres://…"
            )));
        };
        let parked = match pool {
            Pool::Postgres(_) => {
                Some(Arc::new(Parked::new(options.max_connections.max(1), PING_IF_IDLE_FOR)))
            }
            Pool::Sqlite(_) => None,
        };
        let store = Store {
            inner: Arc::new(Inner {
                pool,
                options: options.clone(),
                audit: Arc::new(NoAudit),
                pii: Arc::new(Plaintext),
                sqlite_writer: Arc::new(tokio::sync::Mutex::new(())),
                portfolio_cache: Arc::new(PortfolioCache::new(options.portfolio_cache_ttl)),
                environment: None,
                checkpointer,
                parked,
                throttle: Arc::new(crate::security::Throttle::new(options.login_attempts)),
            }),
        };
        if options.migrate {
            store.migrate().await?;
            if store.backend() == Backend::Postgres && options.partition_months_ahead > 0 {
                store
                    .ensure_partitions(
                        &crate::actor::system_actor(),
                        Utc::now(),
                        options.partition_months_ahead,
                    )
                    .await?;
            }
        }
        // Beta safeguards: stamp or check the database's environment.
        let environment = crate::environment::resolve(&store, options.environment).await?;
        Ok(store.rebuild(|inner| inner.environment = environment))
    }

    /// The same store with another audit hook (the default records nothing).
    pub fn with_audit(self, audit: Arc<dyn AuditHook>) -> Store {
        self.rebuild(|inner| inner.audit = audit)
    }

    /// The same store with another PII cipher (the default stores plain text).
    pub fn with_pii_cipher(self, pii: Arc<dyn PiiCipher>) -> Store {
        self.rebuild(|inner| inner.pii = pii)
    }

    /// The same store with PII encrypted at rest under keys from
    /// `provider` ([`crate::security::EnvelopeCipher`]): `first_name`,
    /// `last_name`, `date_of_birth` and `two_factor_secret` of every user
    /// written from now on are AES-256-GCM ciphertext under a per-user data
    /// key wrapped by the provider's current key. Rows written in plain text
    /// before stay readable; [`Store::reseal_plaintext_users`] encrypts them.
    pub fn with_key_provider(self, provider: Arc<dyn crate::security::KeyProvider>) -> Store {
        self.with_pii_cipher(Arc::new(crate::security::EnvelopeCipher::new(provider)))
    }

    fn rebuild(self, change: impl FnOnce(&mut Inner)) -> Store {
        let mut inner = Inner {
            pool: self.inner.pool.clone(),
            options: self.inner.options.clone(),
            audit: Arc::clone(&self.inner.audit),
            pii: Arc::clone(&self.inner.pii),
            sqlite_writer: Arc::clone(&self.inner.sqlite_writer),
            portfolio_cache: Arc::clone(&self.inner.portfolio_cache),
            environment: self.inner.environment,
            checkpointer: self.inner.checkpointer.clone(),
            parked: self.inner.parked.clone(),
            throttle: Arc::clone(&self.inner.throttle),
        };
        change(&mut inner);
        Store { inner: Arc::new(inner) }
    }

    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        match self.inner.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend() {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        }
    }

    /// The migrations this build knows, in order: (version, description).
    pub fn known_migrations(&self) -> Vec<(i64, String)> {
        self.migrator().iter().map(|m| (m.version, m.description.to_string())).collect()
    }

    /// Applies every pending migration.
    ///
    /// # Errors
    /// [`StoreError::Open`] when a migration fails; it is rolled back.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.inner.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATOR.run(p).await.map_err(open_err),
            Pool::Postgres(p) => POSTGRES_MIGRATOR.run(p).await.map_err(open_err),
        }
    }

    /// Applies pending migrations up to and including `version`.
    ///
    /// # Errors
    /// [`StoreError::Open`] when a migration fails; it is rolled back.
    pub async fn migrate_to(&self, version: i64) -> StoreResult<()> {
        match &self.inner.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATOR.run_to(version, p).await.map_err(open_err),
            Pool::Postgres(p) => POSTGRES_MIGRATOR.run_to(version, p).await.map_err(open_err),
        }
    }

    /// Versions of the migrations applied to this database, in order.
    ///
    /// # Errors
    /// [`StoreError::Storage`] when the bookkeeping table cannot be read.
    pub async fn applied_migrations(&self) -> StoreResult<Vec<i64>> {
        const SQL: &str = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
        let mut c = self.acquire("migrations").await?;
        let rows = c.conn().fetch_all("migrations", SQL, &[]).await;
        match rows {
            Ok(rows) => rows.iter().map(|r| r.i64("version")).collect(),
            // No bookkeeping table yet: nothing applied.
            Err(_) => Ok(Vec::new()),
        }
    }

    /// Closes every pooled connection; later calls fail.
    pub async fn close(&self) {
        match &self.inner.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => {
                if let Some(parked) = &self.inner.parked {
                    drop(parked.drain()); // back to the pool, which closes them
                }
                p.close().await
            }
        }
    }

    /// SQLite: whether commits are fsynced (`synchronous = FULL`).
    pub(crate) fn sqlite_synchronous_full(&self) -> bool {
        self.inner.options.sqlite_synchronous_full
    }

    pub(crate) fn portfolio_cache(&self) -> &PortfolioCache {
        &self.inner.portfolio_cache
    }

    /// Failed login and two-factor attempts (crate::security).
    pub(crate) fn throttle(&self) -> &crate::security::Throttle {
        &self.inner.throttle
    }

    pub(crate) fn options(&self) -> &StoreOptions {
        &self.inner.options
    }

    /// The environment of this store and its database (`None`: unscoped, an
    /// unstamped database opened without an environment).
    pub fn environment(&self) -> Option<elson_core::enums::Environment> {
        self.inner.environment
    }

    /// SQLite: the pool (snapshots and restores, see [`crate::environment`]).
    pub(crate) fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.inner.pool {
            Pool::Sqlite(p) => Some(p),
            Pool::Postgres(_) => None,
        }
    }

    /// SQLite: this process's writer turn, for a writer that manages its own
    /// transaction (a restore).
    pub(crate) async fn sqlite_writer_turn(&self) -> OwnedMutexGuard<()> {
        Arc::clone(&self.inner.sqlite_writer).lock_owned().await
    }

    pub(crate) fn pii(&self) -> &dyn PiiCipher {
        self.inner.pii.as_ref()
    }

    /// A pooled connection for reads.
    pub(crate) async fn acquire(&self, op: &'static str) -> StoreResult<Pooled> {
        match &self.inner.pool {
            Pool::Sqlite(p) => p.acquire().await.map(Pooled::Sqlite).map_err(|e| map_err(op, e)),
            Pool::Postgres(p) => {
                self.pg_connection(p).await.map(Pooled::Pg).map_err(|e| map_err(op, e))
            }
        }
    }

    /// A PostgreSQL connection: a parked one when one is ready
    /// (crate::parked), else one from the pool.
    async fn pg_connection(&self, pool: &PgPool) -> Result<PoolConnection<Postgres>, sqlx::Error> {
        match self.inner.parked.as_ref().and_then(|p| p.take()) {
            Some(c) => Ok(c),
            None => pool.acquire().await,
        }
    }

    /// Ends the use of a PostgreSQL connection whose call ended normally:
    /// parked for the next call, or back to the pool (crate::parked).
    pub(crate) fn park(&self, conn: PoolConnection<Postgres>) {
        if let (Some(parked), Pool::Postgres(pool)) = (&self.inner.parked, &self.inner.pool) {
            parked.put(conn, pool);
        }
    }

    /// A write transaction: `BEGIN IMMEDIATE` on SQLite (the write lock is
    /// taken up front, so two writers never deadlock on lock upgrades), a
    /// plain transaction on PostgreSQL (callers lock rows they change with
    /// `SELECT … FOR UPDATE`). Busy databases are retried with bounded
    /// exponential backoff.
    pub(crate) async fn begin_write(&self, op: &'static str) -> StoreResult<Tx> {
        self.begin_write_with(op, None).await
    }

    /// [`Store::begin_write`] whose PostgreSQL transaction starts with
    /// `pg_begin` (when given) instead of a plain `BEGIN`: a simple-query
    /// string that starts with `BEGIN;` and may run more statements in the
    /// same round trip (see `access::pg_begin_as`).
    pub(crate) async fn begin_write_with(
        &self,
        op: &'static str,
        pg_begin: Option<String>,
    ) -> StoreResult<Tx> {
        let attempts_max = self.inner.options.write_attempts_max.max(1);
        let mut backoff = Duration::from_millis(1);
        // SQLite admits one writer at a time. Writers of this process queue
        // on an async mutex first (fair, no sleeping); SQLite's own busy
        // handler, which sleeps in growing steps, is then only met by
        // writers of other processes.
        let mut turn = match &self.inner.pool {
            Pool::Sqlite(_) => Some(Arc::clone(&self.inner.sqlite_writer).lock_owned().await),
            Pool::Postgres(_) => None,
        };
        for attempt in 1..=attempts_max {
            let started = match &self.inner.pool {
                Pool::Sqlite(p) => {
                    p.begin_with("BEGIN IMMEDIATE").await.map(|t| Tx::Sqlite(t, turn.take()))
                }
                Pool::Postgres(p) => match self.pg_connection(p).await {
                    Ok(c) => pg_begin_on(c, pg_begin.clone()).await,
                    Err(e) => Err(e),
                },
            };
            match started {
                Ok(tx) => return Ok(tx),
                Err(e) if is_busy(&e) && attempt < attempts_max => {
                    tokio::time::sleep(backoff + jitter(backoff)).await;
                    backoff = (backoff * 2).min(Duration::from_millis(128));
                }
                Err(e) if is_busy(&e) => {
                    return Err(StoreError::Busy { operation: op, attempts: attempts_max });
                }
                Err(e) => return Err(map_err(op, e)),
            }
        }
        Err(StoreError::Busy { operation: op, attempts: attempts_max })
    }

    /// Runs one write statement in its own transaction; returns rows changed.
    ///
    /// Neither authorizes nor audits: callers do both first (see `access`).
    pub(crate) async fn exec(
        &self,
        op: &'static str,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<u64> {
        let mut tx = self.begin_write(op).await?;
        let n = tx.conn().execute(op, sql, args).await?;
        tx.commit(op).await?;
        Ok(n)
    }

    /// [`Store::exec`] for a statement that must change exactly the row
    /// `id` of `entity`: zero rows changed is `NotFound`.
    ///
    /// Neither authorizes nor audits: callers do both first (see `access`).
    pub(crate) async fn exec_one(
        &self,
        op: &'static str,
        sql: &'static str,
        args: &[Arg<'_>],
        entity: &str,
        id: Uuid,
    ) -> StoreResult<()> {
        match self.exec(op, sql, args).await? {
            0 => Err(StoreError::not_found(entity, id)),
            _ => Ok(()),
        }
    }

    /// One row or none, on a pooled connection.
    ///
    /// Neither authorizes nor audits: callers do both first (see `access`).
    pub(crate) async fn query_opt(
        &self,
        op: &'static str,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<Option<DbRow>> {
        let mut c = self.acquire(op).await?;
        c.conn().fetch_optional(op, sql, args).await
    }

    /// Every row, on a pooled connection.
    ///
    /// Neither authorizes nor audits: callers do both first (see `access`).
    pub(crate) async fn query_all(
        &self,
        op: &'static str,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<Vec<DbRow>> {
        let mut c = self.acquire(op).await?;
        c.conn().fetch_all(op, sql, args).await
    }

    /// Reports a finished call to the audit hook and passes its result on.
    pub(crate) fn audited<T>(
        &self,
        actor: &Actor,
        action: &'static str,
        entity: &'static str,
        entity_id: Option<Uuid>,
        result: StoreResult<T>,
    ) -> StoreResult<T> {
        let outcome = match &result {
            Ok(_) => "OK",
            Err(e) => e.code(),
        };
        self.inner.audit.record(&AuditEvent {
            actor: *actor,
            action,
            entity,
            entity_id,
            outcome,
            at: Utc::now(),
        });
        result
    }
}

/// Up to half the backoff again, from the clock's sub-second noise: enough
/// to keep retrying writers from waking in lockstep.
fn jitter(backoff: Duration) -> Duration {
    let nanos = u64::from(Utc::now().timestamp_subsec_nanos());
    let half = (backoff.as_micros() / 2).max(1) as u64;
    Duration::from_micros(nanos % half)
}
