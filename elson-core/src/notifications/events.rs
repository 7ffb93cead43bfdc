//! Domain events and the notifications they cause (DESIGN §4).
//!
//! | event | recipients | type | priority |
//! |---|---|---|---|
//! | trade awaiting approval | each ACTIVE guardian | APPROVAL | HIGH |
//! | approval decided | the minor | APPROVAL | NORMAL |
//! | trade executed | owner, and a minor's guardians | TRADE | NORMAL |
//! | trade cancelled | owner, and a minor's guardians | TRADE | LOW |
//! | trade rejected | owner, and a minor's guardians | TRADE | HIGH |
//! | breaker → OPEN on a held symbol | each holder | SYSTEM | URGENT |
//! | breaker escalates (not to OPEN) | each holder | SYSTEM | HIGH |
//! | breaker recovers | each holder | SYSTEM | NORMAL |
//!
//! Trade notifications point at the trade (`action_url = /trades/{id}`,
//! `related_entity_type = trade`); breaker ones at the symbol
//! (`/symbols/{symbol}`, no related entity since a symbol has no id).
//! Recipients appear once each, in the order given (owner first).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{Notification, Trade};
use crate::enums::{
    CircuitBreakerState, GuardianApproval, NotificationPriority, NotificationStatus,
    NotificationType, TradeSide,
};
use crate::error::{ElsonError, Result};
use crate::families::GuardianDecision;
use crate::limits::TextLimit;

/// `related_entity_type` of notifications about a trade.
pub const TRADE_ENTITY_TYPE: &str = "trade";

/// Longest notification title (`VARCHAR(100)`).
pub const TITLE_LEN_MAX: usize = 100;

/// Checks a notification title: not blank, at most [`TITLE_LEN_MAX`]
/// characters. Titles built here from a valid symbol always fit; this guards
/// titles written elsewhere (e.g. by an admin tool) before they are stored.
///
/// # Errors
/// [`ElsonError::InvalidInput`] on `title`.
pub fn check_title(title: &str) -> Result<()> {
    TextLimit { len_max: TITLE_LEN_MAX, ..TextLimit::NAME }.check("title", title)
}

/// Where a client shows a trade: the `action_url` of trade notifications.
pub fn trade_action_url(trade_id: Uuid) -> String {
    format!("/trades/{trade_id}")
}

/// Where a client shows a symbol's market state: the `action_url` of breaker
/// notifications.
pub fn symbol_action_url(symbol: &str) -> String {
    format!("/symbols/{symbol}")
}

/// What a notification says about a trade; built from a [`Trade`] and the
/// owner of its portfolio (a trade row does not carry its owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeSummary {
    /// The trade.
    pub trade_id: Uuid,
    /// The owner of the trade's portfolio.
    pub owner_id: Uuid,
    /// Symbol traded.
    pub symbol: String,
    /// BUY or SELL.
    pub side: TradeSide,
    /// Quantity ordered.
    pub quantity: Decimal,
    /// Limit price, or the execution price once executed.
    pub price: Option<Decimal>,
}

impl TradeSummary {
    /// Summarizes `trade`, owned by `owner_id`.
    pub fn of(trade: &Trade, owner_id: Uuid) -> Self {
        TradeSummary {
            trade_id: trade.id,
            owner_id,
            symbol: trade.symbol.clone(),
            side: trade.side,
            quantity: trade.quantity,
            price: trade.price,
        }
    }

    /// `BUY 10 AAPL`: the short form used in titles.
    fn label(&self) -> String {
        format!("{} {} {}", self.side, self.quantity.normalize(), self.symbol)
    }
}

/// Something that happened in the domain that people should hear about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum DomainEvent {
    /// A minor's trade was created PENDING and waits for a guardian.
    TradeAwaitingApproval {
        /// The trade.
        trade: TradeSummary,
        /// The minor's ACTIVE guardians
        /// ([`crate::families::active_guardian_ids`]).
        guardian_ids: Vec<Uuid>,
    },
    /// A guardian approved or rejected a minor's trade.
    ApprovalDecided {
        /// The trade (its owner is the minor).
        trade: TradeSummary,
        /// APPROVED or REJECTED.
        guardian_approval: GuardianApproval,
        /// The rejection reason.
        reason: Option<String>,
    },
    /// A trade executed.
    TradeExecuted {
        /// The trade; `price` is the execution price.
        trade: TradeSummary,
        /// The owner's ACTIVE guardians when the owner is a minor, else empty.
        guardian_ids: Vec<Uuid>,
    },
    /// A trade was cancelled.
    TradeCancelled {
        /// The trade.
        trade: TradeSummary,
        /// The owner's ACTIVE guardians when the owner is a minor, else empty.
        guardian_ids: Vec<Uuid>,
    },
    /// A trade was rejected (at creation or by a guardian).
    TradeRejected {
        /// The trade.
        trade: TradeSummary,
        /// The owner's ACTIVE guardians when the owner is a minor, else empty.
        guardian_ids: Vec<Uuid>,
        /// Why (the trade's `notes`).
        reason: String,
    },
    /// The circuit breaker of a symbol changed state.
    BreakerChanged {
        /// The symbol.
        symbol: String,
        /// Previous state.
        from: CircuitBreakerState,
        /// New state.
        to: CircuitBreakerState,
        /// Users holding a position in the symbol.
        holder_ids: Vec<Uuid>,
    },
}

