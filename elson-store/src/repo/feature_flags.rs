//! Table `feature_flags`, and the enabled-flags-of-an-environment query.

use elson_core::ElsonError;
use elson_core::entities::FeatureFlag;
use elson_core::enums::Environment;
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use crate::access::{Call, Mode, WithStanding, live, with_standing};
use crate::actor::Actor;
use crate::db::{Arg, Conn, DbRow, enum_text, opt_text, text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::store::Store;

macro_rules! cols {
    () => {
        "id, flag_name, description, enabled, environment, user_percentage, user_whitelist, \
         created_at, updated_at, created_by, expires_at"
    };
}
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO feature_flags (",
    cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
);
const UPDATE: &str = "UPDATE feature_flags SET flag_name = $2, description = $3, enabled = $4, \
     environment = $5, user_percentage = $6, user_whitelist = $7, created_at = $8, \
     updated_at = $9, created_by = $10, expires_at = $11 WHERE id = $1";
const GET: &str = concat!("SELECT ", cols!(), " FROM feature_flags WHERE id = $1");
/// Every enabled flag of an environment, with the actor's standing
/// ([`with_standing!`]).
pub(crate) const ENABLED_IN: WithStanding = with_standing!(
    concat!("SELECT ", cols!(), " FROM feature_flags WHERE environment = $1 AND enabled = TRUE"),
    "q.flag_name",
    "2"
);

/// Most user ids one flag's whitelist may carry (the core's
/// [`FeatureFlag::WHITELIST_MAX`]).
pub const WHITELIST_MAX: usize = FeatureFlag::WHITELIST_MAX;

/// Repository of `feature_flags`; from [`Store::feature_flags`].
#[derive(Debug, Clone, Copy)]
pub struct FeatureFlags<'s> {
    store: &'s Store,
}

/// A flag is checked by the core's own rules ([`FeatureFlag::validate`],
/// the constructor's), not by column checks of the store's: a row the core
/// refuses (a name with surrounding spaces, which moves every user's
/// rollout bucket) must not be storable through a side door.
fn validate(f: &FeatureFlag) -> Result<(), ElsonError> {
    f.validate()
}

fn from_row(r: &DbRow) -> StoreResult<FeatureFlag> {
    Ok(FeatureFlag {
        id: r.uuid("id")?,
        flag_name: r.text("flag_name")?,
        description: r.opt_text("description")?,
        enabled: r.bool("enabled")?,
        environment: r.parse("environment")?,
        user_percentage: r.i32("user_percentage")?,
        user_whitelist: r.uuid_array("user_whitelist")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
        created_by: r.text("created_by")?,
        expires_at: r.opt_ts("expires_at")?,
    })
}

