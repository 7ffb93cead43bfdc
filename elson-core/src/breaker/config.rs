//! Breaker settings as data: cool-downs, the daily-loss trip and the
//! execution-failure trip (DESIGN §6). Nothing of this lives in a function body.

use chrono::TimeDelta;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::enums::CircuitBreakerState;
use crate::error::{ElsonError, Result};

/// The numbers a breaker runs on. `BreakerConfig::default()` is DESIGN §6;
/// a caller (or a backtest) overrides any of them, and the whole value is
/// serializable so a backtest can record it in `parameters_used`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerConfig {
    /// Minutes OPEN must last before it may step down to RESTRICTED (90).
    pub cooldown_open_minutes: u32,
    /// Minutes RESTRICTED must last before it may step down to CAUTIOUS (45).
    pub cooldown_restricted_minutes: u32,
    /// Minutes CAUTIOUS must last before it may step down to CLOSED (20).
    pub cooldown_cautious_minutes: u32,
    /// A portfolio's loss since the day's open, as a fraction of the opening
    /// value, at or above which the portfolio trips OPEN until the next UTC
    /// day (0.02 = 2 %). Must be in (0, 1].
    pub loss_trip_fraction: Decimal,
    /// Consecutive execution failures on a symbol that trip it OPEN (3).
    /// Must be at least 1.
    pub failure_trip_count: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            cooldown_open_minutes: 90,
            cooldown_restricted_minutes: 45,
            cooldown_cautious_minutes: 20,
            loss_trip_fraction: Decimal::new(2, 2),
            failure_trip_count: 3,
        }
    }
}

impl BreakerConfig {
    /// Checks the values that would make the breaker meaningless.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming `loss_trip_fraction` when it is not
    /// in (0, 1], or `failure_trip_count` when it is 0.
    ///
    /// # Example
    /// ```
    /// use elson_core::breaker::BreakerConfig;
    /// assert!(BreakerConfig::default().validate().is_ok());
    /// let zero = BreakerConfig { failure_trip_count: 0, ..BreakerConfig::default() };
    /// assert!(zero.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.loss_trip_fraction <= Decimal::ZERO || self.loss_trip_fraction > Decimal::ONE {
            return Err(ElsonError::invalid(
                "loss_trip_fraction",
                format!("{} is outside (0, 1]", self.loss_trip_fraction),
            ));
        }
        if self.failure_trip_count == 0 {
            return Err(ElsonError::invalid("failure_trip_count", "must be at least 1"));
        }
        Ok(())
    }

    /// How long `state` must last before it may step down one state.
    /// CLOSED has nothing to recover from, so its cool-down is zero.
    pub fn cooldown(&self, state: CircuitBreakerState) -> TimeDelta {
        let minutes = match state {
            CircuitBreakerState::Closed => 0,
            CircuitBreakerState::Cautious => self.cooldown_cautious_minutes,
            CircuitBreakerState::Restricted => self.cooldown_restricted_minutes,
            CircuitBreakerState::Open => self.cooldown_open_minutes,
        };
        TimeDelta::minutes(i64::from(minutes))
    }

    /// The shortest time from OPEN to CLOSED once every trigger has cleared:
    /// the three cool-downs in a row (155 minutes by default).
    pub fn full_recovery(&self) -> TimeDelta {
        self.cooldown(CircuitBreakerState::Open)
            + self.cooldown(CircuitBreakerState::Restricted)
            + self.cooldown(CircuitBreakerState::Cautious)
    }
}
