//! A guardian's decision on a minor's PENDING trade (DESIGN §3).
//!
//! Only a GUARDIAN with an ACTIVE relationship to the trade's owner may
//! decide (checked through [`authorize`] with [`Action::Approve`]); any of the
//! minor's active guardians may, and the first decision wins: once the trade
//! is APPROVED or REJECTED a second decision is an invalid transition.
//!
//! Authorization is checked before the trade's state, so someone who may not
//! decide learns nothing about the trade.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounting::{TradeEvent, next_status};
use crate::entities::{Portfolio, Relationship, Trade, User};
use crate::enums::{GuardianApproval, TradeStatus, UserRole};
use crate::error::{ElsonError, Result};
use crate::families::{Action, Actor, Resource, authorize};
use crate::limits::TextLimit;

/// What a guardian decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Let the trade execute.
    Approve,
    /// Refuse it; the reason goes to the trade's `notes`.
    Reject {
        /// Why; must not be blank.
        reason: String,
    },
}

impl Verdict {
    /// The `guardian_approval` this verdict leads to.
    pub fn guardian_approval(&self) -> GuardianApproval {
        match self {
            Verdict::Approve => GuardianApproval::Approved,
            Verdict::Reject { .. } => GuardianApproval::Rejected,
        }
    }
}

/// The record of a decision, for the audit row and the notification to the
/// minor ([`crate::notifications::DomainEvent::ApprovalDecided`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardianDecision {
    /// The decided trade.
    pub trade_id: Uuid,
    /// The minor who owns it.
    pub minor_id: Uuid,
    /// The guardian who decided.
    pub guardian_id: Uuid,
    /// APPROVED or REJECTED.
    pub guardian_approval: GuardianApproval,
    /// The rejection reason (trimmed), none for an approval.
    pub reason: Option<String>,
    /// When the decision was taken.
    pub decided_at: DateTime<Utc>,
}

/// A guardian approves a minor's PENDING trade; it may then execute.
///
/// `portfolio` is the trade's portfolio (its owner is the minor);
/// `relationships` are the guardian's relationships.
///
/// # Errors
/// See [`decide_trade`].
///
/// # Example
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use elson_core::entities::{Portfolio, Relationship, Trade, User};
/// # use elson_core::enums::*;
/// # use elson_core::families::*;
/// # use rust_decimal_macros::dec;
/// # use uuid::Uuid;
/// # let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let user = |role| User { id: Uuid::new_v4(), email: "a@example.com".into(), password_hash: "$2b$12$x".into(),
/// #   role, first_name: None, last_name: None, date_of_birth: None, created_at: t, updated_at: t, last_login: None,
/// #   status: UserStatus::Active, two_factor_enabled: false, two_factor_secret: None,
/// #   risk_profile: RiskProfile::Low, education_progress: None, preferences: None, beta_feedback: None };
/// # let (parent, child, stranger) = (user(UserRole::Guardian), user(UserRole::Minor), user(UserRole::Guardian));
/// # let portfolio = Portfolio { id: Uuid::new_v4(), user_id: child.id, name: "Savings".into(), description: None,
/// #   created_at: t, updated_at: t, cash_balance: dec!(500), total_value: dec!(500), risk_score: None,
/// #   diversification_score: None, portfolio_type: PortfolioType::Education, guardian_approval: true,
/// #   volatility_preference: None, performance_metrics: None };
/// # let mut trade = Trade { id: Uuid::new_v4(), portfolio_id: portfolio.id, symbol: "VTI".into(),
/// #   order_type: OrderType::Market, side: TradeSide::Buy, quantity: dec!(1), price: None,
/// #   status: TradeStatus::Pending, created_at: t, executed_at: None, total_amount: None, fees: None,
/// #   notes: None, circuit_breaker_state: None, volatility_level: None,
/// #   guardian_approval: GuardianApproval::Pending, confidence_score: None, position_sizing: None };
/// let links = [Relationship { id: Uuid::new_v4(), guardian_id: parent.id, minor_id: child.id,
///     relationship_type: RelationshipType::Parent, created_at: t, updated_at: t,
///     status: RelationshipStatus::Active, approval_settings: ApprovalSettings::default(),
///     permissions: Permissions::default() }];
/// // A guardian of someone else's child may not decide.
/// assert_eq!(approve(&mut trade, &portfolio, &stranger, &links, t).unwrap_err().code(), "FORBIDDEN");
/// let decision = approve(&mut trade, &portfolio, &parent, &links, t).unwrap();
/// assert_eq!(trade.guardian_approval, GuardianApproval::Approved);
/// assert_eq!(decision.minor_id, child.id);
/// // The first decision wins.
/// let again = reject(&mut trade, &portfolio, &parent, &links, "too risky", t).unwrap_err();
/// assert_eq!(again.code(), "INVALID_TRANSITION");
/// ```
pub fn approve(
    trade: &mut Trade,
    portfolio: &Portfolio,
    guardian: &User,
    relationships: &[Relationship],
    now: DateTime<Utc>,
) -> Result<GuardianDecision> {
    decide_trade(trade, portfolio, guardian, relationships, Verdict::Approve, now)
}

