//! Notifications (DESIGN §4): produced as values from domain events (nothing
//! is sent), and their `UNREAD → READ → ARCHIVED` status.

use elson_core::entities::{Notification, Trade};
use elson_core::enums::{CircuitBreakerState, GuardianApproval, TradeSide};
use elson_core::notifications::{self as core, NotificationEvent, TradeSummary};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::Result;
use crate::entities::Checked;
use crate::families::DecidedTrade;
use crate::types::Timestamp;

/// The trade facts a notification mentions.
#[uniffi::remote(Record)]
pub struct TradeSummary {
    /// The trade.
    pub trade_id: Uuid,
    /// Its owner (the portfolio's user).
    pub owner_id: Uuid,
    /// Asset symbol.
    pub symbol: String,
    /// BUY or SELL.
    pub side: TradeSide,
    /// Quantity.
    pub quantity: Decimal,
    /// Limit or execution price, when known.
    pub price: Option<Decimal>,
}

/// A status change asked of a notification.
#[uniffi::remote(Enum)]
pub enum NotificationEvent {
    MarkRead,
    Archive,
}

/// Something that happened and that users hear about.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum DomainEvent {
    /// A minor's trade waits for a guardian: APPROVAL to each active guardian.
    TradeAwaitingApproval {
        /// The trade.
        trade: TradeSummary,
        /// The minor's active guardians.
        guardian_ids: Vec<Uuid>,
    },
    /// A guardian decided: APPROVAL to the minor.
    ApprovalDecided {
        /// The trade.
        trade: TradeSummary,
        /// APPROVED or REJECTED.
        guardian_approval: GuardianApproval,
        /// The rejection reason.
        reason: Option<String>,
    },
    /// A trade executed: TRADE to the owner and the guardians of a minor.
    TradeExecuted {
        /// The trade.
        trade: TradeSummary,
        /// Guardians to inform (empty for a non-minor).
        guardian_ids: Vec<Uuid>,
    },
    /// A trade was cancelled.
    TradeCancelled {
        /// The trade.
        trade: TradeSummary,
        /// Guardians to inform.
        guardian_ids: Vec<Uuid>,
    },
    /// A trade was rejected.
    TradeRejected {
        /// The trade.
        trade: TradeSummary,
        /// Guardians to inform.
        guardian_ids: Vec<Uuid>,
        /// Why.
        reason: String,
    },
    /// A circuit breaker changed on a held symbol: SYSTEM to the holders.
    BreakerChanged {
        /// The symbol.
        symbol: String,
        /// Previous state.
        from: CircuitBreakerState,
        /// New state (URGENT priority for OPEN).
        to: CircuitBreakerState,
        /// Users holding the symbol.
        holder_ids: Vec<Uuid>,
    },
}

impl From<DomainEvent> for core::DomainEvent {
    fn from(e: DomainEvent) -> Self {
        match e {
            DomainEvent::TradeAwaitingApproval { trade, guardian_ids } => {
                core::DomainEvent::TradeAwaitingApproval { trade, guardian_ids }
            }
            DomainEvent::ApprovalDecided { trade, guardian_approval, reason } => {
                core::DomainEvent::ApprovalDecided { trade, guardian_approval, reason }
            }
            DomainEvent::TradeExecuted { trade, guardian_ids } => {
                core::DomainEvent::TradeExecuted { trade, guardian_ids }
            }
            DomainEvent::TradeCancelled { trade, guardian_ids } => {
                core::DomainEvent::TradeCancelled { trade, guardian_ids }
            }
            DomainEvent::TradeRejected { trade, guardian_ids, reason } => {
                core::DomainEvent::TradeRejected { trade, guardian_ids, reason }
            }
            DomainEvent::BreakerChanged { symbol, from, to, holder_ids } => {
                core::DomainEvent::BreakerChanged { symbol, from, to, holder_ids }
            }
        }
    }
}

/// The summary of `trade` owned by `owner_id`.
///
/// # Errors
/// `InvalidInput` on a malformed record.
#[uniffi::export]
pub fn trade_summary_of(trade: Trade, owner_id: Uuid) -> Result<TradeSummary> {
    Ok(TradeSummary::of(&trade.checked()?, owner_id))
}

/// The event of a guardian's decision (to notify the minor).
///
/// # Errors
/// `InvalidInput` on a malformed record.
#[uniffi::export]
pub fn approval_decided_event(decided: DecidedTrade) -> Result<DomainEvent> {
    Ok(DomainEvent::ApprovalDecided {
        trade: TradeSummary::of(&decided.trade, decided.decision.minor_id),
        guardian_approval: decided.decision.guardian_approval,
        reason: decided.decision.reason,
    })
}

/// The notifications an event produces, stamped `now`.
///
/// # Errors
/// `InvalidInput` when a title would exceed 100 characters or the event is
/// inconsistent.
#[uniffi::export]
pub fn notifications_for(event: DomainEvent, now: Timestamp) -> Result<Vec<Notification>> {
    Ok(core::notifications_for(&event.into(), now)?)
}

/// Applies a status change through the core's one notification machine
/// (`Notification::apply`) and returns the updated notification; a repeated
/// request is a no-op (safe retries).
///
/// # Errors
/// `InvalidTransition` when marking an ARCHIVED notification read;
/// `InvalidInput` on `now` before the notification's `createdAt`.
#[uniffi::export]
pub fn notification_transition(
    notification: Notification,
    event: NotificationEvent,
    now: Timestamp,
) -> Result<Notification> {
    let mut notification = notification.checked()?;
    notification.apply(event, now)?;
    Ok(notification)
}
