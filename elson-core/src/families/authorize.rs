//! `authorize(actor, action, resource)`: who may do what to whose data, for
//! the four roles (DESIGN §3). The store asks it before every call.
//!
//! # The rules, in short
//! - INACTIVE or SUSPENDED users may do nothing.
//! - Everyone reads the market state (volatility regimes, breaker states).
//! - **USER, GUARDIAN, ADMIN on their own data**: read and update their
//!   profile; create, update, delete, deposit to and withdraw from their
//!   portfolios; place (Create), read and cancel (Update) their trades;
//!   read, update and delete their notifications; file and read beta feedback.
//!   Everyone reads their own standing (role, status, date of birth). A
//!   USER or GUARDIAN may create their own profile (sign-up).
//! - **GUARDIAN on an ACTIVE minor's data** (audited): reads the minor's
//!   profile, standing, portfolios, trades, notifications and relationships;
//!   opens, configures and funds (Deposit) the minor's portfolios, because
//!   someone adult must set `guardian_approval` and a minor may not switch it
//!   off; approves or rejects the minor's trades. A guardian never trades,
//!   cancels or withdraws for the minor: the child places the orders, the
//!   guardian decides on them. A GUARDIAN also reads, creates and updates the
//!   relationships where they are the guardian.
//! - **MINOR on their own data**: reads and updates their profile; reads their
//!   portfolios; deposits or withdraws only when every ACTIVE guardian granted
//!   `deposits` / `withdrawals` (the strictest rule, as in the approval
//!   decision); places, reads and cancels their trades; reads their
//!   relationships. Placing a trade is *not* gated by `trading` here: the
//!   approval decision ([`crate::families::decide`]) rejects it with the
//!   reason in `notes`, as DESIGN §3 requires, so guardians see the attempt.
//!   A minor may not create, change or delete portfolios.
//! - **ADMIN on others' data**: reads everything (audited). Writes are limited
//!   to operating the platform, each audited: the standing of other users
//!   (suspend, re-role, correct a date of birth), creating accounts,
//!   creating and updating guardian relationships (verification), triaging
//!   beta feedback, feature flags, model parameters, backtest results and
//!   manual circuit-breaker trips and resets. An ADMIN never moves money,
//!   trades, cancels or approves on someone else's behalf, never edits their
//!   notifications, and never writes volatility regimes (only the detector
//!   does, or the hysteresis of DESIGN §5 would be bypassed).
//! - **The SYSTEM actor** ([`Actor::system`]: an ACTIVE ADMIN under the nil
//!   id, [`SYSTEM_ACTOR_ID`]) is the SDK's own service identity: trusted
//!   in-process code such as payment webhooks (deposits), market feeds and
//!   schedulers (executions, regimes, mark to market) and demo-data
//!   generators. It is granted everything, on basis ADMIN, and every access
//!   is audited. Only the exact triple (nil id, ADMIN, ACTIVE) is the system:
//!   the nil id with another role or status gets the ordinary rules, and no
//!   user row can have the nil id's standing, because a store resolves every
//!   other actor's role and status from its own rows.
//! - Nothing deletes users, trades or relationships: accounts are made
//!   INACTIVE and links ended by status, because trades and audits refer
//!   to them.
//!
//! Field-level rules are the store's job: a profile Update must not touch
//! `role`, `status` or `date_of_birth`, which are [`Resource::UserStanding`].

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{Relationship, User};
use crate::enums::{RelationshipStatus, UserRole, UserStatus};
use crate::error::{ElsonError, Result};
use crate::families::Permissions;

/// The acting user, reduced to what authorization needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user's id.
    pub id: Uuid,
    /// USER, GUARDIAN, MINOR or ADMIN.
    pub role: UserRole,
    /// Only ACTIVE and BETA_TESTER users may act.
    pub status: UserStatus,
}

/// The id of the SDK's own service identity, [`Actor::system`]: the nil UUID,
/// which no user is given (ids are v4/v7).
pub const SYSTEM_ACTOR_ID: Uuid = Uuid::nil();