/// A guardian rejects a minor's PENDING trade: status REJECTED, `notes` =
/// the reason.
///
/// # Errors
/// See [`decide_trade`]; also [`ElsonError::InvalidInput`] on `reason` when it
/// is blank.
pub fn reject(
    trade: &mut Trade,
    portfolio: &Portfolio,
    guardian: &User,
    relationships: &[Relationship],
    reason: &str,
    now: DateTime<Utc>,
) -> Result<GuardianDecision> {
    let verdict = Verdict::Reject { reason: reason.to_owned() };
    decide_trade(trade, portfolio, guardian, relationships, verdict, now)
}

/// Applies a guardian's verdict to a trade. Guards, in order: the portfolio
/// is the trade's; the guardian may decide; a rejection has a reason; the
/// trade is waiting for a decision.
///
/// | trade status | guardian_approval | verdict | result |
/// |---|---|---|---|
/// | PENDING | PENDING | Approve | APPROVED |
/// | PENDING | PENDING | Reject | REJECTED, status REJECTED, notes = reason |
/// | PENDING | APPROVED / REJECTED | any | `InvalidTransition` (first decision wins) |
/// | PENDING | NOT_REQUIRED | any | `InvalidTransition` (nothing to decide) |
/// | EXECUTED / CANCELLED / REJECTED | any | any | `InvalidTransition` (final) |
///
/// # Errors
/// - [`ElsonError::InvalidInput`] on `portfolio` when it is not the trade's
///   portfolio; on `reason` when a rejection's reason is blank or too long;
/// - [`ElsonError::Forbidden`] when `guardian` is not an ACTIVE (or
///   BETA_TESTER) GUARDIAN with an ACTIVE relationship to the portfolio owner;
/// - [`ElsonError::InvalidTransition`] per the table above.
pub fn decide_trade(
    trade: &mut Trade,
    portfolio: &Portfolio,
    guardian: &User,
    relationships: &[Relationship],
    verdict: Verdict,
    now: DateTime<Utc>,
) -> Result<GuardianDecision> {
    if trade.portfolio_id != portfolio.id {
        return Err(ElsonError::invalid(
            "portfolio",
            format!("trade {} is not on portfolio {}", trade.id, portfolio.id),
        ));
    }
    let minor_id = portfolio.user_id;
    if guardian.role != UserRole::Guardian {
        return Err(ElsonError::forbidden(format!(
            "only a GUARDIAN may decide a trade, not a {}",
            guardian.role
        )));
    }
    let resource = Resource::Trade { owner_id: minor_id };
    authorize(&Actor::from(guardian), Action::Approve, &resource, relationships).map_err(|e| {
        let why = match e {
            ElsonError::Forbidden { reason } => reason,
            other => other.to_string(),
        };
        ElsonError::forbidden(format!(
            "user {} may not decide trades of user {minor_id} (needs an ACTIVE relationship): {why}",
            guardian.id
        ))
    })?;
    let reason = match &verdict {
        Verdict::Approve => None,
        Verdict::Reject { reason } => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(ElsonError::invalid("reason", "a rejection needs a reason"));
            }
            TextLimit::TEXT.check("reason", reason)?;
            Some(reason.to_owned())
        }
    };
    let target = verdict.guardian_approval();
    match (trade.status, trade.guardian_approval) {
        (TradeStatus::Pending, GuardianApproval::Pending) => {}
        // The first decision wins; a second one is refused, not merged.
        (
            TradeStatus::Pending,
            from @ (GuardianApproval::Approved | GuardianApproval::Rejected),
        ) => {
            return Err(ElsonError::transition("guardian_approval", from, target));
        }
        // An adult's trade, or a portfolio without approval: nothing to decide.
        (TradeStatus::Pending, from @ GuardianApproval::NotRequired) => {
            return Err(ElsonError::transition("guardian_approval", from, target));
        }
        // Executed, cancelled (e.g. by the minor while waiting) or rejected: final.
        (from @ (TradeStatus::Executed | TradeStatus::Cancelled | TradeStatus::Rejected), _) => {
            return Err(ElsonError::transition("trade", from, target));
        }
    }
    // A rejection moves the trade through the lifecycle's one table.
    let status = match reason {
        Some(_) => next_status(trade.status, TradeEvent::Reject)?,
        None => trade.status,
    };
    // After this point it must succeed.
    trade.guardian_approval = target;
    trade.status = status;
    if let Some(reason) = &reason {
        trade.notes = Some(reason.clone());
    }
    debug_assert!(
        trade.guardian_approval != GuardianApproval::Rejected
            || trade.status == TradeStatus::Rejected,
        "Invariant: a rejected approval rejects the trade"
    );
    debug_assert!(
        trade.guardian_approval != GuardianApproval::Approved
            || trade.status == TradeStatus::Pending,
        "Invariant: an approval leaves the trade waiting for execution"
    );
    Ok(GuardianDecision {
        trade_id: trade.id,
        minor_id,
        guardian_id: guardian.id,
        guardian_approval: target,
        reason,
        decided_at: now,
    })
}
