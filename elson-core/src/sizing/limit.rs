//! The sizing limit: factor × risk-profile cap × total value.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::enums::{CircuitBreakerState, RiskProfile, VolatilityLevel};
use crate::error::{ElsonError, Result};
use crate::limits::{DecimalLimit, round_money};
use crate::params::ParameterSet;
use crate::params::defaults::types;

/// Reads a parameter that must be a fraction in [0, 1].
pub(super) fn fraction(
    params: &ParameterSet,
    level: VolatilityLevel,
    parameter_type: &str,
    parameter_name: &str,
    at: DateTime<Utc>,
) -> Result<Decimal> {
    let value = params.require(level, parameter_type, parameter_name, at)?;
    if value < Decimal::ZERO || value > Decimal::ONE {
        return Err(ElsonError::invalid(
            format!("model_parameters({level}, {parameter_type}, {parameter_name})"),
            format!("{value} is outside [0, 1]"),
        ));
    }
    Ok(value)
}

/// The sizing factor for (breaker state, regime) at `at` — parameter
/// (`regime`, `position_sizing`, breaker state name).
///
/// # Errors
/// [`ElsonError::NotFound`] when no row is in force (only possible with a set
/// built without the built-ins); [`ElsonError::InvalidInput`] when the row
/// in force is outside [0, 1].
pub fn factor(
    breaker_state: CircuitBreakerState,
    regime: VolatilityLevel,
    params: &ParameterSet,
    at: DateTime<Utc>,
) -> Result<Decimal> {
    fraction(params, regime, types::POSITION_SIZING, breaker_state.as_str(), at)
}

/// The largest buy as a fraction of total value for a risk profile —
/// parameter (`regime`, `max_position_pct`, risk profile name).
///
/// # Errors
/// As [`factor`].
pub fn max_position_pct(
    risk_profile: RiskProfile,
    regime: VolatilityLevel,
    params: &ParameterSet,
    at: DateTime<Utc>,
) -> Result<Decimal> {
    fraction(params, regime, types::MAX_POSITION_PCT, risk_profile.as_str(), at)
}

/// The largest buy allowed now:
/// `round2(max_position_pct × total_value × factor)`, half-even.
///
/// # Errors
/// [`ElsonError::InvalidInput`] (field `total_value`) when `total_value` is
/// negative or not money (more than 2 decimals, too large); otherwise as
/// [`factor`].
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use elson_core::enums::{CircuitBreakerState, RiskProfile, VolatilityLevel};
/// use elson_core::params::ParameterSet;
/// use elson_core::sizing::max_buy_notional;
/// use rust_decimal::Decimal;
///
/// let params = ParameterSet::builtin();
/// let now = Utc.with_ymd_and_hms(2026, 1, 15, 15, 30, 0).unwrap();
/// // MODERATE 10 % × 10 000.00 × CAUTIOUS/NORMAL 0.65 = 650.00
/// let limit = max_buy_notional(
///     Decimal::new(1_000_000, 2),
///     RiskProfile::Moderate,
///     CircuitBreakerState::Cautious,
///     VolatilityLevel::Normal,
///     &params,
///     now,
/// )?;
/// assert_eq!(limit, Decimal::new(65_000, 2));
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn max_buy_notional(
    total_value: Decimal,
    risk_profile: RiskProfile,
    breaker_state: CircuitBreakerState,
    regime: VolatilityLevel,
    params: &ParameterSet,
    at: DateTime<Utc>,
) -> Result<Decimal> {
    DecimalLimit::MONEY.check("total_value", total_value)?;
    let pct = max_position_pct(risk_profile, regime, params, at)?;
    let factor = factor(breaker_state, regime, params, at)?;
    // pct and factor are in [0, 1], so the product is at most total_value
    // and cannot overflow; checked anyway so no input can panic.
    let raw = pct
        .checked_mul(total_value)
        .and_then(|v| v.checked_mul(factor))
        .ok_or_else(|| ElsonError::invalid("total_value", "limit computation overflowed"))?;
    let limit = round_money(raw);
    debug_assert!(limit <= total_value, "Invariant: the limit never exceeds total value");
    Ok(limit)
}
