//! The approval decision taken when a trade is created (DESIGN §3).
//!
//! # Precedence
//! 1. The owner is not a MINOR → [`ApprovalDecision::NotRequired`].
//! 2. The minor is checked ([`check_minor`]): an inconsistent account (no
//!    date of birth, 18 or older, no guardian at all) is an error, not a
//!    decision.
//! 3. **Rejections**, in this order, each against *every* ACTIVE guardian
//!    relationship: no ACTIVE relationship; no `trading` permission; a LIMIT
//!    order without `advanced_orders`; an asset type outside
//!    `allowed_asset_types`; an amount over `max_trade_amount`; the daily
//!    trade limit reached. The first rule that fails gives the reason, so the
//!    reason does not depend on the order in which relationships are passed.
//! 4. **Approval without review**: the portfolio does not ask for guardian
//!    approval (`portfolio.guardian_approval = false`), or *every* ACTIVE
//!    guardian waives review for this trade (`require_approval = false`, or
//!    the amount is strictly below their `auto_approve_below`) →
//!    [`ApprovalDecision::Approved`]. A minor's trade that passed the rules
//!    is APPROVED rather than NOT_REQUIRED, so the column still tells a minor's
//!    trade from an adult's.
//! 5. Otherwise [`ApprovalDecision::Pending`]: it waits for a guardian.
//!
//! # Several guardians: the strictest rule wins
//! Each guardian's settings are a limit that guardian set for the child.
//! Honouring all of them means no guardian's limit is bypassed because another
//! guardian is more lenient: any guardian's rule can reject, and a trade skips
//! review only if every guardian would let it. Loosening a limit therefore
//! takes every guardian's agreement, which is the least surprising outcome
//! for a family. Any one of them may then decide a PENDING trade (see
//! [`crate::families::approve`]).
//!
//! Rules apply to buys and sells alike: a sell also moves the minor's money.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::accounting::{TradeEvent, next_status};
use crate::entities::{Portfolio, Relationship, Trade, User};
use crate::enums::{AssetType, GuardianApproval, OrderType, TradeStatus, UserRole};
use crate::error::{ElsonError, Result};
use crate::families::{ApprovalSettings, active_relationships_of, check_minor};
use crate::limits::DecimalLimit;

/// Everything the approval decision looks at, gathered by the caller when a
/// trade is created. Takes entities by reference; nothing is copied.
#[derive(Debug, Clone, Copy)]
pub struct ApprovalRequest<'a> {
    /// The owner of the portfolio (the person trading).
    pub owner: &'a User,
    /// The portfolio the trade is placed on; must belong to `owner`.
    pub portfolio: &'a Portfolio,
    /// The owner's guardian relationships (others are ignored).
    pub relationships: &'a [Relationship],
    /// MARKET or LIMIT; LIMIT needs `advanced_orders`.
    pub order_type: OrderType,
    /// Asset type of the symbol; checked against `allowed_asset_types`.
    pub asset_type: AssetType,
    /// Estimated amount, from [`estimate_amount`].
    pub amount: Decimal,
    /// Trades the minor already placed today (across portfolios, not
    /// counting those REJECTED at creation), counted by the caller.
    pub trades_today: u32,
    /// The day the trade is placed, for the age check.
    pub today: NaiveDate,
}

/// Why a minor's trade was rejected at creation. Its text goes to the trade's
/// `notes`; its [`code`](RejectionReason::code) is stable for bindings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum RejectionReason {
    /// No guardian relationship is ACTIVE yet (only PENDING ones).
    NoActiveGuardian,
    /// A guardian did not grant `trading`.
    TradingNotPermitted,
    /// A LIMIT order, and a guardian did not grant `advanced_orders`.
    AdvancedOrdersNotPermitted,
    /// The asset type is outside a guardian's `allowed_asset_types`.
    AssetTypeNotAllowed {
        /// The refused asset type.
        asset_type: AssetType,
    },
    /// The amount is over the smallest `max_trade_amount` of the guardians.
    AmountOverMaximum {
        /// Estimated amount of the trade.
        amount: Decimal,
        /// The smallest maximum among the guardians.
        max_trade_amount: Decimal,
    },
    /// The smallest `daily_trade_limit` of the guardians is reached.
    DailyLimitReached {
        /// The smallest daily limit among the guardians.
        daily_trade_limit: u32,
        /// Trades already placed today.
        trades_today: u32,
    },
}

