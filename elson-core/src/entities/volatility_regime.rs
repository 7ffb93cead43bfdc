use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{CircuitBreakerState, VolatilityLevel, VolatilityMethod};
use crate::error::{ElsonError, Result};
use crate::limits::{DecimalLimit, TextLimit};

checked_entity! {
    /// One stabilized regime reading of a symbol (table `volatility_regimes`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct VolatilityRegime {
        /// Primary key.
        pub id: Uuid,
        /// Asset symbol.
        pub symbol: String,
        /// Time of the bar the reading belongs to.
        pub timestamp: DateTime<Utc>,
        /// Annualized volatility as a fraction, DECIMAL(10,4).
        pub volatility_value: Decimal,
        /// The stabilized level.
        pub volatility_level: VolatilityLevel,
        /// Window length n.
        pub lookback_period: i32,
        /// Estimator name (`CLOSE_TO_CLOSE`, …), VARCHAR(50).
        pub calculation_method: VolatilityMethod,
        /// Breaker state implied for the symbol.
        pub circuit_breaker_state: Option<CircuitBreakerState>,
        /// Confidence in [0, 1], DECIMAL(5,2).
        pub confidence_score: Decimal,
        /// Consecutive readings of the current level (≥ 3 right after a change).
        pub stabilization_count: i32,
    }
}

/// A regime row with values already in column form (decimals); checked
/// exactly by [`VolatilityRegime::new`]. The regime engine, which computes
/// in `f64`, uses [`VolatilityReading`] instead.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVolatilityRegime {
    /// Asset symbol, 1–20 characters.
    pub symbol: String,
    /// Time of the bar the reading belongs to.
    pub timestamp: DateTime<Utc>,
    /// Annualized volatility as a fraction, ≥ 0, DECIMAL(10,4).
    pub volatility_value: Decimal,
    /// The stabilized level.
    pub volatility_level: VolatilityLevel,
    /// Window length n, > 0.
    pub lookback_period: i32,
    /// Estimator that produced the value.
    pub calculation_method: VolatilityMethod,
    /// Breaker state implied for the symbol.
    pub circuit_breaker_state: Option<CircuitBreakerState>,
    /// Confidence in [0, 1], DECIMAL(5,2).
    pub confidence_score: Decimal,
    /// Consecutive readings of the current level, ≥ 1.
    pub stabilization_count: i32,
}

/// A regime row as the regime engine computes it: the same fields as
/// [`NewVolatilityRegime`] but with `f64` volatility and confidence, which
/// [`VolatilityRegime::from_reading`] rounds into their columns.
#[derive(Debug, Clone, PartialEq)]
pub struct VolatilityReading {
    /// Asset symbol, 1–20 characters.
    pub symbol: String,
    /// Time of the bar the reading belongs to.
    pub timestamp: DateTime<Utc>,
    /// Annualized volatility as a fraction; finite and ≥ 0.
    pub volatility_value: f64,
    /// The stabilized level.
    pub volatility_level: VolatilityLevel,
    /// Window length n, > 0.
    pub lookback_period: i32,
    /// Estimator that produced the value.
    pub calculation_method: VolatilityMethod,
    /// Breaker state implied for the symbol.
    pub circuit_breaker_state: Option<CircuitBreakerState>,
    /// Confidence in [0, 1]; finite.
    pub confidence_score: f64,
    /// Consecutive readings of the current level, ≥ 1.
    pub stabilization_count: i32,
}