impl Actor {
    /// The SDK's own service identity: an ACTIVE ADMIN under
    /// [`SYSTEM_ACTOR_ID`]. Trusted in-process code (payment webhooks,
    /// market feeds, schedulers, generators) acts as it; [`authorize`]
    /// grants it everything and audits every access, so what it did on a
    /// user's data is still on record.
    ///
    /// # Example
    /// ```
    /// # use elson_core::families::*;
    /// let system = Actor::system();
    /// let any_owner = uuid::Uuid::new_v4();
    /// // Deposits on a user's portfolio: an ordinary ADMIN may not, the system may.
    /// let access = authorize(&system, Action::Deposit, &Resource::Portfolio { owner_id: any_owner }, &[]).unwrap();
    /// assert_eq!((access.basis, access.audited), (AccessBasis::Admin, true));
    /// ```
    pub const fn system() -> Actor {
        Actor { id: SYSTEM_ACTOR_ID, role: UserRole::Admin, status: UserStatus::Active }
    }

    /// True for exactly [`Actor::system`] (nil id, ADMIN, ACTIVE).
    pub fn is_system(&self) -> bool {
        *self == Actor::system()
    }
}

impl From<&User> for Actor {
    fn from(user: &User) -> Self {
        Actor { id: user.id, role: user.role, status: user.status }
    }
}

/// What the actor wants to do. Placing an order is `Create` on a
/// [`Resource::Trade`]; cancelling it is `Update`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Action {
    /// Look at it.
    Read,
    /// Make a new one (a trade: place an order).
    Create,
    /// Change it (a trade: cancel it; a notification: read or archive it).
    Update,
    /// Remove it.
    Delete,
    /// Approve or reject a minor's trade.
    Approve,
    /// Put cash into a portfolio.
    Deposit,
    /// Take cash out of a portfolio.
    Withdraw,
}

impl Action {
    /// Every action.
    pub const ALL: &'static [Action] = &[
        Action::Read,
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Approve,
        Action::Deposit,
        Action::Withdraw,
    ];
}

/// What is touched, and whom it belongs to. User-owned resources carry the
/// owner's id; platform-wide ones carry nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Resource {
    /// A user's profile: names, preferences, 2FA, education progress.
    User {
        /// The user.
        id: Uuid,
    },
    /// A user's role, status and date of birth (administrative).
    UserStanding {
        /// The user.
        id: Uuid,
    },
    /// A portfolio and its positions.
    Portfolio {
        /// Owner of the portfolio.
        owner_id: Uuid,
    },
    /// A trade (order).
    Trade {
        /// Owner of the trade's portfolio.
        owner_id: Uuid,
    },
    /// A notification.
    Notification {
        /// Recipient.
        user_id: Uuid,
    },
    /// A guardian–minor relationship.
    Relationship {
        /// The guardian.
        guardian_id: Uuid,
        /// The minor.
        minor_id: Uuid,
    },
    /// A piece of beta feedback.
    BetaFeedback {
        /// Author.
        user_id: Uuid,
    },
    /// Feature flags (platform-wide).
    FeatureFlag,
    /// Model parameters (platform-wide).
    ModelParameter,
    /// Backtest results (platform-wide).
    BacktestResult,
    /// Volatility regimes (market data).
    VolatilityRegime,
    /// Circuit-breaker states (market data).
    CircuitBreaker,
}

/// On what ground access was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccessBasis {
    /// The actor's own data.
    Owner,
    /// A guardian acting on an ACTIVE minor's data.
    Guardian,
    /// An administrator's power.
    Admin,
    /// Market data anyone active may read.
    Public,
}

/// A granted access. `audited` says the store must write an audit row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// Why access was granted.
    pub basis: AccessBasis,
    /// True for a guardian touching a minor's data, any ADMIN access to
    /// another user's data, and every ADMIN write.
    pub audited: bool,
}

/// The shape of a resource, for the rule table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Profile,
    Standing,
    Portfolio,
    Trade,
    Notification,
    Relationship,
    BetaFeedback,
    FeatureFlag,
    ModelParameter,
    BacktestResult,
    VolatilityRegime,
    CircuitBreaker,
}

/// Whose the resource is, seen from the actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The actor's own (or a relationship the actor is party to).
    Own,
    /// A minor the actor is an ACTIVE guardian of.
    Ward,
    /// Someone else's.
    Other,
    /// Platform-wide.
    Global,
}

