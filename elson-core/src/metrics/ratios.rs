//! Sharpe, Sortino, downside risk, annual volatility and annual return.

use super::series::{check_finite, check_periods_per_year, check_rate};
use crate::error::Result;

/// Arithmetic mean, computed as `x₀ + Σ(xᵢ − x₀) / n` (shifted by the
/// first value). `NaN` for no values.
///
/// Why shifted: summing the values themselves rounds, so the mean of equal
/// values is not always that value — three 0.1s sum to 0.30000000000000004
/// and average 0.10000000000000002. Every deviation from such a mean is a
/// tiny non-zero number, the standard deviation of a constant series comes
/// out near 1e-17 instead of 0, and a Sharpe ratio that is ±inf by
/// empyrical's convention comes out as ±1e16. Shifted, equal values have
/// deviations of exactly 0 from the first, a sum of exactly 0 and a mean of
/// exactly that value, so their dispersion is exactly 0. (Shifting is also
/// the textbook remedy for cancellation when values sit far from 0; other
/// series differ from the plain sum in the last bits at most.)
fn mean(mut values: impl ExactSizeIterator<Item = f64>) -> f64 {
    let n = values.len() as f64;
    let Some(first) = values.next() else {
        return f64::NAN;
    };
    let deviations: f64 = values.map(|v| v - first).sum();
    first + deviations / n
}

/// Sample standard deviation (ddof 1), two-pass like numpy, around a
/// [`mean`] (exactly 0 for equal values). Needs ≥ 2 values.
fn std_ddof1(values: &[f64], mean: f64) -> f64 {
    let squares: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (squares / (values.len() as f64 - 1.0)).sqrt()
}

/// Annualized Sharpe ratio: `mean(r − rf) / std(r − rf, ddof 1) × √N`,
/// with `risk_free` per period (empyrical `sharpe_ratio`).
///
/// `NaN` for fewer than 2 returns; `±inf` (or `NaN` for a zero mean) when
/// every excess return is equal: equal values have a standard deviation of
/// exactly 0 (see [`mean`]), not a rounding residue that would give ±1e16.
///
/// # Errors
/// [`ElsonError::InvalidInput`](crate::ElsonError::InvalidInput) for a
/// non-finite return (field `returns`, with the index) or `risk_free`, or a
/// `periods_per_year` that is not positive and finite.
///
/// # Example
/// ```
/// use elson_core::metrics::sharpe_ratio;
/// // mean 0.01, std 0.01 (ddof 1) → 1 × √252
/// let s = sharpe_ratio(&[0.0, 0.01, 0.02], 0.0, 252.0).unwrap();
/// assert!((s - 252f64.sqrt()).abs() < 1e-12);
/// ```
pub fn sharpe_ratio(returns: &[f64], risk_free: f64, periods_per_year: f64) -> Result<f64> {
    check_finite("returns", returns)?;
    check_rate("risk_free", risk_free)?;
    check_periods_per_year(periods_per_year)?;
    if returns.len() < 2 {
        return Ok(f64::NAN);
    }
    // The excess returns are recomputed rather than stored: the same values,
    // summed in the same order, without a copy of the series.
    let mean = mean(returns.iter().map(|r| r - risk_free));
    let squares: f64 = returns
        .iter()
        .map(|r| {
            let v = r - risk_free;
            (v - mean) * (v - mean)
        })
        .sum();
    Ok(mean / (squares / (returns.len() as f64 - 1.0)).sqrt() * periods_per_year.sqrt())
}

/// Annualized downside deviation below `required_return` (per period):
/// `√(mean(min(r − required, 0)²)) × √N`, the mean taken over *all*
/// periods, not only the losing ones (empyrical `downside_risk`).
///
/// `NaN` for an empty series.
///
/// # Errors
/// As [`sharpe_ratio`], with `required_return` in place of `risk_free`.
pub fn downside_risk(returns: &[f64], required_return: f64, periods_per_year: f64) -> Result<f64> {
    check_finite("returns", returns)?;
    check_rate("required_return", required_return)?;
    check_periods_per_year(periods_per_year)?;
    if returns.is_empty() {
        return Ok(f64::NAN);
    }
    let below = returns.iter().map(|r| (r - required_return).min(0.0).powi(2));
    Ok(mean(below).sqrt() * periods_per_year.sqrt())
}

/// Annualized Sortino ratio: `mean(r − required) × N / downside_risk`
/// (empyrical `sortino_ratio`).
///
/// `NaN` for fewer than 2 returns; `+inf` when no period is below the
/// required return and the mean excess is positive (`NaN` when it is 0).
///
/// # Errors
/// As [`downside_risk`].
///
/// # Example
/// ```
/// use elson_core::metrics::sortino_ratio;
/// // mean 0.005 × 252 = 1.26; downside √((0.01²)/2) × √252 = √0.0126
/// let s = sortino_ratio(&[0.02, -0.01], 0.0, 252.0).unwrap();
/// assert!((s - 1.26 / 0.0126f64.sqrt()).abs() < 1e-12);
/// ```
pub fn sortino_ratio(returns: &[f64], required_return: f64, periods_per_year: f64) -> Result<f64> {
    let downside = downside_risk(returns, required_return, periods_per_year)?;
    if returns.len() < 2 {
        return Ok(f64::NAN);
    }
    let mean_annual = mean(returns.iter().map(|r| r - required_return)) * periods_per_year;
    Ok(mean_annual / downside)
}