impl VolatilityRegime {
    /// Creates a regime row from column-form values, checked exactly
    /// (nothing is rounded). There is no `now`: the row's only time is the
    /// bar's `timestamp`. `id` is used when given, else a fresh UUID v4.
    ///
    /// The level is not re-derived from the value: with hysteresis (DESIGN
    /// §5) the stabilized level may lag the raw reading. The "≥ 3 after a
    /// change" rule needs the previous row and is the regime engine's.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming the column:
    /// - `symbol`: empty or longer than 20 characters;
    /// - `volatility_value`: negative, more than 4 decimals or 6 integer digits;
    /// - `lookback_period`: not positive;
    /// - `confidence_score`: outside [0, 1] or more than 2 decimals;
    /// - `stabilization_count`: below 1.
    pub fn new(params: NewVolatilityRegime, id: Option<Uuid>) -> Result<VolatilityRegime> {
        let NewVolatilityRegime {
            symbol,
            timestamp,
            volatility_value,
            volatility_level,
            lookback_period,
            calculation_method,
            circuit_breaker_state,
            confidence_score,
            stabilization_count,
        } = params;
        let regime = VolatilityRegime {
            id: id.unwrap_or_else(Uuid::new_v4),
            symbol,
            timestamp,
            volatility_value,
            volatility_level,
            lookback_period,
            calculation_method,
            circuit_breaker_state,
            confidence_score,
            stabilization_count,
        };
        regime.validate()?;
        Ok(regime)
    }

    /// Checks a whole row by the rules of [`VolatilityRegime::new`]: serde
    /// runs it on every reading it reads (issue 14 item 3). The "≥ 3 after
    /// a change" rule needs the previous row and stays with
    /// [`crate::regime::check_regime_rows`].
    ///
    /// # Errors
    /// As [`VolatilityRegime::new`].
    pub fn validate(&self) -> Result<()> {
        TextLimit::SYMBOL.check("symbol", &self.symbol)?;
        DecimalLimit::RATIO.check("volatility_value", self.volatility_value)?;
        if self.volatility_value < Decimal::ZERO {
            return Err(ElsonError::invalid(
                "volatility_value",
                format!("{} is negative", self.volatility_value),
            ));
        }
        if self.lookback_period <= 0 {
            return Err(ElsonError::invalid(
                "lookback_period",
                format!("{} is not positive", self.lookback_period),
            ));
        }
        DecimalLimit::UNIT_FRACTION.check("confidence_score", self.confidence_score)?;
        if self.stabilization_count < 1 {
            return Err(ElsonError::invalid(
                "stabilization_count",
                format!("{} is below 1; the first reading counts 1", self.stabilization_count),
            ));
        }
        Ok(())
    }

    /// Creates a regime row from the regime engine's `f64` values: the
    /// volatility is rounded half-even to 4 decimals and the confidence to
    /// 2, then everything is checked as in [`VolatilityRegime::new`].
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] on `volatility_value` or
    /// `confidence_score` when NaN, infinite or not representable as a
    /// decimal; otherwise as [`VolatilityRegime::new`] (after rounding, so
    /// 1.004 is a valid confidence of 1.00 but 1.006 is not).
    pub fn from_reading(reading: VolatilityReading, id: Option<Uuid>) -> Result<VolatilityRegime> {
        let VolatilityReading {
            symbol,
            timestamp,
            volatility_value,
            volatility_level,
            lookback_period,
            calculation_method,
            circuit_breaker_state,
            confidence_score,
            stabilization_count,
        } = reading;
        let volatility_value = DecimalLimit::RATIO
            .round("volatility_value", decimal_from_f64("volatility_value", volatility_value)?)?;
        let confidence_score = DecimalLimit::UNIT_FRACTION
            .round("confidence_score", decimal_from_f64("confidence_score", confidence_score)?)?;
        VolatilityRegime::new(
            NewVolatilityRegime {
                symbol,
                timestamp,
                volatility_value,
                volatility_level,
                lookback_period,
                calculation_method,
                circuit_breaker_state,
                confidence_score,
                stabilization_count,
            },
            id,
        )
    }
}

/// Converts a finite `f64` to a `Decimal`; NaN and ±inf are input errors.
/// A negative zero becomes plain zero so that `-0.0000` never reaches JSON.
fn decimal_from_f64(field: &str, value: f64) -> Result<Decimal> {
    if !value.is_finite() {
        return Err(ElsonError::invalid(field, format!("{value} is not a finite number")));
    }
    let decimal = Decimal::try_from(value).map_err(|_| {
        ElsonError::invalid(field, format!("{value} is not representable as a decimal"))
    })?;
    Ok(if decimal.is_zero() { decimal.abs() } else { decimal })
}
