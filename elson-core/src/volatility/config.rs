//! Estimator configuration and the bar type.

use serde::{Deserialize, Serialize};

use crate::enums::VolatilityMethod;
use crate::error::{ElsonError, Result};

/// Longest window accepted. Why a limit: the streaming state keeps the
/// window in memory and `lookback_period` is an `INTEGER` column.
pub const LOOKBACK_MAX: usize = 100_000;

/// One price bar. Prices are f64 (statistics, not money: DESIGN §1).
///
/// `CLOSE_TO_CLOSE` and `EWMA` only read `close`; `PARKINSON` reads the
/// range; `GARMAN_KLASS` reads all four. A valid bar has every price finite,
/// positive and normal, `low ≤ high`, and `open`, `close` within
/// `[low, high]` — the estimators check it and name the bad field.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// First traded price of the period.
    pub open: f64,
    /// Highest traded price of the period.
    pub high: f64,
    /// Lowest traded price of the period.
    pub low: f64,
    /// Last traded price of the period.
    pub close: f64,
}

impl Bar {
    /// A bar from its four prices (not validated here: the estimators do it,
    /// with the bar's index in the message).
    pub const fn new(open: f64, high: f64, low: f64, close: f64) -> Bar {
        Bar { open, high, low, close }
    }

    /// A degenerate bar where all four prices equal `close`: the way to feed
    /// close-only data to an API that takes bars.
    pub const fn from_close(close: f64) -> Bar {
        Bar { open: close, high: close, low: close, close }
    }
}

/// How to estimate volatility. Defaults (DESIGN §5) live in [`Default`]:
/// `CLOSE_TO_CLOSE`, lookback 20, 252 periods a year, λ = 0.94.
///
/// # Example
/// ```
/// use elson_core::enums::VolatilityMethod;
/// use elson_core::volatility::VolatilityConfig;
/// let cfg = VolatilityConfig { method: VolatilityMethod::Ewma, ..VolatilityConfig::default() };
/// assert_eq!(cfg.lookback, 20);
/// assert!(cfg.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VolatilityConfig {
    /// The estimator.
    pub method: VolatilityMethod,
    /// Window length n: returns for `CLOSE_TO_CLOSE` (and the `EWMA` seed),
    /// bars for `PARKINSON` and `GARMAN_KLASS`.
    pub lookback: usize,
    /// N in the annualization √N (252 trading days).
    pub periods_per_year: u32,
    /// RiskMetrics decay λ of `EWMA`, in (0, 1).
    pub ewma_lambda: f64,
}

impl Default for VolatilityConfig {
    fn default() -> Self {
        VolatilityConfig {
            method: VolatilityMethod::CloseToClose,
            lookback: 20,
            periods_per_year: 252,
            ewma_lambda: 0.94,
        }
    }
}

impl VolatilityConfig {
    /// The defaults with another estimator.
    pub fn with_method(method: VolatilityMethod) -> VolatilityConfig {
        VolatilityConfig { method, ..VolatilityConfig::default() }
    }

    /// Smallest lookback the method accepts: a sample standard deviation
    /// (ddof 1) needs two returns; the others need one observation.
    pub fn lookback_min(&self) -> usize {
        match self.method {
            VolatilityMethod::CloseToClose => 2,
            VolatilityMethod::Ewma
            | VolatilityMethod::Parkinson
            | VolatilityMethod::GarmanKlass => 1,
        }
    }

    /// Checks every field.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] for a lookback outside
    /// `lookback_min()..=LOOKBACK_MAX` (field `lookback`), zero
    /// `periods_per_year`, or an `ewma_lambda` not strictly inside (0, 1).
    pub fn validate(&self) -> Result<()> {
        let lookback_min = self.lookback_min();
        if self.lookback < lookback_min || self.lookback > LOOKBACK_MAX {
            return Err(ElsonError::invalid(
                "lookback",
                format!(
                    "{} is outside {lookback_min}..={LOOKBACK_MAX} for {}",
                    self.lookback, self.method
                ),
            ));
        }
        if self.periods_per_year == 0 {
            return Err(ElsonError::invalid("periods_per_year", "must be at least 1"));
        }
        if !(self.ewma_lambda > 0.0 && self.ewma_lambda < 1.0) {
            return Err(ElsonError::invalid(
                "ewma_lambda",
                format!("{} is not strictly between 0 and 1", self.ewma_lambda),
            ));
        }
        Ok(())
    }

    /// Index of the first bar that has a value: n for the return-based
    /// estimators (n + 1 closes), n − 1 for the range-based ones (n bars).
    pub fn first_defined_index(&self) -> usize {
        match self.method {
            VolatilityMethod::CloseToClose | VolatilityMethod::Ewma => self.lookback,
            VolatilityMethod::Parkinson | VolatilityMethod::GarmanKlass => {
                self.lookback.saturating_sub(1)
            }
        }
    }

    /// Whether the method only needs closes (so [`super::estimate_closes`]
    /// and [`super::VolatilityEstimator::update_close`] accept it).
    pub fn uses_closes_only(&self) -> bool {
        matches!(self.method, VolatilityMethod::CloseToClose | VolatilityMethod::Ewma)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_design() {
        let c = VolatilityConfig::default();
        assert_eq!(c.method, VolatilityMethod::CloseToClose);
        assert_eq!((c.lookback, c.periods_per_year, c.ewma_lambda), (20, 252, 0.94));
        assert!(c.validate().is_ok());
    }

    #[test]
    fn bad_fields_are_named() {
        let field = |c: VolatilityConfig| match c.validate() {
            Err(ElsonError::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let d = VolatilityConfig::default();
        assert_eq!(field(VolatilityConfig { lookback: 1, ..d }), "lookback");
        assert_eq!(field(VolatilityConfig { lookback: LOOKBACK_MAX + 1, ..d }), "lookback");
        assert_eq!(field(VolatilityConfig { periods_per_year: 0, ..d }), "periods_per_year");
        assert_eq!(field(VolatilityConfig { ewma_lambda: 1.0, ..d }), "ewma_lambda");
        assert_eq!(field(VolatilityConfig { ewma_lambda: f64::NAN, ..d }), "ewma_lambda");
        let p = VolatilityConfig::with_method(VolatilityMethod::Parkinson);
        assert!(VolatilityConfig { lookback: 1, ..p }.validate().is_ok());
        assert_eq!(field(VolatilityConfig { lookback: 0, ..p }), "lookback");
    }
}
