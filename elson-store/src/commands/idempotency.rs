//! Idempotent commands: a client command id makes a retry safe.
//!
//! A phone that lost its connection after sending "deposit 100.00" does not
//! know whether the deposit happened. It sends the same command again under
//! the same command id; the store answers with the first result and does
//! nothing twice. The same id with a different payload is
//! `IdempotencyConflict` naming the first command (TigerBeetle's "exists
//! with different fields"), never a silent second effect.
//!
//! The record lives in `command_log` (migration 15), keyed by (actor,
//! command id): the operation, the SHA-256 digest of the payload, and the
//! result, written in the transaction of the command's effects. The row is
//! claimed before the command runs (`INSERT … ON CONFLICT DO NOTHING`): on
//! PostgreSQL a concurrent claim of the same id waits for the first to
//! commit or roll back, so eight threads sending one command see one effect;
//! SQLite serializes writers anyway. A refused command rolls back with its
//! claim, so its retry is decided anew.
//!
//! The digest covers what the command does, not when it was asked (`now`)
//! and never a password. Results that carry personal data (a user's row)
//! are recorded by id and read again on a retry, so `command_log` never
//! holds PII in the clear.

use std::future::Future;

use elson_core::ElsonError;
use elson_core::entities::{BetaFeedback, Notification, Portfolio, Position, Relationship, User};
use elson_core::families::Actor;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::import::ImportReport;
use super::trading::TradeResult;
use crate::access::Session;
use crate::db::{Arg, text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::repo::relationships;
use crate::store::Store;

/// Who is calling, and under which client command id: what every command
/// takes. A plain `&Actor` converts into a caller without a command id, so
/// `store.deposit(&actor, …)` still reads as it always did.
///
/// ```
/// # use elson_store::{Caller, system_actor};
/// let retry_safe = Caller::new(&system_actor()).with_command_id(uuid::Uuid::new_v4());
/// assert!(retry_safe.command_id.is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The acting user (the store reads their current standing).
    pub actor: Actor,
    /// The client's id of this command; `None`: not idempotent.
    pub command_id: Option<Uuid>,
}

impl Caller {
    /// `actor`, without a command id.
    pub fn new(actor: &Actor) -> Caller {
        Caller { actor: *actor, command_id: None }
    }

    /// The same caller, sending a command under `command_id`.
    #[must_use]
    pub fn with_command_id(self, command_id: Uuid) -> Caller {
        Caller { command_id: Some(command_id), ..self }
    }
}

impl From<&Actor> for Caller {
    fn from(actor: &Actor) -> Caller {
        Caller::new(actor)
    }
}

impl From<Actor> for Caller {
    fn from(actor: Actor) -> Caller {
        Caller::new(&actor)
    }
}

impl From<&Caller> for Caller {
    fn from(caller: &Caller) -> Caller {
        *caller
    }
}

