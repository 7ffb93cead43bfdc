//! # elson-store
//!
//! Persistence for the Elson SDK: SQLite (embedded default) and PostgreSQL
//! (production) behind one API. Every rule is decided by [`elson_core`]; the
//! store makes the decisions durable and atomic.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use elson_store::Store;
//! let store = Store::open("sqlite::memory:").await.unwrap(); // or sqlite://elson.db, postgres://…
//! # });
//! ```
//!
//! ## One API, two backends
//! Each statement is written once with `$N` placeholders and runs unchanged
//! on both databases; values are bound per backend by one codec
//! ([`codec`]). Dialect differences live only in the per-backend migrations
//! (`migrations/sqlite`, `migrations/postgres`): the seed's eight, in order.
//!
//! ## Representation
//! | seed type | PostgreSQL | SQLite (STRICT tables) |
//! |---|---|---|
//! | UUID | `UUID` | `BLOB`, 16 bytes (compact index keys; sorts like `uuid`; `hex(id)` in the shell) |
//! | DECIMAL(p,s) | `NUMERIC(p,s)` | `INTEGER` = value × 10^s: cents for money, micro-units for quantities and parameter values, 10⁻⁴ for DECIMAL(10,4), 10⁻² for DECIMAL(5,2) fractions and percentages. Exact, sortable and summable in SQL. |
//! | TIMESTAMP | `TIMESTAMPTZ` | `INTEGER` microseconds since the Unix epoch, UTC |
//! | DATE | `DATE` | `TEXT` `YYYY-MM-DD`, checked with `date(x) = x` |
//! | BOOLEAN | `BOOLEAN` | `INTEGER` 0/1 with a CHECK |
//! | ENUM | `TEXT` + `CHECK (x IN (…))` | same |
//! | JSONB | `JSONB` | `TEXT` + `CHECK (json_valid(x))` |
//! | ARRAY | `TEXT[]` / `UUID[]` | JSON array text |
//!
//! Timestamps keep microseconds on both backends; finer parts are dropped.
//! Decimals come back with exactly their column's scale on both backends.
//!
//! ## Consistency in the database
//! CHECK constraints (cash ≥ 0, quantity ≥ 0, enum values, scores 0–100,
//! `executed_at` set exactly for EXECUTED trades), foreign keys, unique
//! email, one position per (portfolio, symbol), and a trigger that refuses
//! a regime change with `stabilization_count < 3`. `audit_log` is append
//! only (UPDATE and DELETE raise).
//!
//! ## Errors
//! [`StoreError`]: domain errors are the core's [`elson_core::ElsonError`]
//! (`Conflict` for a duplicate email, `NotFound`, `InvalidInput` naming the
//! column); database failures are `Storage`/`Busy`. Values are checked
//! against their column before any statement runs, so a bad value writes
//! nothing.
//!
//! ## Commands, not rows
//! Every write is a named command of [`commands`] (`create_user`,
//! `open_portfolio`, `deposit`, `place_trade`, `link_guardian`, …), whose
//! every effect the core decides; the repositories ([`repo`]) only read.
//! Whole rows enter through [`Store::import`] alone (system actor, every
//! invariant checked). Only the system actor (the price feed) executes
//! orders and marks to market; fees are [`StoreOptions::fees`].
//!
//! ## Atomic trading
//! [`Store::deposit`], [`Store::place_trade`], [`Store::decide_trade`],
//! [`Store::execute_trade`], [`Store::cancel_trade`],
//! [`Store::mark_to_market`], [`Store::place_and_execute`] and the batching
//! API [`Store::place_and_execute_batch`] are each ONE transaction over the
//! trade row, positions, cash, total value and notifications. Every rule is
//! the core's: the approval decision (`families::decide`, `decide_trade`),
//! fills, fees and valuation (`accounting::Book`), the trade state machine
//! and the notification texts. PostgreSQL locks the portfolio row
//! (`SELECT … FOR UPDATE`); SQLite writes under `BEGIN IMMEDIATE` and retries
//! a busy database with bounded backoff ([`StoreOptions::write_attempts_max`]),
//! then reports [`StoreError::Busy`].
//!
//! ## Access control and audit
//! Every call takes the acting [`Actor`]; the store uses only its **id** and
//! reads the actor's current role and status from `users` (so a suspended
//! user or a forged role claim is refused), except for [`system_actor`]
//! (the SDK's own service identity: trusted in-process code such as payment
//! webhooks, schedulers and generators). Each repository method and atomic
//! operation resolves the owner of what it touches (a portfolio's user, a
//! trade's portfolio owner, …), loads the actor's relationships only when the
//! rule may depend on them, and asks `elson_core::families::authorize`;
//! every rule is the core's. A denied call is `Forbidden` and writes no
//! domain row.
//!
//! `audit_log` (append only: UPDATE and DELETE raise) gets a row — who,
//! action, table, row id, when, outcome, and the access basis — for every
//! write, in the same transaction (they commit or roll back together), and
//! for every read `authorize` marks audited (guardian and admin reads of
//! another user's data, and everything the system actor does). A read's
//! record is appended right after the read, in one statement whose commit
//! does not wait for a disk flush of its own; the caller gets the result
//! only once it is written (a power failure can lose the records of the
//! last reads, never a write's). Denied calls are recorded with outcome
//! `FORBIDDEN` in their own small transaction.
//! [`Store::audit_log`] reads it back (admins only). The in-process
//! [`AuditHook`] (no-op by default; [`MemoryAudit`] records) still hears of
//! every call. PII columns pass through a [`PiiCipher`] (plain text by
//! default).
//!
//! On PostgreSQL every call, reads included, is a transaction that first sets
//! `elson.actor_id` / `elson.actor_role` with `set_config(…, true)` (so they
//! cannot leak between pooled uses); row-level-security policies on the
//! user-owned tables read them (migration 0010). Connect the application as a
//! LOGIN member of the `elson_app` role (no BYPASSRLS, no UPDATE/DELETE on
//! `audit_log`) for the database to enforce them as a second line; the role
//! that owns the tables is not restricted. SQLite has no roles: the store's
//! checks are the whole story there.
//!
//! ## Latency
//! A call makes as few round trips as its rule allows. On PostgreSQL a
//! write's `BEGIN` carries the actor's settings, and a read sends each
//! statement together with them in one message (`oneshot`: no transaction
//! to open or end, no settings left on the connection); the call's first
//! query brings back the actor's standing (and, for the approval queue,
//! each item's link) with its own rows. So each of the seed's queries is
//! one round trip, and an audited read (the guardian approval queue, a
//! login lookup) one more for its audit record. The connection of a
//! PostgreSQL read (and of its audit record) that ended normally is parked
//! for the next call, reads and writes alike, rather than returned to the
//! pool, which would test it with one more round trip (`parked`; one that
//! failed, was cancelled or sat idle goes through the pool's checks as
//! before). Pooled connections are pinged only after 5 s idle (sqlx pings
//! each one as it returns to the pool anyway).
//! SQLite file stores checkpoint their write-ahead log from a background
//! task, so no caller pays for copying the log into the database file.
//!
//! ## Scale (PostgreSQL)
//! Migration 11 partitions `trades` by month of `created_at` and
//! `volatility_regimes` by month of `timestamp`, each with a DEFAULT partition
//! so no insert fails; [`Store::ensure_partitions`] creates months ahead and
//! moves rows already in DEFAULT into them. `notifications` is
//! hash-partitioned by `user_id` (8). Primary keys include the partition key:
//! `id` stays unique because ids are random UUIDs (v4/v7); PostgreSQL refuses
//! a reused id only at the same partition-key value (SQLite refuses any
//! reuse), so a caller retrying an order must reuse its `now` too. A lookup
//! by id alone is one index probe per partition, and any query without the
//! partition key opens every partition; the guardian approval queue, which
//! looks pending trades up by portfolio, reads `trades_pending_approval`
//! instead (migration 14: an unpartitioned copy of the PENDING trades that
//! triggers keep exact in the writing transaction).
//! `portfolio_analytics` ([`PortfolioAnalytics`]) is a materialized view
//! refreshed concurrently by [`Store::refresh_portfolio_analytics`] (on
//! SQLite a plain, always-fresh view). Portfolio reads go through a short
//! cache ([`StoreOptions::portfolio_cache_ttl`]) that this store's writes
//! invalidate when they commit. SQLite needs none of the partitioning; the
//! calls are documented no-ops there.
//!
//! ## Passwords, two-factor, encryption at rest
//! [`security`]: bcrypt passwords and [`Store::login`], TOTP two-factor
//! ([`Store::enroll_two_factor`], [`Store::complete_login`]), and envelope
//! encryption of the PII columns under an application-supplied
//! [`security::KeyProvider`] ([`Store::with_key_provider`],
//! [`Store::rotate_pii_keys`]). Since migration 0009 the four PII columns
//! are unconstrained `TEXT` on both backends (`date_of_birth` as
//! `YYYY-MM-DD` or ciphertext); their limits are checked on the plain value.
//!
//! ## Beta safeguards
//! A store is opened for one environment
//! ([`StoreOptions::environment`]); the database is stamped with it and
//! refuses another environment's stores and rows. [`Store::snapshot`] and
//! [`Store::restore`] back up and restore a SQLite database online; on
//! PostgreSQL use `pg_dump`/`pg_restore`. The demo data of [`demo`] is
//! sanitized: fake names, emails under `example.com`. See [`environment`].
//!
//! ## Tests on real databases
//! `scripts/with-postgres CMD…` starts a throwaway PostgreSQL (installing it
//! from Debian packages when `initdb` is missing), exports
//! `ELSON_TEST_PG_URL`, runs CMD and stops the server, also on failure.
//! The store's test suite runs every case on SQLite and on PostgreSQL (each
//! PostgreSQL test in a fresh database `elson_t_<uuid>`, so the URL's role
//! needs CREATEDB):
//!
//! ```sh
//! scripts/with-postgres cargo test -p elson-store         # both backends
//! ELSON_TEST_PG_URL=postgres://me@host/db cargo test -p elson-store
//! cargo test -p elson-store      # no URL: PostgreSQL variants print a notice and skip
//! ```
//!
//! `scripts/test-all` sets `ELSON_REQUIRE_PG=1`, which turns that skip into a
//! failure.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod access;
mod actor;
mod analytics;
mod audit;
mod cache;
mod check;
mod checkpoint;
pub mod codec;
mod combined;
pub mod commands;
mod db;
pub mod demo;
pub mod environment;
mod error;
mod explain;
mod oneshot;
mod parked;
mod partitions;
mod pii;
pub mod repo;
pub mod security;
mod store;

pub use access::{AuditEntry, AuditLog};
pub use actor::{Actor, system_actor};
pub use analytics::PortfolioAnalytics;
pub use audit::{AuditEvent, AuditHook, MemoryAudit, NoAudit};
pub use cache::CacheStats;
pub use commands::{
    Caller, Fill, ImportBatch, ImportReport, NewAccount, NewLink, OrderRequest, TradeResult,
};
pub use elson_core;
pub use error::{StoreError, StoreResult};
pub use explain::{QueryPlan, SeedQueryParams};
pub use partitions::PartitionCreated;
pub use pii::{PiiCipher, PiiField, Plaintext, WrappedKey};
pub use store::{Backend, Store, StoreOptions};