impl RejectionReason {
    /// Stable machine-readable code (`TRADING_NOT_PERMITTED`, …).
    pub fn code(&self) -> &'static str {
        match self {
            RejectionReason::NoActiveGuardian => "NO_ACTIVE_GUARDIAN",
            RejectionReason::TradingNotPermitted => "TRADING_NOT_PERMITTED",
            RejectionReason::AdvancedOrdersNotPermitted => "ADVANCED_ORDERS_NOT_PERMITTED",
            RejectionReason::AssetTypeNotAllowed { .. } => "ASSET_TYPE_NOT_ALLOWED",
            RejectionReason::AmountOverMaximum { .. } => "AMOUNT_OVER_MAXIMUM",
            RejectionReason::DailyLimitReached { .. } => "DAILY_LIMIT_REACHED",
        }
    }
}

impl fmt::Display for RejectionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectionReason::NoActiveGuardian => {
                f.write_str("no guardian relationship is active yet")
            }
            RejectionReason::TradingNotPermitted => {
                f.write_str("a guardian has not granted the trading permission")
            }
            RejectionReason::AdvancedOrdersNotPermitted => {
                f.write_str("LIMIT orders need the advanced_orders permission")
            }
            RejectionReason::AssetTypeNotAllowed { asset_type } => {
                write!(f, "asset type {asset_type} is not allowed by a guardian")
            }
            RejectionReason::AmountOverMaximum { amount, max_trade_amount } => write!(
                f,
                "trade amount {amount} is over the guardian maximum of {max_trade_amount}"
            ),
            RejectionReason::DailyLimitReached { daily_trade_limit, trades_today } => write!(
                f,
                "daily trade limit of {daily_trade_limit} reached ({trades_today} placed today)"
            ),
        }
    }
}

/// The outcome of [`decide`]: what `trades.guardian_approval` starts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalDecision {
    /// The owner is not a minor.
    NotRequired,
    /// A minor's trade waits for a guardian's decision.
    Pending,
    /// A minor's trade passed every rule and needs no review.
    Approved,
    /// A minor's trade broke a rule; it is created REJECTED.
    Rejected {
        /// Why; its text becomes the trade's `notes`.
        reason: RejectionReason,
    },
}

impl ApprovalDecision {
    /// The `guardian_approval` column value for this decision.
    pub fn guardian_approval(&self) -> GuardianApproval {
        match self {
            ApprovalDecision::NotRequired => GuardianApproval::NotRequired,
            ApprovalDecision::Pending => GuardianApproval::Pending,
            ApprovalDecision::Approved => GuardianApproval::Approved,
            ApprovalDecision::Rejected { .. } => GuardianApproval::Rejected,
        }
    }
}

/// The amount a guardian's limits compare against:
/// `round2(quantity × price)`, with the limit price for a LIMIT order and the
/// current market price for a MARKET order.
///
/// # Errors
/// [`ElsonError::InvalidInput`] on `quantity` when it is not > 0 or has more
/// than 6 decimals; on `price` when a LIMIT order has no limit price or a
/// MARKET order has one; on `market_price` when a MARKET order has none;
/// on either price when it is not > 0; on `amount` when the product does not
/// fit a money column.
///
/// # Example
/// ```
/// use elson_core::enums::OrderType;
/// use elson_core::families::estimate_amount;
/// use rust_decimal_macros::dec;
/// // 0.5 × 10.05 = 5.025 → 5.02 (half-even)
/// assert_eq!(estimate_amount(OrderType::Market, dec!(0.5), None, Some(dec!(10.05))).unwrap(), dec!(5.02));
/// assert_eq!(estimate_amount(OrderType::Limit, dec!(2), Some(dec!(9.50)), None).unwrap(), dec!(19.00));
/// assert!(estimate_amount(OrderType::Limit, dec!(2), None, Some(dec!(9.50))).is_err());
/// ```
pub fn estimate_amount(
    order_type: OrderType,
    quantity: Decimal,
    limit_price: Option<Decimal>,
    market_price: Option<Decimal>,
) -> Result<Decimal> {
    DecimalLimit::QUANTITY.check("quantity", quantity)?;
    if quantity <= Decimal::ZERO {
        return Err(ElsonError::invalid("quantity", format!("{quantity} is not > 0")));
    }
    let (field, price) = match (order_type, limit_price, market_price) {
        (OrderType::Limit, Some(limit), _) => ("price", limit),
        (OrderType::Limit, None, _) => {
            return Err(ElsonError::invalid("price", "a LIMIT order needs a limit price"));
        }
        (OrderType::Market, Some(_), _) => {
            return Err(ElsonError::invalid("price", "a MARKET order has no limit price"));
        }
        (OrderType::Market, None, Some(market)) => ("market_price", market),
        (OrderType::Market, None, None) => {
            return Err(ElsonError::invalid(
                "market_price",
                "a MARKET order is estimated at the market price",
            ));
        }
    };
    DecimalLimit::MONEY.check(field, price)?;
    if price <= Decimal::ZERO {
        return Err(ElsonError::invalid(field, format!("{price} is not > 0")));
    }
    let product = quantity
        .checked_mul(price)
        .ok_or_else(|| ElsonError::invalid("amount", "quantity × price overflows"))?;
    DecimalLimit::MONEY.round("amount", product)
}

