//! The store's write API: named commands, each deciding its every effect by
//! `elson-core`'s rules, each ONE transaction with its audit row.
//!
//! There is no other way to change a row. Repositories ([`crate::repo`])
//! read; the rows a command writes are the ones the core built or changed:
//! a user through `User::new` and its profile and standing transitions, a
//! portfolio through `Portfolio::new` (cash 0) and `update_settings`, money
//! and positions through the `Book`, a trade through the approval decision
//! and its lifecycle, a link through its state machine and the family
//! rules, a notification or a feedback through their status machines. The
//! system actor is subject to the same rules: it may act for anyone, it may
//! not break an invariant. Whole rows from elsewhere (a migration, a
//! backfill) come in through [`Store::import`] only, which checks every
//! invariant across the rows before it commits.
//!
//! The row writes that once existed are gone, so a caller cannot even
//! write them. A portfolio's cash is not set:
//!
//! ```compile_fail
//! # async fn f(store: elson_store::Store, p: elson_store::elson_core::entities::Portfolio) {
//! store.portfolios().update(&elson_store::system_actor(), &p).await;
//! # }
//! ```
//!
//! nor a position inserted from nothing, nor a trade's status or approval
//! rewritten:
//!
//! ```compile_fail
//! # async fn f(store: elson_store::Store, p: elson_store::elson_core::entities::Position) {
//! store.positions().insert(&elson_store::system_actor(), &p).await;
//! # }
//! ```
//!
//! ```compile_fail
//! # async fn f(store: elson_store::Store, t: elson_store::elson_core::entities::Trade) {
//! store.trades().update(&elson_store::system_actor(), &t).await;
//! # }
//! ```
//!
//! and an execution carries no fee schedule (fees are the store's,
//! [`crate::StoreOptions::fees`]):
//!
//! ```compile_fail
//! # use elson_store::elson_core::{accounting::FeeSchedule, enums::AssetType};
//! let fill = elson_store::Fill {
//!     market_price: None,
//!     asset_type: AssetType::Stock,
//!     fees: FeeSchedule::zero(),
//! };
//! ```
//!
//! Every command reads what it changes under the write lock (PostgreSQL:
//! `SELECT … FOR UPDATE`; SQLite: the `BEGIN IMMEDIATE` database lock), so
//! two commands on one row never overwrite each other's change.

mod accounts;
mod feedback;
mod idempotency;
mod import;
mod inbox;
mod links;
mod portfolios;
pub(crate) mod trading;

pub use accounts::NewAccount;
pub use idempotency::Caller;
pub use import::{ImportBatch, ImportReport};
pub(crate) use import::{check_batch, rebuild_user};
pub use links::NewLink;
pub use trading::{Fill, OrderRequest, TradeResult};

use uuid::Uuid;

use crate::access::{Call, Mode, Session, live};
use crate::actor::Actor;
use crate::db::{Conn, DbRow, uuid};
use crate::error::{StoreError, StoreResult};
use crate::store::Store;
use idempotency::Recorded;

/// A read of one row by id, plain (SQLite, whose writers hold the database
/// lock) and locking (PostgreSQL: the row until the transaction ends).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LockedGet {
    pub(crate) plain: &'static str,
    pub(crate) for_update: &'static str,
}

impl LockedGet {
    /// The row `id` under the write lock, or `NotFound` naming `entity`.
    pub(crate) async fn fetch(
        self,
        s: &mut Session,
        op: &'static str,
        entity: &'static str,
        id: Uuid,
    ) -> StoreResult<DbRow> {
        let mut c = s.conn();
        let sql = match c {
            Conn::Pg(_) | Conn::PgAs(..) => self.for_update,
            Conn::Sqlite(_) => self.plain,
        };
        match c.fetch_optional(op, sql, &[uuid(id)]).await? {
            Some(row) => Ok(row),
            None => Err(StoreError::not_found(entity, id)),
        }
    }
}

impl Store {
    /// Runs one command: opens its write session, runs `body` once per
    /// client command id ([`idempotency`]; `digest` is [`Caller::digest`] of
    /// what the command does, to tell a retry from another command), and
    /// concludes
    /// (audit row and commit on success; rollback and a refusal audit row on
    /// error).
    pub(crate) async fn command<T: Recorded>(
        &self,
        caller: &Caller,
        call: &Call,
        digest: StoreResult<String>,
        body: impl AsyncFnOnce(&mut Session) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let actor = &caller.actor;
        let digest = match digest {
            Ok(d) => d,
            Err(e) => return self.refuse(actor, call, e).await,
        };
        let mut s = self.session(call, actor, Mode::Write).await;
        let r = match live(&mut s) {
            Ok(session) => self.once(session, caller, call.op, &digest, body).await,
            Err(e) => Err(e),
        };
        self.conclude(actor, s, r, call).await
    }

    /// Refuses a command before its session opens (its input failed a core
    /// check): the refusal is on record like any other.
    pub(crate) async fn refuse<T>(
        &self,
        actor: &Actor,
        call: &Call,
        e: StoreError,
    ) -> StoreResult<T> {
        let _ = self.record_refusal(actor, call, &e).await;
        self.audited(actor, call.action, call.entity, call.entity_id, Err(e))
    }
}
