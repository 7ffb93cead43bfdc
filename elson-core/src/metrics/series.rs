//! Input checks shared by the metrics, returns from equity, and win rate.

use crate::error::{ElsonError, Result};

/// Refuses NaN and infinities, naming the first bad index.
pub(super) fn check_finite(field: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => Err(ElsonError::invalid(
            field,
            format!("value {} at index {index} is not finite", values[index]),
        )),
    }
}

/// Refuses a non-finite or non-positive annualization factor.
pub(super) fn check_periods_per_year(periods_per_year: f64) -> Result<()> {
    if periods_per_year.is_finite() && periods_per_year > 0.0 {
        Ok(())
    } else {
        Err(ElsonError::invalid(
            "periods_per_year",
            format!("{periods_per_year} is not a positive finite number"),
        ))
    }
}

/// Refuses a non-finite per-period rate.
pub(super) fn check_rate(field: &str, rate: f64) -> Result<()> {
    if rate.is_finite() {
        Ok(())
    } else {
        Err(ElsonError::invalid(field, format!("{rate} is not finite")))
    }
}

/// Checks an equity curve: finite, never negative (cash and positions are
/// never negative), and positive wherever it is the base of a return.
pub(super) fn check_equity(equity: &[f64]) -> Result<()> {
    // One branch-free pass for the common case (every value finite and
    // positive); the exact error is found below only when it fails.
    let bases = equity.len().saturating_sub(1);
    let positive = equity[..bases].iter().fold(true, |ok, &v| ok & v.is_finite() & (v > 0.0));
    let last_ok = equity.last().is_none_or(|v| v.is_finite() & (*v >= 0.0));
    if positive & last_ok {
        return Ok(());
    }
    check_finite("equity", equity)?;
    if let Some(index) = equity.iter().position(|v| *v < 0.0) {
        return Err(ElsonError::invalid(
            "equity",
            format!("value {} at index {index} is negative", equity[index]),
        ));
    }
    let bases = equity.len().saturating_sub(1);
    if let Some(index) = equity[..bases].iter().position(|v| *v == 0.0) {
        return Err(ElsonError::invalid(
            "equity",
            format!("value at index {index} is 0: a return from zero equity is undefined"),
        ));
    }
    Ok(())
}

/// Simple period returns `eᵢ / eᵢ₋₁ − 1` of an equity curve (pandas'
/// `pct_change().iloc[1:]`): one fewer value than the curve; empty for a
/// curve of 0 or 1 points.
///
/// # Errors
/// [`ElsonError::InvalidInput`] (field `equity`, with the index) for a NaN,
/// infinite or negative value, or a 0 anywhere but the last point.
///
/// # Example
/// ```
/// use elson_core::metrics::returns_from_equity;
/// let r = returns_from_equity(&[100.0, 110.0, 99.0]).unwrap();
/// assert!((r[0] - 0.10).abs() < 1e-15 && (r[1] + 0.10).abs() < 1e-15);
/// ```
pub fn returns_from_equity(equity: &[f64]) -> Result<Vec<f64>> {
    check_equity(equity)?;
    Ok(equity.windows(2).map(|w| w[1] / w[0] - 1.0).collect())
}

/// Percentage (0–100) of values strictly above zero, e.g. the realized P/L
/// of closed round trips (DESIGN §8 `win_rate`). A break-even trade is not
/// a win. `NaN` for an empty slice: with no trades there is no rate; the
/// caller decides what to store.
///
/// # Errors
/// [`ElsonError::InvalidInput`] (field `pnls`, with the index) for a NaN or
/// infinite value.
///
/// # Example
/// ```
/// use elson_core::metrics::win_rate;
/// assert_eq!(win_rate(&[12.5, -3.0, 0.0, 4.0]).unwrap(), 50.0);
/// ```
pub fn win_rate(pnls: &[f64]) -> Result<f64> {
    check_finite("pnls", pnls)?;
    if pnls.is_empty() {
        return Ok(f64::NAN);
    }
    let wins = pnls.iter().filter(|p| **p > 0.0).count();
    Ok(100.0 * wins as f64 / pnls.len() as f64)
}