/// Decides how a new trade starts, following the precedence in the module
/// documentation.
///
/// # Errors
/// - [`ElsonError::InvalidInput`] on `portfolio` when it does not belong to
///   `owner`; on `amount` when it is negative or does not fit a money column;
/// - the errors of [`check_minor`] when the owner is a MINOR whose account is
///   inconsistent (no date of birth, 18 or older, no guardian relationship).
///
/// # Example
/// ```
/// # use chrono::{NaiveDate, TimeZone, Utc};
/// # use elson_core::entities::{Portfolio, Relationship, User};
/// # use elson_core::enums::*;
/// # use elson_core::families::*;
/// # use rust_decimal_macros::dec;
/// # use uuid::Uuid;
/// # let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// # let minor = User { id: Uuid::new_v4(), email: "kid@example.com".into(), password_hash: "$2b$12$x".into(),
/// #   role: UserRole::Minor, first_name: None, last_name: None,
/// #   date_of_birth: NaiveDate::from_ymd_opt(2014, 3, 1), created_at: t, updated_at: t, last_login: None,
/// #   status: UserStatus::Active, two_factor_enabled: false, two_factor_secret: None,
/// #   risk_profile: RiskProfile::Low, education_progress: None, preferences: None, beta_feedback: None };
/// # let portfolio = Portfolio { id: Uuid::new_v4(), user_id: minor.id, name: "Savings".into(), description: None,
/// #   created_at: t, updated_at: t, cash_balance: dec!(500), total_value: dec!(500), risk_score: None,
/// #   diversification_score: None, portfolio_type: PortfolioType::Education, guardian_approval: true,
/// #   volatility_preference: None, performance_metrics: None };
/// let settings = ApprovalSettings::from_json(r#"{"auto_approve_below": "20.00", "max_trade_amount": "200.00"}"#).unwrap();
/// let link = Relationship { id: Uuid::new_v4(), guardian_id: Uuid::new_v4(), minor_id: minor.id,
///     relationship_type: RelationshipType::Parent, created_at: t, updated_at: t,
///     status: RelationshipStatus::Active, approval_settings: settings,
///     permissions: Permissions::from_json(r#"{"trading": true}"#).unwrap() };
/// let links = [link];
/// let mut request = ApprovalRequest {
///     owner: &minor, portfolio: &portfolio, relationships: &links,
///     order_type: OrderType::Market, asset_type: AssetType::Etf,
///     amount: estimate_amount(OrderType::Market, dec!(2), None, Some(dec!(45.10))).unwrap(),
///     trades_today: 0, today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
/// };
/// assert_eq!(decide(&request).unwrap(), ApprovalDecision::Pending); // 90.20: a guardian looks
/// request.amount = dec!(15.00);
/// assert_eq!(decide(&request).unwrap(), ApprovalDecision::Approved); // below 20.00
/// request.amount = dec!(250.00);
/// let ApprovalDecision::Rejected { reason } = decide(&request).unwrap() else { panic!() };
/// assert_eq!(reason.code(), "AMOUNT_OVER_MAXIMUM");
/// ```
pub fn decide(request: &ApprovalRequest<'_>) -> Result<ApprovalDecision> {
    let ApprovalRequest {
        owner,
        portfolio,
        relationships,
        order_type,
        asset_type,
        amount,
        trades_today,
        today,
    } = *request;
    if portfolio.user_id != owner.id {
        return Err(ElsonError::invalid(
            "portfolio",
            format!("portfolio {} does not belong to user {}", portfolio.id, owner.id),
        ));
    }
    DecimalLimit::MONEY.check("amount", amount)?;
    if owner.role != UserRole::Minor {
        return Ok(ApprovalDecision::NotRequired);
    }
    check_minor(owner, relationships, today)?;
    let guardians: Vec<&Relationship> = active_relationships_of(owner.id, relationships).collect();
    if let Some(reason) = first_rejection(&guardians, order_type, asset_type, amount, trades_today)
    {
        return Ok(ApprovalDecision::Rejected { reason });
    }
    // After this point the trade is allowed; only whether a guardian must look remains.
    if !portfolio.guardian_approval {
        return Ok(ApprovalDecision::Approved);
    }
    let every_guardian_waives =
        guardians.iter().all(|r| waives_review(&r.approval_settings, amount));
    if every_guardian_waives {
        Ok(ApprovalDecision::Approved)
    } else {
        Ok(ApprovalDecision::Pending)
    }
}

