//! Risk metrics over period returns or an equity curve, with empyrical's
//! conventions, so a data scientist gets the numbers they already trust.
//!
//! - Returns are simple period returns (`0.01` = +1 %), non-cumulative.
//! - Sample standard deviation, ddof 1; the risk-free rate (or required
//!   return) is *per period* and subtracted from each return; results are
//!   annualized with `periods_per_year` ([`PERIODS_PER_YEAR_DAILY`] = 252).
//! - Too short a series gives `NaN`, exactly where empyrical does: fewer
//!   than 2 returns for Sharpe, Sortino and volatility, an empty series for
//!   annual return, downside risk and drawdown. A zero denominator follows
//!   IEEE division as numpy does: `±inf`, or `NaN` for `0/0`. These are
//!   values, not errors, so results line up with pandas/empyrical output.
//! - A NaN or infinite input is an error naming the index (empyrical skips
//!   NaN silently; a hole in a price series is a bug we want to see).
//! - One difference, deliberate: [`max_drawdown`] is returned as a
//!   **positive** fraction (0.25 = a 25 % fall), the form of the data
//!   model's `drawdown_max`; empyrical returns the same number negated.
//!   It is measured from the starting value: the first return's loss counts.

mod drawdown;
mod ratios;
mod series;

pub use drawdown::{max_drawdown, max_drawdown_from_equity, returns_and_max_drawdown};
pub use ratios::{
    Summary, annual_return, annual_volatility, cagr, downside_risk, sharpe_ratio, sortino_ratio,
    summary,
};
pub use series::{returns_from_equity, win_rate};

/// Trading days in a year: the annualization factor for daily returns.
pub const PERIODS_PER_YEAR_DAILY: f64 = 252.0;
