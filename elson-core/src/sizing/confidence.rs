//! The confidence gate for model-generated orders.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::limit::fraction;
use crate::enums::VolatilityLevel;
use crate::error::{ElsonError, Result};
use crate::params::ParameterSet;
use crate::params::defaults::{names, types};

/// The minimum confidence of a model-generated order in `regime` at `at` —
/// parameter (`regime`, `confidence_threshold`, `min_confidence`).
///
/// # Errors
/// As [`super::factor`].
pub fn confidence_threshold(
    regime: VolatilityLevel,
    params: &ParameterSet,
    at: DateTime<Utc>,
) -> Result<Decimal> {
    fraction(params, regime, types::CONFIDENCE_THRESHOLD, names::MIN_CONFIDENCE, at)
}

/// The confidence gate: a model-generated order (`Some(score)`) needs at
/// least the regime's threshold; a person's own order (`None`) skips it.
///
/// # Errors
/// - [`ElsonError::InvalidInput`] (field `confidence_score`) for a score
///   outside [0, 1].
/// - [`ElsonError::ConfidenceTooLow`] with the score and the threshold when
///   the score is below it.
/// - As [`super::factor`] when the threshold cannot be read.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use elson_core::enums::VolatilityLevel;
/// use elson_core::params::ParameterSet;
/// use elson_core::sizing::check_confidence;
/// use rust_decimal::Decimal;
///
/// let params = ParameterSet::builtin();
/// let now = Utc.with_ymd_and_hms(2026, 1, 15, 15, 30, 0).unwrap();
/// let high = VolatilityLevel::High; // threshold 0.65
/// assert!(check_confidence(None, high, &params, now).is_ok());
/// assert!(check_confidence(Some(Decimal::new(65, 2)), high, &params, now).is_ok());
/// assert!(check_confidence(Some(Decimal::new(64, 2)), high, &params, now).is_err());
/// ```
pub fn check_confidence(
    score: Option<Decimal>,
    regime: VolatilityLevel,
    params: &ParameterSet,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(score) = score else {
        return Ok(());
    };
    if score < Decimal::ZERO || score > Decimal::ONE {
        return Err(ElsonError::invalid("confidence_score", format!("{score} is outside [0, 1]")));
    }
    let threshold = confidence_threshold(regime, params, at)?;
    if score < threshold {
        return Err(ElsonError::ConfidenceTooLow { score, threshold });
    }
    Ok(())
}