/// The first rule broken, checked rule by rule across all guardians.
fn first_rejection(
    guardians: &[&Relationship],
    order_type: OrderType,
    asset_type: AssetType,
    amount: Decimal,
    trades_today: u32,
) -> Option<RejectionReason> {
    if guardians.is_empty() {
        return Some(RejectionReason::NoActiveGuardian);
    }
    if guardians.iter().any(|r| !r.permissions.trading) {
        return Some(RejectionReason::TradingNotPermitted);
    }
    let needs_advanced = match order_type {
        OrderType::Limit => true,
        OrderType::Market => false,
    };
    if needs_advanced && guardians.iter().any(|r| !r.permissions.advanced_orders) {
        return Some(RejectionReason::AdvancedOrdersNotPermitted);
    }
    if guardians.iter().any(|r| !r.approval_settings.allowed_asset_types.contains(&asset_type)) {
        return Some(RejectionReason::AssetTypeNotAllowed { asset_type });
    }
    let max_trade_amount =
        guardians.iter().filter_map(|r| r.approval_settings.max_trade_amount).min();
    if let Some(max_trade_amount) = max_trade_amount
        && amount > max_trade_amount
    {
        return Some(RejectionReason::AmountOverMaximum { amount, max_trade_amount });
    }
    let daily_trade_limit =
        guardians.iter().filter_map(|r| r.approval_settings.daily_trade_limit).min();
    if let Some(daily_trade_limit) = daily_trade_limit
        && trades_today >= daily_trade_limit
    {
        return Some(RejectionReason::DailyLimitReached { daily_trade_limit, trades_today });
    }
    None
}

/// Whether one guardian lets this amount through without looking.
fn waives_review(settings: &ApprovalSettings, amount: Decimal) -> bool {
    !settings.require_approval || settings.auto_approve_below.is_some_and(|below| amount < below)
}

/// Records the creation-time decision on a new trade: sets
/// `guardian_approval`, and for a rejection also `status = REJECTED` and
/// `notes` = the reason. Guardian decisions on a PENDING trade go through
/// [`crate::families::approve`] / [`crate::families::reject`] instead.
///
/// # Errors
/// [`ElsonError::InvalidTransition`] on `trade` when the trade is not PENDING,
/// and on `guardian_approval` when it was already decided (APPROVED or
/// REJECTED): a creation-time decision is taken once.
pub fn apply_decision(trade: &mut Trade, decision: &ApprovalDecision) -> Result<()> {
    let target = decision.guardian_approval();
    match (trade.status, trade.guardian_approval) {
        // A fresh trade: the constructor's default is one of these two.
        (TradeStatus::Pending, GuardianApproval::NotRequired | GuardianApproval::Pending) => {}
        // Already decided: overwriting would let a caller skip the guardian.
        (
            TradeStatus::Pending,
            from @ (GuardianApproval::Approved | GuardianApproval::Rejected),
        ) => {
            return Err(ElsonError::transition("guardian_approval", from, target));
        }
        (from @ (TradeStatus::Executed | TradeStatus::Cancelled | TradeStatus::Rejected), _) => {
            return Err(ElsonError::transition("trade", from, target));
        }
    }
    // A rejection moves the trade through the lifecycle's one table.
    let status = match decision {
        ApprovalDecision::Rejected { .. } => next_status(trade.status, TradeEvent::Reject)?,
        ApprovalDecision::NotRequired | ApprovalDecision::Pending | ApprovalDecision::Approved => {
            trade.status
        }
    };
    // After this point it must succeed.
    trade.guardian_approval = target;
    trade.status = status;
    if let ApprovalDecision::Rejected { reason } = decision {
        trade.notes = Some(reason.to_string());
    }
    debug_assert!(
        (trade.status == TradeStatus::Rejected)
            == (trade.guardian_approval == GuardianApproval::Rejected),
        "Invariant: a creation-time rejection rejects the trade and nothing else does"
    );
    Ok(())
}