impl DomainEvent {
    /// The event for a guardian's decision on `trade` (after [`crate::families::approve`]
    /// or [`crate::families::reject`]).
    pub fn approval_decided(trade: &Trade, decision: &GuardianDecision) -> Self {
        DomainEvent::ApprovalDecided {
            trade: TradeSummary::of(trade, decision.minor_id),
            guardian_approval: decision.guardian_approval,
            reason: decision.reason.clone(),
        }
    }
}

/// The notifications `event` causes, created at `now`, UNREAD, with fresh
/// v4 ids. A breaker "change" to the same state causes none.
///
/// # Errors
/// [`ElsonError::InvalidInput`] on `symbol` when it is empty or longer than
/// 20 characters; on `reason` when it is longer than the TEXT bound; on
/// `guardian_approval` when an `ApprovalDecided` carries neither APPROVED nor
/// REJECTED; on `title` if a title would exceed 100 characters.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use elson_core::enums::{NotificationPriority, NotificationType, TradeSide};
/// use elson_core::notifications::{notifications_for, DomainEvent, TradeSummary};
/// use rust_decimal_macros::dec;
/// use uuid::Uuid;
/// let trade = TradeSummary { trade_id: Uuid::new_v4(), owner_id: Uuid::new_v4(), symbol: "VTI".into(),
///     side: TradeSide::Buy, quantity: dec!(2), price: None };
/// let (mum, dad) = (Uuid::new_v4(), Uuid::new_v4());
/// let now = Utc.with_ymd_and_hms(2026, 11, 25, 14, 0, 0).unwrap();
/// let event = DomainEvent::TradeAwaitingApproval { trade: trade.clone(), guardian_ids: vec![mum, dad] };
/// let sent = notifications_for(&event, now).unwrap();
/// assert_eq!(sent.iter().map(|n| n.user_id).collect::<Vec<_>>(), vec![mum, dad]);
/// assert!(sent.iter().all(|n| n.notification_type == NotificationType::Approval
///     && n.priority == NotificationPriority::High));
/// assert_eq!(sent[0].action_url.as_deref(), Some(format!("/trades/{}", trade.trade_id).as_str()));
/// assert_eq!(sent[0].title, "Approval needed: BUY 2 VTI");
/// ```
pub fn notifications_for(event: &DomainEvent, now: DateTime<Utc>) -> Result<Vec<Notification>> {
    match event {
        DomainEvent::TradeAwaitingApproval { trade, guardian_ids } => {
            check_trade(trade)?;
            let draft = Draft {
                kind: NotificationType::Approval,
                priority: NotificationPriority::High,
                title: format!("Approval needed: {}", trade.label()),
                message: format!(
                    "Your minor's order {} is waiting for your approval.",
                    trade.label()
                ),
            };
            draft.for_trade(trade, guardian_ids.iter().copied(), now)
        }
        DomainEvent::ApprovalDecided { trade, guardian_approval, reason } => {
            check_trade(trade)?;
            let (verb, message) = match guardian_approval {
                GuardianApproval::Approved => {
                    ("approved", format!("A guardian approved your order {}.", trade.label()))
                }
                GuardianApproval::Rejected => {
                    let reason = check_reason(reason.as_deref().unwrap_or("no reason given"))?;
                    (
                        "rejected",
                        format!("A guardian rejected your order {}: {reason}", trade.label()),
                    )
                }
                other @ (GuardianApproval::Pending | GuardianApproval::NotRequired) => {
                    return Err(ElsonError::invalid(
                        "guardian_approval",
                        format!("{other} is not a decision"),
                    ));
                }
            };
            let draft = Draft {
                kind: NotificationType::Approval,
                priority: NotificationPriority::Normal,
                title: format!("Trade {verb}: {}", trade.label()),
                message,
            };
            draft.for_trade(trade, [trade.owner_id], now)
        }
        DomainEvent::TradeExecuted { trade, guardian_ids } => {
            check_trade(trade)?;
            let at = trade.price.map(|p| format!(" at {p:.2}")).unwrap_or_default();
            let draft = Draft {
                kind: NotificationType::Trade,
                priority: NotificationPriority::Normal,
                title: format!("Trade executed: {}", trade.label()),
                message: format!("The order {} was executed{at}.", trade.label()),
            };
            draft.for_trade(trade, owner_then(trade.owner_id, guardian_ids), now)
        }
        DomainEvent::TradeCancelled { trade, guardian_ids } => {
            check_trade(trade)?;
            let draft = Draft {
                kind: NotificationType::Trade,
                priority: NotificationPriority::Low,
                title: format!("Trade cancelled: {}", trade.label()),
                message: format!("The order {} was cancelled.", trade.label()),
            };
            draft.for_trade(trade, owner_then(trade.owner_id, guardian_ids), now)
        }
        DomainEvent::TradeRejected { trade, guardian_ids, reason } => {
            check_trade(trade)?;
            let reason = check_reason(reason)?;
            let draft = Draft {
                kind: NotificationType::Trade,
                priority: NotificationPriority::High,
                title: format!("Trade rejected: {}", trade.label()),
                message: format!("The order {} was rejected: {reason}", trade.label()),
            };
            draft.for_trade(trade, owner_then(trade.owner_id, guardian_ids), now)
        }
        DomainEvent::BreakerChanged { symbol, from, to, holder_ids } => {
            TextLimit::SYMBOL.check("symbol", symbol)?;
            if from == to {
                return Ok(Vec::new());
            }
            let priority = match (to, to > from) {
                (CircuitBreakerState::Open, _) => NotificationPriority::Urgent,
                (_, true) => NotificationPriority::High,
                (_, false) => NotificationPriority::Normal,
            };
            let title = match to {
                CircuitBreakerState::Open => format!("Trading halted on {symbol}"),
                _ => format!("{symbol} circuit breaker: {from} to {to}"),
            };
            let draft = Draft {
                kind: NotificationType::System,
                priority,
                title,
                message: format!(
                    "The circuit breaker on {symbol} moved from {from} to {to}. {}",
                    allowed_in(*to)
                ),
            };
            let url = symbol_action_url(symbol);
            draft.build(unique(holder_ids.iter().copied()), None, Some(url), now)
        }
    }
}