impl FeatureFlags<'_> {
    pub(crate) async fn write_in(
        self,
        c: &mut Conn<'_>,
        op: &'static str,
        sql: &'static str,
        f: &FeatureFlag,
    ) -> StoreResult<u64> {
        validate(f)?;
        self.own_environment(f.environment)?;
        let args = [
            uuid(f.id),
            text(&f.flag_name),
            opt_text(&f.description),
            Arg::Bool(f.enabled),
            enum_text(f.environment),
            Arg::I32(Some(f.user_percentage)),
            Arg::UuidArray(&f.user_whitelist),
            ts(f.created_at),
            ts(f.updated_at),
            text(&f.created_by),
            Arg::Ts(f.expires_at),
        ];
        c.execute(op, sql, &args).await
    }

    /// Inserts a flag.
    ///
    /// # Errors
    /// `InvalidInput` for a value that does not fit (a percentage outside
    /// 0–100, …) or a flag of another environment than the store's
    /// (field `environment`), `Conflict` for a name already used in the environment or a
    /// reused id.
    pub async fn insert(self, actor: &Actor, f: &FeatureFlag) -> StoreResult<()> {
        let call = Call::new("feature_flags.insert", "insert", "feature_flags", Some(f.id));
        let mut s = self.store.session(&call, actor, Mode::Write).await;
        let r = async {
            let s = live(&mut s)?;
            s.authorize(Action::Create, Resource::FeatureFlag).await?;
            self.write_in(&mut s.conn(), call.op, INSERT, f).await.map(|_| ())
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// Replaces every column of an existing flag.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; otherwise as [`FeatureFlags::insert`].
    pub async fn update(self, actor: &Actor, f: &FeatureFlag) -> StoreResult<()> {
        let call = Call::new("feature_flags.update", "update", "feature_flags", Some(f.id));
        let mut s = self.store.session(&call, actor, Mode::Write).await;
        let r = async {
            let s = live(&mut s)?;
            s.authorize(Action::Update, Resource::FeatureFlag).await?;
            match self.write_in(&mut s.conn(), call.op, UPDATE, f).await? {
                0 => Err(StoreError::not_found("feature_flag", f.id)),
                _ => Ok(()),
            }
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// One flag by id.
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    pub async fn get(self, actor: &Actor, id: Uuid) -> StoreResult<FeatureFlag> {
        let call = Call::new("feature_flags.get", "get", "feature_flags", Some(id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            s.authorize(Action::Read, Resource::FeatureFlag).await?;
            match s.conn().fetch_optional(call.op, GET, &[uuid(id)]).await? {
                // Another environment's flag is invisible (beta safeguards).
                Some(row) => from_row(&row)?
                    .into_visible(self.store.environment())
                    .ok_or_else(|| StoreError::not_found("feature_flag", id)),
                None => Err(StoreError::not_found("feature_flag", id)),
            }
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// Every enabled flag of an environment, by name. The core's
    /// `is_enabled` then applies expiry, whitelist and rollout per user. A
    /// store opened for another environment sees none of them.
    ///
    /// # Errors
    /// Only storage failures.
    pub async fn enabled_in(
        self,
        actor: &Actor,
        environment: Environment,
    ) -> StoreResult<Vec<FeatureFlag>> {
        let call = Call::new("feature_flags.enabled_in", "query", "feature_flags", None);
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            // Another environment's flags are invisible (beta safeguards).
            if self.store.environment().is_some_and(|own| own != environment) {
                s.authorize(Action::Read, Resource::FeatureFlag).await?;
                return Ok(Vec::new());
            }
            // One round trip: the flags and the actor's standing; nothing
            // leaves before `authorize` agrees.
            let env = [enum_text(environment)];
            let rows = s.fetch_all_with_standing(call.op, ENABLED_IN, &env).await?;
            s.authorize(Action::Read, Resource::FeatureFlag).await?;
            rows.iter().map(from_row).collect()
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// The seed's "Feature Flag Evaluation": every enabled BETA flag. On a
    /// store of another environment: none (they are not its rows).
    ///
    /// # Errors
    /// Only storage failures.
    pub async fn beta_enabled(self, actor: &Actor) -> StoreResult<Vec<FeatureFlag>> {
        self.enabled_in(actor, Environment::Beta).await
    }
}

// --- beta safeguards: one environment per store (crate::environment) ---
impl FeatureFlags<'_> {
    /// Refuses a flag of another environment than the store's.
    fn own_environment(self, flag: Environment) -> Result<(), ElsonError> {
        match self.store.environment() {
            Some(own) if own != flag => Err(ElsonError::invalid(
                "environment",
                format!("a {flag} flag does not belong in this {own} store"),
            )),
            _ => Ok(()),
        }
    }
}

trait Visible: Sized {
    fn into_visible(self, own: Option<Environment>) -> Option<Self>;
}

impl Visible for FeatureFlag {
    fn into_visible(self, own: Option<Environment>) -> Option<Self> {
        own.is_none_or(|own| own == self.environment).then_some(self)
    }
}

impl Store {
    /// The `feature_flags` repository.
    pub fn feature_flags(&self) -> FeatureFlags<'_> {
        FeatureFlags { store: self }
    }
}