/// Decides whether `actor` may perform `action` on `resource`.
///
/// `relationships` are the actor's relationships: for a GUARDIAN those where
/// they are the guardian (ACTIVE ones make a minor's data reachable), for a
/// MINOR those where they are the minor (ACTIVE ones carry the permissions).
/// Others are ignored, so passing a broader set is safe.
///
/// The [`Actor::system`] is granted every action on every resource, always
/// audited, on basis [`AccessBasis::Admin`].
///
/// # Errors
/// [`ElsonError::Forbidden`] with the reason when the actor is INACTIVE or
/// SUSPENDED, when no rule grants the access, or when a minor lacks the
/// `deposits` / `withdrawals` permission.
///
/// # Example
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use elson_core::entities::Relationship;
/// # use elson_core::enums::*;
/// # use elson_core::families::*;
/// # use uuid::Uuid;
/// # let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let parent = Actor { id: Uuid::new_v4(), role: UserRole::Guardian, status: UserStatus::Active };
/// let child = Uuid::new_v4();
/// let link = Relationship { id: Uuid::new_v4(), guardian_id: parent.id, minor_id: child,
///     relationship_type: RelationshipType::Parent, created_at: t, updated_at: t,
///     status: RelationshipStatus::Active, approval_settings: ApprovalSettings::default(),
///     permissions: Permissions::default() };
/// let links = [link];
///
/// // Own data: granted, not audited.
/// let own = authorize(&parent, Action::Withdraw, &Resource::Portfolio { owner_id: parent.id }, &links).unwrap();
/// assert_eq!((own.basis, own.audited), (AccessBasis::Owner, false));
/// // The child's trades: a guardian reads and approves them, audited.
/// let read = authorize(&parent, Action::Read, &Resource::Trade { owner_id: child }, &links).unwrap();
/// assert_eq!((read.basis, read.audited), (AccessBasis::Guardian, true));
/// // ...but never trades for the child.
/// let err = authorize(&parent, Action::Create, &Resource::Trade { owner_id: child }, &links).unwrap_err();
/// assert_eq!(err.code(), "FORBIDDEN");
/// ```
pub fn authorize(
    actor: &Actor,
    action: Action,
    resource: &Resource,
    relationships: &[Relationship],
) -> Result<Access> {
    if actor.is_system() {
        // Trusted in-process code: everything, always on record.
        return Ok(Access { basis: AccessBasis::Admin, audited: true });
    }
    match actor.status {
        UserStatus::Active | UserStatus::BetaTester => {}
        status @ (UserStatus::Inactive | UserStatus::Suspended) => {
            return Err(ElsonError::forbidden(format!("a {status} user may not act")));
        }
    }
    let (kind, scope) = classify(actor, resource, relationships);
    let minor_may = |name: &str, granted: fn(&Permissions) -> bool| {
        minor_permission(actor.id, relationships, name, granted).map(|()| AccessBasis::Owner)
    };
    let denied =
        || ElsonError::forbidden(format!("{} may not {action:?} {kind:?} ({scope:?})", actor.role));
    use AccessBasis as B;
    use Action::{Approve, Create, Delete, Deposit, Read, Update, Withdraw};
    use Kind as K;
    use Scope::{Global, Other, Own, Ward};
    use UserRole::{Admin, Guardian, Minor, User};
    let basis = match (actor.role, kind, scope, action) {
        // Market state is shown in every app.
        (_, K::VolatilityRegime | K::CircuitBreaker, Global, Read) => Ok(B::Public),

        // --- Every role on its own account.
        (_, K::Standing, Own, Read) => Ok(B::Owner),
        (_, K::Profile, Own, Read | Update) => Ok(B::Owner),
        // Sign-up: an adult opens their own account (a store takes the
        // actor's role and status from the row being created); ADMINs are
        // made by admins (Standing), minors' accounts by the platform.
        (User | Guardian, K::Profile, Own, Create) => Ok(B::Owner),
        (_, K::Notification, Own, Read | Update | Delete) => Ok(B::Owner),
        (_, K::BetaFeedback, Own, Read | Create) => Ok(B::Owner),
        // Cancelling is Update; the approval decision judges a minor's order.
        (_, K::Trade, Own, Read | Create | Update) => Ok(B::Owner),

        // --- Adults on their own portfolios.
        (User | Guardian | Admin, K::Portfolio, Own, Read | Create | Update | Delete) => {
            Ok(B::Owner)
        }
        (User | Guardian | Admin, K::Portfolio, Own, Deposit | Withdraw) => Ok(B::Owner),
        (Guardian, K::Relationship, Own, Read | Create | Update) => Ok(B::Owner),

        // --- A minor on their own: within the guardians' permissions.
        (Minor, K::Portfolio, Own, Read) => Ok(B::Owner),
        (Minor, K::Portfolio, Own, Deposit) => minor_may("deposits", |p| p.deposits),
        (Minor, K::Portfolio, Own, Withdraw) => minor_may("withdrawals", |p| p.withdrawals),
        (Minor, K::Relationship, Own, Read) => Ok(B::Owner),

        // --- A guardian on an ACTIVE minor's data.
        (
            Guardian,
            K::Profile | K::Standing | K::Portfolio | K::Trade | K::Notification | K::Relationship,
            Ward,
            Read,
        ) => Ok(B::Guardian),
        // Someone adult opens, configures and funds the child's portfolios.
        (Guardian, K::Portfolio, Ward, Create | Update | Deposit) => Ok(B::Guardian),
        (Guardian, K::Trade, Ward, Approve) => Ok(B::Guardian),

        // --- An admin operating the platform.
        (Admin, _, Other | Ward, Read) => Ok(B::Admin),
        (
            Admin,
            K::FeatureFlag | K::ModelParameter | K::BacktestResult,
            Global,
            Read | Create | Update | Delete,
        ) => Ok(B::Admin),
        // Manual breaker trips and resets (DESIGN §6).
        (Admin, K::CircuitBreaker, Global, Update) => Ok(B::Admin),
        // Suspend, re-role, correct a date of birth: never one's own (no self-promotion).
        (Admin, K::Standing, Other | Ward, Update) => Ok(B::Admin),
        (Admin, K::Profile, Other | Ward, Create) => Ok(B::Admin),
        (Admin, K::Relationship, Other | Ward, Create | Update) => Ok(B::Admin),
        (Admin, K::BetaFeedback, Other | Ward, Update) => Ok(B::Admin),

        // Everything else: deletes of users, trades and relationships, money
        // moved for others, regimes written by hand, actions that do not fit
        // the resource.
        _ => Err(denied()),
    }?;
    let audited = matches!(scope, Ward | Other) || (basis == B::Admin && action != Read);
    debug_assert!(
        basis != B::Guardian || scope == Ward,
        "Invariant: guardian access is only to a ward's data"
    );
    Ok(Access { basis, audited })
}