/// What a breaker state lets holders do (DESIGN §6), for the message body.
fn allowed_in(state: CircuitBreakerState) -> &'static str {
    match state {
        CircuitBreakerState::Closed => "All orders are allowed again.",
        CircuitBreakerState::Cautious => "Orders are allowed within the sizing limit.",
        CircuitBreakerState::Restricted => "Sells are allowed; buys only within the sizing limit.",
        CircuitBreakerState::Open => "No new orders are accepted; pending ones can be cancelled.",
    }
}

fn check_trade(trade: &TradeSummary) -> Result<()> {
    TextLimit::SYMBOL.check("symbol", &trade.symbol)
}

fn check_reason(reason: &str) -> Result<&str> {
    TextLimit::TEXT.check("reason", reason)?;
    Ok(reason)
}

/// The owner, then the guardians.
fn owner_then(owner_id: Uuid, guardian_ids: &[Uuid]) -> impl Iterator<Item = Uuid> + '_ {
    std::iter::once(owner_id).chain(guardian_ids.iter().copied())
}

/// Each recipient once, first occurrence kept.
fn unique(ids: impl IntoIterator<Item = Uuid>) -> Vec<Uuid> {
    let mut seen = Vec::new();
    for id in ids {
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    seen
}

/// The parts of a notification shared by all its recipients.
struct Draft {
    kind: NotificationType,
    priority: NotificationPriority,
    title: String,
    message: String,
}

impl Draft {
    fn for_trade(
        self,
        trade: &TradeSummary,
        recipients: impl IntoIterator<Item = Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Notification>> {
        let url = trade_action_url(trade.trade_id);
        self.build(unique(recipients), Some(trade.trade_id), Some(url), now)
    }

    fn build(
        self,
        recipients: Vec<Uuid>,
        related_entity_id: Option<Uuid>,
        action_url: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Notification>> {
        check_title(&self.title)?;
        TextLimit::TEXT.check("message", &self.message)?;
        if let Some(url) = &action_url {
            TextLimit::LONG.check("action_url", url)?;
        }
        let related_entity_type = related_entity_id.map(|_| TRADE_ENTITY_TYPE.to_owned());
        Ok(recipients
            .into_iter()
            .map(|user_id| Notification {
                id: Uuid::new_v4(),
                user_id,
                related_entity_id,
                related_entity_type: related_entity_type.clone(),
                notification_type: self.kind,
                title: self.title.clone(),
                message: self.message.clone(),
                created_at: now,
                read_at: None,
                status: NotificationStatus::Unread,
                priority: self.priority,
                action_url: action_url.clone(),
            })
            .collect())
    }
}
