//! Families (DESIGN §3): a minor's standing, the approval decision when a
//! trade is created, guardians' approve / reject, and `authorize`.
//!
//! The core takes entities by reference and mutates trades in place; across
//! the FFI records are values, so each function takes the trade and returns
//! the updated one (`approve_trade` returns it with the decision record).

use chrono::NaiveDate;
use elson_core::entities::{Portfolio, Relationship, Trade, User};
use elson_core::enums::{AssetType, GuardianApproval, OrderType, UserRole, UserStatus};
use elson_core::families::{
    self as core, Access, AccessBasis, Action, Actor, GuardianDecision, MinorStanding, Resource,
};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::entities::Checked;
use crate::types::Timestamp;
use crate::{ElsonError, Result};

#[uniffi::remote(Record)]
pub struct MinorStanding {
    /// Age in whole years on the day asked about (always < 18).
    pub age: u32,
    /// Guardians with an ACTIVE relationship, sorted, without duplicates.
    pub active_guardian_ids: Vec<Uuid>,
    /// Guardians with a PENDING relationship, sorted, without duplicates.
    pub pending_guardian_ids: Vec<Uuid>,
    /// True when at least one ACTIVE relationship grants `permissions.trading`.
    pub can_trade: bool,
}

/// The record of a guardian's decision, for the audit row and the
/// notification to the minor.
#[uniffi::remote(Record)]
pub struct GuardianDecision {
    /// The decided trade.
    pub trade_id: Uuid,
    /// The trade's owner.
    pub minor_id: Uuid,
    /// The guardian who decided.
    pub guardian_id: Uuid,
    /// APPROVED or REJECTED.
    pub guardian_approval: GuardianApproval,
    /// The rejection reason (None for an approval).
    pub reason: Option<String>,
    /// When the decision was taken.
    pub decided_at: Timestamp,
}

/// Who is acting: the three user columns `authorize` looks at.
#[uniffi::remote(Record)]
pub struct Actor {
    /// The acting user.
    pub id: Uuid,
    /// Their role.
    pub role: UserRole,
    /// Their status (INACTIVE and SUSPENDED users may not act).
    pub status: UserStatus,
}

/// What the actor wants to do.
#[uniffi::remote(Enum)]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
    Approve,
    Deposit,
    Withdraw,
}

/// What the action is on, with its owner.
#[uniffi::remote(Enum)]
pub enum Resource {
    User { id: Uuid },
    UserStanding { id: Uuid },
    Portfolio { owner_id: Uuid },
    Trade { owner_id: Uuid },
    Notification { user_id: Uuid },
    Relationship { guardian_id: Uuid, minor_id: Uuid },
    BetaFeedback { user_id: Uuid },
    FeatureFlag,
    ModelParameter,
    BacktestResult,
    VolatilityRegime,
    CircuitBreaker,
}

/// On what ground access was granted.
#[uniffi::remote(Enum)]
pub enum AccessBasis {
    Owner,
    Guardian,
    Admin,
    Public,
}

/// A granted access; `audited` says the store must write an audit row.
#[uniffi::remote(Record)]
pub struct Access {
    /// Why access was granted.
    pub basis: AccessBasis,
    /// True for a guardian touching a minor's data and for ADMIN access to
    /// another user's data or any ADMIN write.
    pub audited: bool,
}

/// Everything the approval decision looks at when a trade is created.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ApprovalRequest {
    /// The owner of the portfolio (the person trading).
    pub owner: User,
    /// The portfolio the trade is placed on; must belong to `owner`.
    pub portfolio: Portfolio,
    /// The owner's guardian relationships.
    pub relationships: Vec<Relationship>,
    /// MARKET or LIMIT; LIMIT needs `advanced_orders`.
    pub order_type: OrderType,
    /// Asset type of the symbol.
    pub asset_type: AssetType,
    /// Estimated amount, from `estimate_amount`.
    pub amount: Decimal,
    /// Trades the minor already placed today (not counting those rejected
    /// at creation).
    pub trades_today: u32,
    /// The day the trade is placed, for the age check.
    pub today: NaiveDate,
}