/// Sorts the resource into its kind and its scope relative to the actor.
fn classify(actor: &Actor, resource: &Resource, relationships: &[Relationship]) -> (Kind, Scope) {
    let owned = |owner: Uuid| {
        if owner == actor.id {
            Scope::Own
        } else if is_active_guardian_of(actor.id, owner, relationships) {
            Scope::Ward
        } else {
            Scope::Other
        }
    };
    match *resource {
        Resource::User { id } => (Kind::Profile, owned(id)),
        Resource::UserStanding { id } => (Kind::Standing, owned(id)),
        Resource::Portfolio { owner_id } => (Kind::Portfolio, owned(owner_id)),
        Resource::Trade { owner_id } => (Kind::Trade, owned(owner_id)),
        Resource::Notification { user_id } => (Kind::Notification, owned(user_id)),
        Resource::BetaFeedback { user_id } => (Kind::BetaFeedback, owned(user_id)),
        Resource::Relationship { guardian_id, minor_id } => {
            // Which side the actor may be on follows the role, so a GUARDIAN
            // listed as the minor of a link gains nothing from it.
            let party = match actor.role {
                UserRole::Guardian => guardian_id == actor.id,
                UserRole::Minor => minor_id == actor.id,
                UserRole::User | UserRole::Admin => guardian_id == actor.id || minor_id == actor.id,
            };
            let scope = if party {
                Scope::Own
            } else if is_active_guardian_of(actor.id, minor_id, relationships) {
                Scope::Ward // a co-guardian's link to the same child
            } else {
                Scope::Other
            };
            (Kind::Relationship, scope)
        }
        Resource::FeatureFlag => (Kind::FeatureFlag, Scope::Global),
        Resource::ModelParameter => (Kind::ModelParameter, Scope::Global),
        Resource::BacktestResult => (Kind::BacktestResult, Scope::Global),
        Resource::VolatilityRegime => (Kind::VolatilityRegime, Scope::Global),
        Resource::CircuitBreaker => (Kind::CircuitBreaker, Scope::Global),
    }
}

