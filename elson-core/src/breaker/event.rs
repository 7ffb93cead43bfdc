//! What happens to a breaker (events) and what it records (transitions).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::scope::Scope;
use crate::enums::{CircuitBreakerState, UserRole, VolatilityLevel};
use crate::error::ElsonError;

/// One fact fed to a breaker. Time is never part of the event: it is the
/// `now` argument of [`super::Breaker::step`], so the same event type serves
/// live trading, replays and backtests.
///
/// Serde form (flat, for bindings and vectors): `{"type": "REGIME", "level":
/// "HIGH"}`, `{"type": "PORTFOLIO_VALUE", "day_open_value": "1000.00",
/// "current_value": "975.00"}`, `{"type": "EXECUTION_FAILURE"}`,
/// `{"type": "MANUAL_TRIP", "actor_role": "ADMIN", "level": "OPEN"}`,
/// `{"type": "TICK"}` … Unknown keys are refused, except beside the
/// field-less types (`TICK`, `EXECUTION_FAILURE`, `EXECUTION_SUCCESS`),
/// where serde's internally tagged enums cannot see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub enum BreakerEvent {
    /// The symbol's new *stabilized* regime (symbol scope only). LOW demands
    /// CLOSED, NORMAL CAUTIOUS, HIGH RESTRICTED, EXTREME OPEN; the demand
    /// stands until the next reading.
    Regime {
        /// The stabilized level.
        level: VolatilityLevel,
    },
    /// The portfolio's total value now and at the day's open (portfolio
    /// scope only). A loss of at least `loss_trip_fraction` of the opening
    /// value demands OPEN until the next UTC midnight; a smaller loss changes
    /// nothing (it does not lift a hold already in force).
    PortfolioValue {
        /// Total value at the day's open; must be > 0.
        day_open_value: Decimal,
        /// Total value now; must be ≥ 0.
        current_value: Decimal,
    },
    /// An order on the symbol failed to execute (symbol scope only).
    ExecutionFailure,
    /// An order on the symbol executed (symbol scope only): resets the
    /// consecutive-failure count.
    ExecutionSuccess,
    /// An ADMIN holds the scope at `level` or above until a manual reset.
    ManualTrip {
        /// Role of the person acting; anything but ADMIN is forbidden.
        actor_role: UserRole,
        /// The state demanded; CLOSED is not a trip and is refused.
        level: CircuitBreakerState,
    },
    /// An ADMIN lifts the manual hold and the execution-failure hold. It
    /// does not skip cool-downs or graduation (see the module docs).
    ManualReset {
        /// Role of the person acting; anything but ADMIN is forbidden.
        actor_role: UserRole,
    },
    /// Time passed: lets recovery happen without a new reading.
    Tick,
}

/// Why a transition happened: the trigger that escalated, or recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TransitionReason {
    /// The symbol's stabilized regime demanded a more severe state.
    Regime,
    /// The portfolio lost at least the daily-loss fraction since the open.
    PortfolioLoss,
    /// Too many consecutive execution failures on the symbol.
    ExecutionFailures,
    /// An ADMIN tripped the breaker.
    Manual,
    /// One step down: the state's cool-down passed and no trigger demands it.
    Recovery,
}

impl TransitionReason {
    /// Every reason, in declaration order.
    pub const ALL: &'static [TransitionReason] = &[
        TransitionReason::Regime,
        TransitionReason::PortfolioLoss,
        TransitionReason::ExecutionFailures,
        TransitionReason::Manual,
        TransitionReason::Recovery,
    ];

    /// The upper-case name used in JSON, logs and notifications.
    pub const fn as_str(self) -> &'static str {
        match self {
            TransitionReason::Regime => "REGIME",
            TransitionReason::PortfolioLoss => "PORTFOLIO_LOSS",
            TransitionReason::ExecutionFailures => "EXECUTION_FAILURES",
            TransitionReason::Manual => "MANUAL",
            TransitionReason::Recovery => "RECOVERY",
        }
    }
}

impl fmt::Display for TransitionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TransitionReason {
    type Err = ElsonError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TransitionReason::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ElsonError::invalid("TransitionReason", format!("unknown value {s:?}")))
    }
}

/// One change of a breaker's state, as recorded for audit, notifications
/// (DESIGN §4: a change on a held symbol is a SYSTEM notification) and the
/// backtest's breaker series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The breaker that changed.
    pub scope: Scope,
    /// State before.
    pub from: CircuitBreakerState,
    /// State after.
    pub to: CircuitBreakerState,
    /// The trigger that escalated it, or [`TransitionReason::Recovery`].
    pub reason: TransitionReason,
    /// When the change took effect. A recovery step is stamped with the
    /// moment it became due (cool-down passed and trigger cleared), which
    /// may be earlier than the `now` of the call that noticed it.
    pub at: DateTime<Utc>,
}
