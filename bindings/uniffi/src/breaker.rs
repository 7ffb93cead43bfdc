//! The graduated circuit breaker (DESIGN §6): one breaker per scope
//! ([`CircuitBreaker`]), a registry of them with the governing state
//! ([`CircuitBreakers`]), and order admission.
//!
//! Both are objects (classes in Kotlin and Swift) holding their state behind
//! a mutex, so an app keeps one instance and feeds it events; time is always
//! an argument. Their state round-trips through JSON (`to_json` /
//! `from_json`) for persistence between app launches.

use std::sync::{Arc, Mutex, MutexGuard};

use elson_core::breaker::{
    self as core, BreakerConfig, BreakerEvent, Governing, OrderIntent, Scope, Transition,
    TransitionReason,
};
use elson_core::enums::{CircuitBreakerState, TradeSide, UserRole, VolatilityLevel};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::Result;
use crate::entities::{from_json, to_json};
use crate::types::Timestamp;

/// What a breaker watches.
#[uniffi::remote(Enum)]
pub enum Scope {
    /// The whole system.
    Global,
    /// One symbol.
    Symbol(String),
    /// One portfolio.
    Portfolio(Uuid),
}

/// One fact fed to a breaker; the time is the `now` argument.
#[uniffi::remote(Enum)]
pub enum BreakerEvent {
    /// The symbol's new stabilized regime (symbol scope).
    Regime { level: VolatilityLevel },
    /// Portfolio value now and at the day's open (portfolio scope).
    PortfolioValue { day_open_value: Decimal, current_value: Decimal },
    /// An execution failed on the symbol.
    ExecutionFailure,
    /// An execution succeeded on the symbol.
    ExecutionSuccess,
    /// An ADMIN trips the breaker to `level`.
    ManualTrip { actor_role: UserRole, level: CircuitBreakerState },
    /// An ADMIN lifts their manual hold (graduation still applies).
    ManualReset { actor_role: UserRole },
    /// Time passes: recovery steps that came due are taken.
    Tick,
}

/// Why a breaker changed state.
#[uniffi::remote(Enum)]
pub enum TransitionReason {
    Regime,
    PortfolioLoss,
    ExecutionFailures,
    Manual,
    Recovery,
}

/// One state change of one breaker.
#[uniffi::remote(Record)]
pub struct Transition {
    /// The breaker's scope.
    pub scope: Scope,
    /// State before.
    pub from: CircuitBreakerState,
    /// State after.
    pub to: CircuitBreakerState,
    /// Why.
    pub reason: TransitionReason,
    /// When it happened (a recovery step: when it came due).
    pub at: Timestamp,
}

/// Breaker settings: cool-downs and trip thresholds.
#[uniffi::remote(Record)]
pub struct BreakerConfig {
    /// Minutes in OPEN before stepping down (90).
    pub cooldown_open_minutes: u32,
    /// Minutes in RESTRICTED before stepping down (45).
    pub cooldown_restricted_minutes: u32,
    /// Minutes in CAUTIOUS before stepping down (20).
    pub cooldown_cautious_minutes: u32,
    /// Daily loss fraction that trips a portfolio (0.02).
    pub loss_trip_fraction: Decimal,
    /// Consecutive execution failures that trip a symbol (3).
    pub failure_trip_count: u32,
}

/// An order as admission sees it.
#[uniffi::remote(Record)]
pub struct OrderIntent {
    /// BUY or SELL.
    pub side: TradeSide,
    /// A cancellation (always allowed).
    pub is_cancel: bool,
    /// The order's notional.
    pub notional: Decimal,
    /// Whether the buy fits the position-sizing limit.
    pub within_sizing_limit: bool,
}

/// The state that governs a trade and the scope it comes from.
#[uniffi::remote(Record)]
pub struct Governing {
    /// The most severe state of global, symbol and portfolio.
    pub state: CircuitBreakerState,
    /// Where it comes from.
    pub scope: Scope,
}

/// The defaults of DESIGN §6.
#[uniffi::export]
pub fn breaker_config_default() -> BreakerConfig {
    BreakerConfig::default()
}

/// The state a stabilized regime demands (LOW → CLOSED … EXTREME → OPEN).
#[uniffi::export]
pub fn state_for_regime(level: VolatilityLevel) -> CircuitBreakerState {
    core::state_for_regime(level)
}

/// Whether an order may be placed under `state`.
///
/// # Errors
/// `TradingHalted` with the state and why; `InvalidInput` on `notional`.
#[uniffi::export]
pub fn admit(state: CircuitBreakerState, order: OrderIntent) -> Result<()> {
    Ok(core::admit(state, &order)?)
}

/// A scope's text form: `GLOBAL`, `SYMBOL:<symbol>`, `PORTFOLIO:<uuid>`.
///
/// # Errors
/// `InvalidInput` on a malformed scope.
#[uniffi::export]
pub fn scope_to_str(scope: Scope) -> Result<String> {
    Ok(scope.to_string())
}

/// Parses `GLOBAL`, `SYMBOL:<symbol>` or `PORTFOLIO:<uuid>`.
///
/// # Errors
/// `InvalidInput` on anything else.
#[uniffi::export]
pub fn scope_from_str(text: String) -> Result<Scope> {
    Ok(text.parse::<Scope>()?)
}

/// The seed-style name of a transition reason (`PORTFOLIO_LOSS`, …).
#[uniffi::export]
pub fn transition_reason_to_str(reason: TransitionReason) -> String {
    reason.as_str().to_owned()
}