/// Why a minor's trade was rejected at creation.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum RejectionReason {
    /// No guardian relationship is ACTIVE yet.
    NoActiveGuardian,
    /// A guardian did not grant `trading`.
    TradingNotPermitted,
    /// A LIMIT order without `advanced_orders`.
    AdvancedOrdersNotPermitted,
    /// The asset type is outside a guardian's `allowed_asset_types`.
    AssetTypeNotAllowed {
        /// The refused asset type.
        asset_type: AssetType,
    },
    /// The amount is over the smallest `max_trade_amount`.
    AmountOverMaximum {
        /// Estimated amount of the trade.
        amount: Decimal,
        /// The smallest maximum among the guardians.
        max_trade_amount: Decimal,
    },
    /// The smallest `daily_trade_limit` is reached.
    DailyLimitReached {
        /// The smallest daily limit among the guardians.
        daily_trade_limit: u32,
        /// Trades already placed today.
        trades_today: u32,
    },
    /// A reason this version of the bindings does not know yet.
    Other {
        /// Its stable code.
        code: String,
        /// Its text.
        text: String,
    },
}

impl From<core::RejectionReason> for RejectionReason {
    fn from(r: core::RejectionReason) -> Self {
        use core::RejectionReason as R;
        match r {
            R::NoActiveGuardian => RejectionReason::NoActiveGuardian,
            R::TradingNotPermitted => RejectionReason::TradingNotPermitted,
            R::AdvancedOrdersNotPermitted => RejectionReason::AdvancedOrdersNotPermitted,
            R::AssetTypeNotAllowed { asset_type } => {
                RejectionReason::AssetTypeNotAllowed { asset_type }
            }
            R::AmountOverMaximum { amount, max_trade_amount } => {
                RejectionReason::AmountOverMaximum { amount, max_trade_amount }
            }
            R::DailyLimitReached { daily_trade_limit, trades_today } => {
                RejectionReason::DailyLimitReached { daily_trade_limit, trades_today }
            }
            // The core enum is non-exhaustive.
            other => {
                RejectionReason::Other { code: other.code().to_owned(), text: other.to_string() }
            }
        }
    }
}

impl TryFrom<RejectionReason> for core::RejectionReason {
    type Error = ElsonError;
    fn try_from(r: RejectionReason) -> Result<Self> {
        use core::RejectionReason as R;
        Ok(match r {
            RejectionReason::NoActiveGuardian => R::NoActiveGuardian,
            RejectionReason::TradingNotPermitted => R::TradingNotPermitted,
            RejectionReason::AdvancedOrdersNotPermitted => R::AdvancedOrdersNotPermitted,
            RejectionReason::AssetTypeNotAllowed { asset_type } => {
                R::AssetTypeNotAllowed { asset_type }
            }
            RejectionReason::AmountOverMaximum { amount, max_trade_amount } => {
                R::AmountOverMaximum { amount, max_trade_amount }
            }
            RejectionReason::DailyLimitReached { daily_trade_limit, trades_today } => {
                R::DailyLimitReached { daily_trade_limit, trades_today }
            }
            RejectionReason::Other { code, .. } => {
                return Err(ElsonError::invalid(
                    "reason",
                    format!("unknown rejection reason {code}"),
                ));
            }
        })
    }
}

/// The stable code of a rejection reason (`TRADING_NOT_PERMITTED`, …).
#[uniffi::export]
pub fn rejection_reason_code(reason: RejectionReason) -> String {
    match reason {
        RejectionReason::Other { code, .. } => code,
        known => {
            core::RejectionReason::try_from(known).map(|r| r.code().to_owned()).unwrap_or_default()
        }
    }
}

/// The human text of a rejection reason, as stored in the trade's `notes`.
#[uniffi::export]
pub fn rejection_reason_text(reason: RejectionReason) -> String {
    match reason {
        RejectionReason::Other { text, .. } => text,
        known => core::RejectionReason::try_from(known).map(|r| r.to_string()).unwrap_or_default(),
    }
}