/// True when `guardian_id` has an ACTIVE relationship with `minor_id`.
pub fn is_active_guardian_of(
    guardian_id: Uuid,
    minor_id: Uuid,
    relationships: &[Relationship],
) -> bool {
    relationships.iter().any(|r| {
        r.guardian_id == guardian_id
            && r.minor_id == minor_id
            && r.status == RelationshipStatus::Active
    })
}

/// A minor's money permission: at least one ACTIVE relationship, and every
/// ACTIVE one grants it (the strictest rule, as for trades).
fn minor_permission(
    minor_id: Uuid,
    relationships: &[Relationship],
    name: &str,
    granted: fn(&Permissions) -> bool,
) -> Result<()> {
    let mut active = relationships
        .iter()
        .filter(|r| r.minor_id == minor_id && r.status == RelationshipStatus::Active)
        .peekable();
    if active.peek().is_none() {
        return Err(ElsonError::forbidden(format!(
            "a MINOR needs an ACTIVE guardian relationship for {name}"
        )));
    }
    if active.all(|r| granted(&r.permissions)) {
        Ok(())
    } else {
        Err(ElsonError::forbidden(format!("a guardian has not granted the {name} permission")))
    }
}

/// The price an order executes at, and whose word it is (DESIGN §2): an
/// execution is a fact of the market, so only the system actor (the price
/// feed or broker integration) executes orders. An owner who could fill
/// their own orders could buy at 0.01 and sell at 10,000 — even "at their
/// own limit price", since they choose the limit — so no one else executes
/// at all. The system fills at the market price it gives, or a LIMIT order
/// at its limit when it gives none.
///
/// # Errors
/// `Forbidden` for any actor but the system; `InvalidInput`
/// (`market_price`) when the system fills a MARKET order without a price.
///
/// # Example
/// ```
/// # use elson_core::families::{Actor, execution_price};
/// # use elson_core::enums::{OrderType, UserRole, UserStatus};
/// # use rust_decimal::Decimal;
/// let owner = Actor { id: uuid::Uuid::new_v4(), role: UserRole::User, status: UserStatus::Active };
/// let limit = Some(Decimal::new(1, 2));
/// // The owner's own LIMIT at 0.01: still not theirs to fill.
/// assert!(execution_price(&owner, OrderType::Limit, limit, None).is_err());
/// assert!(execution_price(&owner, OrderType::Market, None, Some(Decimal::new(1, 2))).is_err());
/// let feed = Actor::system();
/// assert_eq!(execution_price(&feed, OrderType::Market, None, Some(Decimal::new(500, 2))).unwrap(), Decimal::new(500, 2));
/// assert_eq!(execution_price(&feed, OrderType::Limit, limit, None).unwrap(), Decimal::new(1, 2));
/// ```
pub fn execution_price(
    actor: &Actor,
    order_type: crate::enums::OrderType,
    limit_price: Option<rust_decimal::Decimal>,
    market_price: Option<rust_decimal::Decimal>,
) -> Result<rust_decimal::Decimal> {
    use crate::enums::OrderType;
    if !actor.is_system() {
        return Err(ElsonError::forbidden(
            "orders are executed by the system actor (the price feed or broker) only",
        ));
    }
    match (market_price, order_type, limit_price) {
        (Some(price), _, _) => Ok(price),
        (None, OrderType::Limit, Some(limit)) => Ok(limit),
        (None, _, _) => Err(ElsonError::invalid(
            "market_price",
            "a MARKET order executes at the market price, which the price feed must give",
        )),
    }
}

/// Market prices (marks, fills) are facts of the market: only the system
/// actor — the price feed — states them. An owner who could mark their own
/// holdings would raise their `total_value`, and with it the largest buy
/// the sizing rules allow (DESIGN §7).
///
/// # Errors
/// `Forbidden` for any actor but the system.
pub fn check_price_source(actor: &Actor) -> Result<()> {
    if actor.is_system() {
        Ok(())
    } else {
        Err(ElsonError::forbidden("only the system actor (the price feed) states market prices"))
    }
}