impl Caller {
    /// The digest of what a command does (its payload as JSON, SHA-256,
    /// hex), computed only when there is a command id to check it against.
    pub(crate) fn digest(&self, payload: &impl Serialize) -> StoreResult<String> {
        if self.command_id.is_none() {
            return Ok(String::new());
        }
        let bytes = serde_json::to_vec(payload)
            .map_err(|e| StoreError::storage("command_log.digest", e.to_string()))?;
        let hash = Sha256::digest(&bytes);
        Ok(hash.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// A command's result as `command_log` keeps it, and how a retry gets it
/// back.
pub(crate) trait Recorded: Sized + Send {
    /// What to store for this result.
    fn record(&self) -> StoreResult<Value>;

    /// The result of a retry, from what was stored (reading the rows again
    /// where the record holds only their ids).
    fn replay(
        store: &Store,
        s: &mut Session,
        recorded: Value,
    ) -> impl Future<Output = StoreResult<Self>> + Send;
}

fn to_json(v: &impl Serialize) -> StoreResult<Value> {
    serde_json::to_value(v).map_err(|e| StoreError::storage("command_log.record", e.to_string()))
}

fn from_json<T: DeserializeOwned>(v: Value) -> StoreResult<T> {
    serde_json::from_value(v).map_err(|e| StoreError::storage("command_log.replay", e.to_string()))
}

/// Results without personal data are kept whole.
macro_rules! recorded_whole {
    ($($t:ty),* $(,)?) => {$(
        impl Recorded for $t {
            fn record(&self) -> StoreResult<Value> {
                to_json(self)
            }
            async fn replay(_: &Store, _: &mut Session, recorded: Value) -> StoreResult<Self> {
                from_json(recorded)
            }
        }
    )*};
}

recorded_whole!(
    TradeResult,
    Vec<TradeResult>,
    Portfolio,
    (Portfolio, Vec<Position>),
    Relationship,
    Notification,
    BetaFeedback,
    ImportReport,
);

async fn user_by_id(store: &Store, s: &mut Session, id: Uuid) -> StoreResult<User> {
    super::trading::load_user(store, &mut s.conn(), "command_log.replay", id).await
}

/// A user's row holds PII: recorded by id, read again on a retry.
impl Recorded for User {
    fn record(&self) -> StoreResult<Value> {
        to_json(&self.id)
    }
    async fn replay(store: &Store, s: &mut Session, recorded: Value) -> StoreResult<Self> {
        user_by_id(store, s, from_json(recorded)?).await
    }
}

impl Recorded for (User, Relationship) {
    fn record(&self) -> StoreResult<Value> {
        to_json(&(self.0.id, &self.1))
    }
    async fn replay(store: &Store, s: &mut Session, recorded: Value) -> StoreResult<Self> {
        let (id, link): (Uuid, Relationship) = from_json(recorded)?;
        // The link as it is now is no secret; re-read it like the user.
        let row = s
            .conn()
            .fetch_optional("command_log.replay", relationships::GET, &[uuid(link.id)])
            .await?;
        let link = match row {
            Some(row) => relationships::from_row(&row)?,
            None => link,
        };
        Ok((user_by_id(store, s, id).await?, link))
    }
}

const CLAIM: &str = "INSERT INTO command_log (actor_id, command_id, operation, digest, result, at) \
     VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT (actor_id, command_id) DO NOTHING";
const RECORDED: &str = "SELECT operation, digest, result FROM command_log \
     WHERE actor_id = $1 AND command_id = $2";
const SETTLE: &str = "UPDATE command_log SET result = $3 WHERE actor_id = $1 AND command_id = $2";

impl Store {
    /// Runs `body` once per (actor, command id): the first time it runs and
    /// its result is recorded with its effects; a retry with the same
    /// payload gets the recorded result; another payload is
    /// `IdempotencyConflict`. Without a command id, `body` just runs.
    pub(crate) async fn once<T: Recorded>(
        &self,
        s: &mut Session,
        caller: &Caller,
        operation: &'static str,
        digest: &str,
        body: impl AsyncFnOnce(&mut Session) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let Some(command_id) = caller.command_id else {
            return body(s).await;
        };
        let actor = caller.actor;
        // A suspended user (or, under row-level security, anyone whose
        // claim the database would refuse) is refused first, as ever.
        if !actor.is_system() {
            s.authorize_standing(actor.id).await?;
        }
        let key = [uuid(actor.id), uuid(command_id)];
        let claim = [
            uuid(actor.id),
            uuid(command_id),
            text(operation),
            text(digest),
            ts(chrono::Utc::now()),
        ];
        if s.conn().execute(operation, CLAIM, &claim).await? == 0 {
            let Some(row) = s.conn().fetch_optional(operation, RECORDED, &key).await? else {
                return Err(StoreError::storage(operation, "command_log claim vanished"));
            };
            let (first, first_digest) = (row.text("operation")?, row.text("digest")?);
            if first != operation || first_digest != digest {
                return Err(ElsonError::IdempotencyConflict { command_id, operation: first }.into());
            }
            let Some(recorded) = row.opt_json("result")? else {
                return Err(StoreError::storage(operation, "command_log row without a result"));
            };
            return T::replay(self, s, recorded).await;
        }
        let result = body(s).await?;
        let recorded = result.record()?;
        let args = [uuid(actor.id), uuid(command_id), Arg::Json(Some(&recorded))];
        s.conn().execute(operation, SETTLE, &args).await?;
        Ok(result)
    }
}
