//! `EWMA` (RiskMetrics): zero-mean variance `σ²ₜ = λ·σ²ₜ₋₁ + (1 − λ)·rₜ²`,
//! seeded with the mean of r² over the first n returns, annualized
//! `√(N·σ²ₜ)`. The first value is at close index n (n returns seen).
//!
//! The recursion is inherently sequential, so the batch form simply runs
//! this state over the series: same arithmetic, same bits.

use super::config::VolatilityConfig;
use super::ln::fast_ln;

/// Streaming state (prices already validated by the caller).
#[derive(Debug, Clone)]
pub(crate) struct EwmaState {
    lookback: usize,
    lambda: f64,
    one_minus_lambda: f64,
    periods_per_year: f64,
    prev_log: Option<f64>,
    /// Returns seen so far.
    returns: usize,
    /// Σ r² of the first n returns (the seed), then unused.
    seed_sum: f64,
    /// σ²ₜ once seeded.
    variance: f64,
}

impl EwmaState {
    pub(crate) fn new(cfg: &VolatilityConfig) -> EwmaState {
        EwmaState {
            lookback: cfg.lookback,
            lambda: cfg.ewma_lambda,
            one_minus_lambda: 1.0 - cfg.ewma_lambda,
            periods_per_year: f64::from(cfg.periods_per_year),
            prev_log: None,
            returns: 0,
            seed_sum: 0.0,
            variance: 0.0,
        }
    }

    /// Adds a valid close; the value once n returns have been seen.
    pub(crate) fn push(&mut self, close: f64) -> Option<f64> {
        let log = fast_ln(close);
        let prev = self.prev_log.replace(log)?;
        let r = log - prev;
        self.returns += 1;
        if self.returns < self.lookback {
            self.seed_sum += r * r;
            return None;
        }
        if self.returns == self.lookback {
            self.seed_sum += r * r;
            self.variance = self.seed_sum / self.lookback as f64;
        } else {
            self.variance = self.lambda * self.variance + self.one_minus_lambda * (r * r);
        }
        Some((self.periods_per_year * self.variance).sqrt())
    }
}