/// Annualized volatility: `std(r, ddof 1) × √N` (empyrical
/// `annual_volatility`). `NaN` for fewer than 2 returns.
///
/// # Errors
/// As [`sharpe_ratio`] (no rate).
pub fn annual_volatility(returns: &[f64], periods_per_year: f64) -> Result<f64> {
    check_finite("returns", returns)?;
    check_periods_per_year(periods_per_year)?;
    if returns.len() < 2 {
        return Ok(f64::NAN);
    }
    let mean = mean(returns.iter().copied());
    Ok(std_ddof1(returns, mean) * periods_per_year.sqrt())
}

/// Compound annual growth rate: `(Π(1 + r))^(N / len) − 1` (empyrical
/// `annual_return`). `NaN` for an empty series. Below −100 % the ending
/// wealth is negative and the result is whatever IEEE `pow` gives, as in
/// numpy (`NaN` unless `N / len` is a whole number).
///
/// # Errors
/// As [`annual_volatility`].
///
/// # Example
/// ```
/// use elson_core::metrics::annual_return;
/// // +10 % then −5 %: wealth 1.045 over half of a 4-period year → 1.045² − 1
/// let r = annual_return(&[0.10, -0.05], 4.0).unwrap();
/// assert!((r - (1.045f64 * 1.045 - 1.0)).abs() < 1e-12);
/// ```
pub fn annual_return(returns: &[f64], periods_per_year: f64) -> Result<f64> {
    check_finite("returns", returns)?;
    check_periods_per_year(periods_per_year)?;
    if returns.is_empty() {
        return Ok(f64::NAN);
    }
    let ending_value: f64 = returns.iter().map(|r| 1.0 + r).product();
    let years = returns.len() as f64 / periods_per_year;
    Ok(ending_value.powf(1.0 / years) - 1.0)
}

/// Alias of [`annual_return`], as empyrical has it.
///
/// # Errors
/// As [`annual_return`].
pub fn cagr(returns: &[f64], periods_per_year: f64) -> Result<f64> {
    annual_return(returns, periods_per_year)
}

/// The four annualized ratios a backtest reports, as one value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// [`sharpe_ratio`] with `risk_free`.
    pub sharpe: f64,
    /// [`sortino_ratio`] with `required_return = risk_free`.
    pub sortino: f64,
    /// [`annual_return`].
    pub annual_return: f64,
    /// [`annual_volatility`].
    pub annual_volatility: f64,
}

/// [`sharpe_ratio`], [`sortino_ratio`] (required return = `risk_free`),
/// [`annual_return`] and [`annual_volatility`] of one series in two passes
/// instead of seven.
///
/// Why: a backtest of 10⁶ bars needs all four, and each alone walks the
/// whole series (each sum is a chain of dependent additions that cannot be
/// reordered without changing bits). Here the independent chains advance
/// side by side in one loop. Every value is bit for bit what its own
/// function returns: the same operations on the same values in the same
/// order (means shifted by the first value as [`mean`] does, sums start at
/// −0.0 like `Iterator::sum`, the product at 1.0).
///
/// # Errors
/// As the four functions, checked in the order [`sharpe_ratio`] checks:
/// `returns` (first non-finite value, with its index), `risk_free`,
/// `periods_per_year`.
///
/// # Example
/// ```
/// use elson_core::metrics::{sharpe_ratio, summary};
/// let r = [0.01, -0.02, 0.015, 0.0, 0.004];
/// let s = summary(&r, 0.0, 252.0)?;
/// assert_eq!(s.sharpe.to_bits(), sharpe_ratio(&r, 0.0, 252.0)?.to_bits());
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn summary(returns: &[f64], risk_free: f64, periods_per_year: f64) -> Result<Summary> {
    let mut finite = true;
    // The shifts of `mean`: the first excess return, return and downside
    // square; the sums are of the deviations of the later values from them.
    let (x0, r0) = returns.first().map_or((0.0, 0.0), |&r| (r - risk_free, r));
    let d0 = x0.min(0.0).powi(2);
    let (mut excess_sum, mut raw_sum, mut down_sum, mut growth) = (-0.0, -0.0, -0.0, 1.0);
    for (i, &r) in returns.iter().enumerate() {
        finite &= r.is_finite();
        growth *= 1.0 + r;
        if i > 0 {
            let x = r - risk_free;
            excess_sum += x - x0;
            raw_sum += r - r0;
            down_sum += x.min(0.0).powi(2) - d0;
        }
    }
    if !finite {
        check_finite("returns", returns)?;
    }
    check_rate("risk_free", risk_free)?;
    check_periods_per_year(periods_per_year)?;
    let n = returns.len() as f64;
    let root = periods_per_year.sqrt();
    let nan = Summary {
        sharpe: f64::NAN,
        sortino: f64::NAN,
        annual_return: f64::NAN,
        annual_volatility: f64::NAN,
    };
    if returns.is_empty() {
        return Ok(nan);
    }
    let annual_return = growth.powf(1.0 / (n / periods_per_year)) - 1.0;
    if returns.len() < 2 {
        return Ok(Summary { annual_return, ..nan });
    }
    let excess_mean = x0 + excess_sum / n;
    let raw_mean = r0 + raw_sum / n;
    let (mut excess_sq, mut raw_sq) = (-0.0, -0.0);
    for &r in returns {
        let x = r - risk_free;
        excess_sq += (x - excess_mean) * (x - excess_mean);
        raw_sq += (r - raw_mean) * (r - raw_mean);
    }
    let downside = (d0 + down_sum / n).sqrt() * root;
    Ok(Summary {
        sharpe: excess_mean / (excess_sq / (n - 1.0)).sqrt() * root,
        sortino: excess_mean * periods_per_year / downside,
        annual_return,
        annual_volatility: (raw_sq / (n - 1.0)).sqrt() * root,
    })
}