/// Locks a mutex, recovering from poisoning: core steps validate before
/// they mutate, so a state seen after a panic elsewhere is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One breaker for one scope.
#[derive(Debug, uniffi::Object)]
pub struct CircuitBreaker {
    inner: Mutex<core::Breaker>,
}

#[uniffi::export]
impl CircuitBreaker {
    /// A CLOSED breaker for `scope`.
    ///
    /// # Errors
    /// `InvalidInput` on a bad scope or config.
    #[uniffi::constructor]
    pub fn new(scope: Scope, config: BreakerConfig) -> Result<Arc<Self>> {
        Ok(Arc::new(CircuitBreaker { inner: Mutex::new(core::Breaker::new(scope, config)?) }))
    }

    /// A breaker restored from [`CircuitBreaker::to_json`].
    ///
    /// # Errors
    /// `InvalidInput` on malformed or inconsistent JSON.
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Self>> {
        let breaker: core::Breaker = from_json("breaker", &json)?;
        Ok(Arc::new(CircuitBreaker { inner: Mutex::new(breaker) }))
    }

    /// Feeds one event at `now`; returns the transitions it caused.
    ///
    /// # Errors
    /// `Forbidden` for a manual event by a non-ADMIN; `InvalidInput` for an
    /// event of the wrong scope, bad values, or time going back. A refused
    /// event changes nothing.
    pub fn step(&self, event: BreakerEvent, now: Timestamp) -> Result<Vec<Transition>> {
        Ok(lock(&self.inner).step(&event, now)?)
    }

    /// The current state.
    pub fn state(&self) -> CircuitBreakerState {
        lock(&self.inner).state()
    }

    /// The scope.
    pub fn scope(&self) -> Scope {
        lock(&self.inner).scope().clone()
    }

    /// When the current state was entered (None while never tripped).
    pub fn entered_at(&self) -> Option<Timestamp> {
        lock(&self.inner).entered_at()
    }

    /// The state the triggers demand at `t`.
    pub fn demand_at(&self, t: Timestamp) -> CircuitBreakerState {
        lock(&self.inner).demand_at(t)
    }

    /// The full state as JSON, for persistence.
    ///
    /// # Errors
    /// Not expected.
    pub fn to_json(&self) -> Result<String> {
        to_json("breaker", &*lock(&self.inner))
    }
}

/// Every breaker of a system, one per scope, created CLOSED on first use.
#[derive(Debug, uniffi::Object)]
pub struct CircuitBreakers {
    inner: Mutex<core::Breakers>,
}

#[uniffi::export]
impl CircuitBreakers {
    /// An empty registry.
    ///
    /// # Errors
    /// `InvalidInput` on a bad config.
    #[uniffi::constructor]
    pub fn new(config: BreakerConfig) -> Result<Arc<Self>> {
        Ok(Arc::new(CircuitBreakers { inner: Mutex::new(core::Breakers::new(config)?) }))
    }

    /// Feeds an event to the breaker of `scope`.
    ///
    /// # Errors
    /// As [`CircuitBreaker::step`].
    pub fn step(
        &self,
        scope: Scope,
        event: BreakerEvent,
        now: Timestamp,
    ) -> Result<Vec<Transition>> {
        Ok(lock(&self.inner).step(&scope, &event, now)?)
    }

    /// Ticks every breaker; transitions sorted by time.
    ///
    /// # Errors
    /// `InvalidInput` when time goes back for a breaker.
    pub fn tick(&self, now: Timestamp) -> Result<Vec<Transition>> {
        Ok(lock(&self.inner).tick(now)?)
    }

    /// The state of one scope (CLOSED when it never received an event).
    pub fn state(&self, scope: Scope) -> CircuitBreakerState {
        lock(&self.inner).state(&scope)
    }

    /// The state of every scope that received an event, as (scope, state).
    pub fn states(&self) -> Vec<ScopeState> {
        lock(&self.inner)
            .iter()
            .map(|b| ScopeState { scope: b.scope().clone(), state: b.state() })
            .collect()
    }

    /// The governing state of a trade of `symbol` on `portfolio`.
    ///
    /// # Errors
    /// `InvalidInput` on a malformed portfolio id.
    pub fn governing(&self, symbol: String, portfolio: Uuid) -> Result<Governing> {
        Ok(lock(&self.inner).governing(&symbol, portfolio))
    }

    /// Whether an order of `symbol` on `portfolio` may be placed now.
    ///
    /// # Errors
    /// `TradingHalted` with the governing state.
    pub fn admit(&self, symbol: String, portfolio: Uuid, order: OrderIntent) -> Result<()> {
        Ok(lock(&self.inner).admit(&symbol, portfolio, &order)?)
    }

    /// Every breaker as JSON (one document each), for persistence.
    ///
    /// # Errors
    /// Not expected.
    pub fn to_json(&self) -> Result<Vec<String>> {
        lock(&self.inner).iter().map(|b| to_json("breaker", b)).collect()
    }

    /// Puts back a breaker saved with `to_json`.
    ///
    /// # Errors
    /// `InvalidInput` on malformed JSON; `Conflict` when it runs on another
    /// config.
    pub fn restore(&self, json: String) -> Result<()> {
        let breaker: core::Breaker = from_json("breaker", &json)?;
        lock(&self.inner).restore(breaker)?;
        Ok(())
    }
}

/// A scope and its state.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScopeState {
    /// The scope.
    pub scope: Scope,
    /// Its state.
    pub state: CircuitBreakerState,
}