/// How a new trade starts (`trades.guardian_approval`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ApprovalDecision {
    /// The owner is not a minor.
    NotRequired,
    /// A minor's trade waits for a guardian.
    Pending,
    /// A minor's trade passed every rule and needs no review.
    Approved,
    /// A minor's trade broke a rule; it is created REJECTED.
    Rejected {
        /// Why.
        reason: RejectionReason,
    },
}

impl From<core::ApprovalDecision> for ApprovalDecision {
    fn from(d: core::ApprovalDecision) -> Self {
        match d {
            core::ApprovalDecision::NotRequired => ApprovalDecision::NotRequired,
            core::ApprovalDecision::Pending => ApprovalDecision::Pending,
            core::ApprovalDecision::Approved => ApprovalDecision::Approved,
            core::ApprovalDecision::Rejected { reason } => {
                ApprovalDecision::Rejected { reason: reason.into() }
            }
        }
    }
}

impl TryFrom<ApprovalDecision> for core::ApprovalDecision {
    type Error = ElsonError;
    fn try_from(d: ApprovalDecision) -> Result<Self> {
        Ok(match d {
            ApprovalDecision::NotRequired => core::ApprovalDecision::NotRequired,
            ApprovalDecision::Pending => core::ApprovalDecision::Pending,
            ApprovalDecision::Approved => core::ApprovalDecision::Approved,
            ApprovalDecision::Rejected { reason } => {
                core::ApprovalDecision::Rejected { reason: reason.try_into()? }
            }
        })
    }
}

/// A trade after a guardian's decision, with the decision record.
#[derive(Debug, Clone, uniffi::Record)]
pub struct DecidedTrade {
    /// The updated trade (APPROVED, or REJECTED with the reason in `notes`).
    pub trade: Trade,
    /// The decision, for the audit row and the minor's notification.
    pub decision: GuardianDecision,
}

/// Age in whole years on `today`.
///
/// # Errors
/// `InvalidInput` on `date_of_birth` when it is after `today`.
#[uniffi::export]
pub fn age_on(date_of_birth: NaiveDate, today: NaiveDate) -> Result<u32> {
    Ok(core::age_on(date_of_birth, today)?)
}

/// Checks that `user` is a MINOR in good standing on `today` and reports
/// their guardians.
///
/// # Errors
/// `InvalidInput` when the user is not a MINOR, has no date of birth, is 18
/// or older, or has no ACTIVE or PENDING guardian relationship.
#[uniffi::export]
pub fn check_minor(
    user: User,
    relationships: Vec<Relationship>,
    today: NaiveDate,
) -> Result<MinorStanding> {
    let (user, relationships) = (user.checked()?, relationships.checked()?);
    Ok(core::check_minor(&user, &relationships, today)?)
}

/// Guardians with an ACTIVE relationship to `minor_id`.
///
/// # Errors
/// `InvalidInput` on a malformed id.
#[uniffi::export]
pub fn active_guardian_ids(minor_id: Uuid, relationships: Vec<Relationship>) -> Result<Vec<Uuid>> {
    Ok(core::active_guardian_ids(minor_id, &relationships.checked()?))
}

/// The amount a guardian's limits compare against: `round2(quantity ×
/// price)` at the limit price (LIMIT) or the market price (MARKET).
///
/// # Errors
/// `InvalidInput` on `quantity`, `price`, `market_price` or `amount`.
#[uniffi::export]
pub fn estimate_amount(
    order_type: OrderType,
    quantity: Decimal,
    limit_price: Option<Decimal>,
    market_price: Option<Decimal>,
) -> Result<Decimal> {
    Ok(core::estimate_amount(order_type, quantity, limit_price, market_price)?)
}

/// Decides how a new trade starts: NOT_REQUIRED for non-minors, else
/// REJECTED (first broken rule), APPROVED or PENDING.
///
/// # Errors
/// `InvalidInput` when the portfolio is not the owner's, the amount does not
/// fit, or the minor's account is inconsistent.
#[uniffi::export]
pub fn decide_approval(request: ApprovalRequest) -> Result<ApprovalDecision> {
    let request = ApprovalRequest {
        owner: request.owner.checked()?,
        portfolio: request.portfolio.checked()?,
        relationships: request.relationships.checked()?,
        ..request
    };
    let core_request = core::ApprovalRequest {
        owner: &request.owner,
        portfolio: &request.portfolio,
        relationships: &request.relationships,
        order_type: request.order_type,
        asset_type: request.asset_type,
        amount: request.amount,
        trades_today: request.trades_today,
        today: request.today,
    };
    Ok(core::decide(&core_request)?.into())
}

