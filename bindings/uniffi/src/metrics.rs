//! Risk metrics over return series (empyrical's conventions), as `f64`:
//! statistics take prices and returns as doubles, never money.

use elson_core::metrics as core;

use crate::Result;

/// Annualized Sharpe ratio (ddof 1); NaN for fewer than 2 returns.
///
/// # Errors
/// `InvalidInput` on a non-finite value or a bad `periods_per_year`.
#[uniffi::export]
pub fn sharpe_ratio(returns: Vec<f64>, risk_free: f64, periods_per_year: f64) -> Result<f64> {
    Ok(core::sharpe_ratio(&returns, risk_free, periods_per_year)?)
}

/// Annualized Sortino ratio.
///
/// # Errors
/// As [`sharpe_ratio`].
#[uniffi::export]
pub fn sortino_ratio(
    returns: Vec<f64>,
    required_return: f64,
    periods_per_year: f64,
) -> Result<f64> {
    Ok(core::sortino_ratio(&returns, required_return, periods_per_year)?)
}

/// Annualized downside deviation below `required_return`.
///
/// # Errors
/// As [`sharpe_ratio`].
#[uniffi::export]
pub fn downside_risk(
    returns: Vec<f64>,
    required_return: f64,
    periods_per_year: f64,
) -> Result<f64> {
    Ok(core::downside_risk(&returns, required_return, periods_per_year)?)
}

/// Annualized volatility (ddof 1).
///
/// # Errors
/// As [`sharpe_ratio`].
#[uniffi::export]
pub fn annual_volatility(returns: Vec<f64>, periods_per_year: f64) -> Result<f64> {
    Ok(core::annual_volatility(&returns, periods_per_year)?)
}

/// Compound annual growth rate.
///
/// # Errors
/// As [`sharpe_ratio`].
#[uniffi::export]
pub fn annual_return(returns: Vec<f64>, periods_per_year: f64) -> Result<f64> {
    Ok(core::annual_return(&returns, periods_per_year)?)
}

/// Largest peak-to-trough fall from a starting wealth of 1, as a positive
/// fraction.
///
/// # Errors
/// `InvalidInput` on a non-finite value.
#[uniffi::export]
pub fn max_drawdown(returns: Vec<f64>) -> Result<f64> {
    Ok(core::max_drawdown(&returns)?)
}

/// Largest peak-to-trough fall of an equity curve, as a positive fraction.
///
/// # Errors
/// `InvalidInput` on a non-finite or non-positive value.
#[uniffi::export]
pub fn max_drawdown_from_equity(equity: Vec<f64>) -> Result<f64> {
    Ok(core::max_drawdown_from_equity(&equity)?)
}

/// Period returns `eᵢ/eᵢ₋₁ − 1` of an equity curve.
///
/// # Errors
/// As [`max_drawdown_from_equity`].
#[uniffi::export]
pub fn returns_from_equity(equity: Vec<f64>) -> Result<Vec<f64>> {
    Ok(core::returns_from_equity(&equity)?)
}

/// Percentage (0–100) of P/L values > 0; NaN when empty.
///
/// # Errors
/// `InvalidInput` on a non-finite value.
#[uniffi::export]
pub fn win_rate(pnls: Vec<f64>) -> Result<f64> {
    Ok(core::win_rate(&pnls)?)
}
