//! Maximum drawdown, from returns or from an equity curve.

use super::series::{check_equity, check_finite};
use crate::error::Result;

/// Largest fall from a running peak, as a positive fraction, over a wealth
/// path whose running peak starts at `start` (the starting value counts as
/// a peak).
fn largest_fall(start: f64, path: impl Iterator<Item = f64>) -> f64 {
    let mut peak = start;
    let mut fall_max = 0.0_f64;
    for value in path {
        peak = peak.max(value);
        fall_max = fall_max.max((peak - value) / peak);
    }
    fall_max
}

/// Maximum drawdown of a series of period returns, as a **positive**
/// fraction (empyrical `max_drawdown` negated, to match the data model's
/// `drawdown_max`). Wealth starts at 1 and the start counts as a peak, so
/// a first return of −10 % is a 10 % drawdown. `0.0` when wealth never
/// falls; `NaN` for an empty series.
///
/// # Errors
/// [`ElsonError::InvalidInput`](crate::ElsonError::InvalidInput) (field
/// `returns`, with the index) for a NaN or infinite return.
///
/// # Example
/// ```
/// use elson_core::metrics::max_drawdown;
/// // wealth 1 → 0.9 → 1.08 → 0.756: peak 1.08, trough 0.756 → 30 %
/// let dd = max_drawdown(&[-0.10, 0.20, -0.30]).unwrap();
/// assert!((dd - 0.30).abs() < 1e-12);
/// ```
pub fn max_drawdown(returns: &[f64]) -> Result<f64> {
    check_finite("returns", returns)?;
    if returns.is_empty() {
        return Ok(f64::NAN);
    }
    let wealth = returns.iter().scan(1.0_f64, |w, r| {
        *w *= 1.0 + r;
        Some(*w)
    });
    Ok(largest_fall(1.0, wealth))
}

/// Maximum drawdown of an equity curve, as a positive fraction: the largest
/// `(peak − value) / peak` with the first point as the first peak. Equal to
/// [`max_drawdown`] of [`returns_from_equity`](super::returns_from_equity).
/// `NaN` for an empty curve, `0.0` for one point.
///
/// # Errors
/// [`ElsonError::InvalidInput`](crate::ElsonError::InvalidInput) (field
/// `equity`, with the index) for a NaN, infinite or negative value, or a 0
/// anywhere but the last point.
pub fn max_drawdown_from_equity(equity: &[f64]) -> Result<f64> {
    check_equity(equity)?;
    let Some((first, rest)) = equity.split_first() else {
        return Ok(f64::NAN);
    };
    Ok(largest_fall(*first, rest.iter().copied()))
}

/// [`returns_from_equity`](super::returns_from_equity) and
/// [`max_drawdown_from_equity`] of one curve, checking and reading it once
/// (a backtest needs both, over 10⁶ points). The same values, bit for bit:
/// the same operations in the same order.
///
/// # Errors
/// As [`returns_from_equity`](super::returns_from_equity).
///
/// # Example
/// ```
/// use elson_core::metrics::returns_and_max_drawdown;
/// let (r, dd) = returns_and_max_drawdown(&[100.0, 120.0, 90.0, 110.0])?;
/// assert_eq!(r.len(), 3);
/// assert!((dd - 0.25).abs() < 1e-12);
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn returns_and_max_drawdown(equity: &[f64]) -> Result<(Vec<f64>, f64)> {
    check_equity(equity)?;
    let Some((&first, rest)) = equity.split_first() else {
        return Ok((Vec::new(), f64::NAN));
    };
    let mut returns = Vec::with_capacity(rest.len());
    let (mut prev, mut peak, mut fall_max) = (first, first, 0.0_f64);
    for &value in rest {
        returns.push(value / prev - 1.0);
        prev = value;
        peak = peak.max(value);
        fall_max = fall_max.max((peak - value) / peak);
    }
    Ok((returns, fall_max))
}