/// The `guardian_approval` value a decision gives a trade.
#[uniffi::export]
pub fn approval_decision_guardian_approval(decision: ApprovalDecision) -> GuardianApproval {
    match decision {
        ApprovalDecision::NotRequired => GuardianApproval::NotRequired,
        ApprovalDecision::Pending => GuardianApproval::Pending,
        ApprovalDecision::Approved => GuardianApproval::Approved,
        ApprovalDecision::Rejected { .. } => GuardianApproval::Rejected,
    }
}

/// Records the creation-time decision on a fresh PENDING trade and returns
/// the updated trade (a rejection also sets REJECTED and `notes`).
///
/// # Errors
/// `InvalidTransition` when the trade is not PENDING or was already decided.
#[uniffi::export]
pub fn apply_approval_decision(trade: Trade, decision: ApprovalDecision) -> Result<Trade> {
    let mut trade = trade.checked()?;
    core::apply_decision(&mut trade, &decision.try_into()?)?;
    Ok(trade)
}

/// A guardian approves a minor's PENDING trade.
///
/// # Errors
/// `Forbidden` unless `guardian` is a GUARDIAN with an ACTIVE relationship to
/// the portfolio's owner; `InvalidInput` when the trade is not on
/// `portfolio`; `InvalidTransition` when the trade was already decided.
#[uniffi::export]
pub fn approve_trade(
    trade: Trade,
    portfolio: Portfolio,
    guardian: User,
    relationships: Vec<Relationship>,
    now: Timestamp,
) -> Result<DecidedTrade> {
    let mut trade = trade.checked()?;
    let (portfolio, guardian) = (portfolio.checked()?, guardian.checked()?);
    let relationships = relationships.checked()?;
    let decision = core::approve(&mut trade, &portfolio, &guardian, &relationships, now)?;
    Ok(DecidedTrade { trade, decision })
}

/// A guardian rejects a minor's PENDING trade, with a reason.
///
/// # Errors
/// As [`approve_trade`], plus `InvalidInput` on `reason` when it is blank.
#[uniffi::export]
pub fn reject_trade(
    trade: Trade,
    portfolio: Portfolio,
    guardian: User,
    relationships: Vec<Relationship>,
    reason: String,
    now: Timestamp,
) -> Result<DecidedTrade> {
    let mut trade = trade.checked()?;
    let (portfolio, guardian) = (portfolio.checked()?, guardian.checked()?);
    let relationships = relationships.checked()?;
    let decision = core::reject(&mut trade, &portfolio, &guardian, &relationships, &reason, now)?;
    Ok(DecidedTrade { trade, decision })
}

/// The actor of a user.
///
/// # Errors
/// `InvalidInput` on a malformed record.
#[uniffi::export]
pub fn actor_of(user: User) -> Result<Actor> {
    Ok(Actor::from(&user.checked()?))
}

/// Decides whether `actor` may perform `action` on `resource`, given the
/// actor's relationships. The store asks it before every call.
///
/// # Errors
/// `Forbidden` with the reason.
#[uniffi::export]
pub fn authorize(
    actor: Actor,
    action: Action,
    resource: Resource,
    relationships: Vec<Relationship>,
) -> Result<Access> {
    Ok(core::authorize(&actor, action, &resource, &relationships.checked()?)?)
}

/// True when `guardian_id` has an ACTIVE relationship with `minor_id`.
///
/// # Errors
/// `InvalidInput` on a malformed id.
#[uniffi::export]
pub fn is_active_guardian_of(
    guardian_id: Uuid,
    minor_id: Uuid,
    relationships: Vec<Relationship>,
) -> Result<bool> {
    Ok(core::is_active_guardian_of(guardian_id, minor_id, &relationships.checked()?))
}
