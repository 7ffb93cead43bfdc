//! All breakers of a system, one per scope, and the state that governs a trade.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::admission::{OrderIntent, admit};
use super::config::BreakerConfig;
use super::event::{BreakerEvent, Transition};
use super::machine::Breaker;
use super::scope::Scope;
use crate::enums::CircuitBreakerState;
use crate::error::{ElsonError, Result};

/// The governing state of a trade and the scope it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Governing {
    /// The most severe state among the global, symbol and portfolio breakers.
    pub state: CircuitBreakerState,
    /// The scope holding that state (on a tie: global, then symbol, then portfolio).
    pub scope: Scope,
}

/// One breaker per scope, created CLOSED on first use, all on one config.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use elson_core::breaker::{Breakers, BreakerConfig, BreakerEvent, Scope};
/// use elson_core::enums::{CircuitBreakerState as S, UserRole, VolatilityLevel as V};
/// use uuid::Uuid;
///
/// let now = Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap();
/// let portfolio = Uuid::nil();
/// let mut breakers = Breakers::new(BreakerConfig::default()).unwrap();
/// breakers.step(&Scope::Symbol("AAPL".into()), &BreakerEvent::Regime { level: V::High }, now).unwrap();
/// let trip = BreakerEvent::ManualTrip { actor_role: UserRole::Admin, level: S::Cautious };
/// breakers.step(&Scope::Global, &trip, now).unwrap();
/// assert_eq!(breakers.governing("AAPL", portfolio).state, S::Restricted);
/// assert_eq!(breakers.governing("MSFT", portfolio).state, S::Cautious);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakers {
    config: BreakerConfig,
    breakers: BTreeMap<Scope, Breaker>,
}

impl Breakers {
    /// An empty registry: every scope is CLOSED until an event says otherwise.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] for an invalid config ([`BreakerConfig::validate`]).
    pub fn new(config: BreakerConfig) -> Result<Self> {
        config.validate()?;
        Ok(Breakers { config, breakers: BTreeMap::new() })
    }

    /// The shared settings.
    pub fn config(&self) -> &BreakerConfig {
        &self.config
    }

    /// The breaker of `scope`, if any event reached it.
    pub fn get(&self, scope: &Scope) -> Option<&Breaker> {
        self.breakers.get(scope)
    }

    /// Every breaker that exists, in scope order.
    pub fn iter(&self) -> impl Iterator<Item = &Breaker> {
        self.breakers.values()
    }

    /// The state of `scope` as of its last event (CLOSED if it has none).
    pub fn state(&self, scope: &Scope) -> CircuitBreakerState {
        self.breakers.get(scope).map_or(CircuitBreakerState::Closed, Breaker::state)
    }

    /// Puts back a breaker kept elsewhere (e.g. deserialized from a store),
    /// replacing the scope's current one, which is returned.
    ///
    /// # Errors
    /// [`ElsonError::Conflict`] when the breaker runs on a different config
    /// than the registry: one registry, one set of cool-downs.
    pub fn restore(&mut self, breaker: Breaker) -> Result<Option<Breaker>> {
        if breaker.config() != &self.config {
            return Err(ElsonError::Conflict {
                reason: format!("breaker {} runs on a different config", breaker.scope()),
            });
        }
        Ok(self.breakers.insert(breaker.scope().clone(), breaker))
    }

    /// Feeds `event` to the breaker of `scope` (created if needed).
    ///
    /// # Errors
    /// As [`Breaker::step`]; also [`ElsonError::InvalidInput`] for an invalid
    /// symbol scope. On error nothing changes.
    pub fn step(
        &mut self,
        scope: &Scope,
        event: &BreakerEvent,
        now: DateTime<Utc>,
    ) -> Result<Vec<Transition>> {
        match self.breakers.get_mut(scope) {
            Some(breaker) => breaker.step(event, now),
            None => {
                let mut breaker = Breaker::new(scope.clone(), self.config)?;
                let transitions = breaker.step(event, now)?;
                self.breakers.insert(scope.clone(), breaker);
                Ok(transitions)
            }
        }
    }

    /// Lets time pass on every breaker, so that recovery comes due without
    /// new readings. Transitions are returned in time order (then scope order).
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] (field `now`) when `now` is earlier than
    /// the last event of any breaker; then nothing changes.
    pub fn tick(&mut self, now: DateTime<Utc>) -> Result<Vec<Transition>> {
        if let Some(late) =
            self.breakers.values().find(|b| b.last_event_at().is_some_and(|t| now < t))
        {
            return Err(ElsonError::invalid(
                "now",
                format!("{now} is earlier than the last event of {}", late.scope()),
            ));
        }
        let mut transitions = Vec::new();
        for breaker in self.breakers.values_mut() {
            transitions.extend(breaker.step(&BreakerEvent::Tick, now)?);
        }
        transitions.sort_by_key(|t| t.at);
        Ok(transitions)
    }

    /// The state governing a trade of `symbol` in `portfolio`: the most
    /// severe of the global, symbol and portfolio breakers (DESIGN §6).
    pub fn governing(&self, symbol: &str, portfolio: Uuid) -> Governing {
        [Scope::Global, Scope::Symbol(symbol.to_string()), Scope::Portfolio(portfolio)]
            .into_iter()
            .map(|scope| Governing { state: self.state(&scope), scope })
            .reduce(|most, next| if next.state > most.state { next } else { most })
            .unwrap_or(Governing { state: CircuitBreakerState::Closed, scope: Scope::Global })
    }

    /// Whether `order` may be placed on `symbol` in `portfolio` now:
    /// [`admit`] under the governing state, naming the scope that blocks.
    ///
    /// # Errors
    /// [`ElsonError::TradingHalted`] as [`admit`], its reason naming the
    /// governing scope; [`ElsonError::InvalidInput`] for a negative notional.
    pub fn admit(&self, symbol: &str, portfolio: Uuid, order: &OrderIntent) -> Result<()> {
        let governing = self.governing(symbol, portfolio);
        admit(governing.state, order).map_err(|e| match e {
            ElsonError::TradingHalted { state, reason } => ElsonError::TradingHalted {
                state,
                reason: format!("{reason} (breaker {})", governing.scope),
            },
            other => other,
        })
    }
}
