//! The streaming estimator: one bar at a time, O(1) per update.

use super::close_to_close::CloseToCloseState;
use super::config::{Bar, VolatilityConfig};
use super::ewma::EwmaState;
use super::range::RangeState;
use super::validate::{check_bar, check_price, is_valid_bar};
use crate::enums::VolatilityMethod;
use crate::error::{ElsonError, Result};

#[derive(Debug, Clone)]
enum Inner {
    CloseToClose(CloseToCloseState),
    Ewma(EwmaState),
    Range(RangeState),
}

/// A volatility estimator fed one bar (or close) at a time, for live data.
///
/// Why a state and not a function call per bar: recomputing the window each
/// tick is O(n); this keeps running sums and answers in O(1) (the window is
/// re-summed exactly every 256 updates, to stop rounding drift), with exactly
/// the arithmetic of the batch functions ([`super::estimate`]), so a value
/// computed live equals the value a backtest computes for the same bar.
///
/// A rejected bar leaves the state untouched (checks happen before any
/// change), so a caller may skip it and go on.
///
/// # Example
/// ```
/// use elson_core::enums::VolatilityMethod;
/// use elson_core::volatility::{Bar, VolatilityConfig, VolatilityEstimator};
///
/// let cfg = VolatilityConfig { lookback: 2, ..VolatilityConfig::with_method(VolatilityMethod::Parkinson) };
/// let mut est = VolatilityEstimator::new(&cfg)?;
/// assert_eq!(est.update(&Bar::new(10.0, 11.0, 9.0, 10.5))?, None);
/// let v = est.update(&Bar::new(10.5, 11.0, 10.0, 10.2))?.unwrap();
/// assert!(v > 0.0);
/// assert!(est.update(&Bar::new(10.0, 9.0, 11.0, 10.0)).is_err()); // high < low
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
#[derive(Debug, Clone)]
pub struct VolatilityEstimator {
    cfg: VolatilityConfig,
    inner: Inner,
    /// Bars accepted so far (also the index of the next bar).
    seen: usize,
}

impl VolatilityEstimator {
    /// A fresh estimator.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] when `cfg` is invalid
    /// ([`VolatilityConfig::validate`]).
    pub fn new(cfg: &VolatilityConfig) -> Result<VolatilityEstimator> {
        cfg.validate()?;
        let inner = match cfg.method {
            VolatilityMethod::CloseToClose => Inner::CloseToClose(CloseToCloseState::new(cfg)),
            VolatilityMethod::Ewma => Inner::Ewma(EwmaState::new(cfg)),
            VolatilityMethod::Parkinson | VolatilityMethod::GarmanKlass => {
                match RangeState::new(cfg) {
                    Some(state) => Inner::Range(state),
                    None => return Err(ElsonError::invalid("method", "not a range estimator")),
                }
            }
        };
        Ok(VolatilityEstimator { cfg: *cfg, inner, seen: 0 })
    }

    /// The configuration.
    pub fn config(&self) -> &VolatilityConfig {
        &self.cfg
    }

    /// Bars accepted so far; the next bar has this index in error messages.
    pub fn bars_seen(&self) -> usize {
        self.seen
    }

    /// Observations in the estimate so far — returns for `CLOSE_TO_CLOSE`
    /// and `EWMA`, bars for the range estimators: the `k` of the confidence
    /// score (DESIGN §5).
    pub fn observations(&self) -> usize {
        if self.cfg.uses_closes_only() { self.seen.saturating_sub(1) } else { self.seen }
    }

    /// Adds one bar; returns the annualized volatility once the first window
    /// is full (`None` before).
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] for a bad bar (field e.g. `high[17]`,
    /// reason starting `index 17:`); the state is unchanged.
    #[inline]
    pub fn update(&mut self, bar: &Bar) -> Result<Option<f64>> {
        check_bar(self.seen, bar)?;
        // After this point the update must succeed.
        self.seen += 1;
        Ok(match &mut self.inner {
            Inner::CloseToClose(s) => s.push(bar.close),
            Inner::Ewma(s) => s.push(bar.close),
            Inner::Range(s) => s.push(bar),
        })
    }

    /// Adds consecutive bars, each exactly as [`Self::update`], writing the
    /// value after bar `i` (NaN before the first full window) to `out[i]`
    /// (`out` at least as long as `bars`).
    ///
    /// Why: the backtester feeds its detector a chunk of bars at a time;
    /// validating the chunk first and running each stage of the estimator
    /// over the whole chunk lets the long-latency steps of consecutive bars
    /// overlap. The arithmetic per bar is [`Self::update`]'s.
    ///
    /// # Errors
    /// `Err((k, e))` when bar `k` is refused with the error
    /// [`Self::update`] gives it: bars `..k` were added and written, the
    /// state is as after bar `k − 1`.
    pub(crate) fn update_many(
        &mut self,
        bars: &[Bar],
        out: &mut [f64],
    ) -> std::result::Result<(), (usize, ElsonError)> {
        let bad = bars.iter().position(|b| !is_valid_bar(b));
        let take = bad.unwrap_or(bars.len());
        let (valid, out) = (&bars[..take], &mut out[..take]);
        match &mut self.inner {
            Inner::CloseToClose(s) => s.push_bars(valid, out),
            Inner::Ewma(s) => {
                for (o, bar) in out.iter_mut().zip(valid) {
                    *o = s.push(bar.close).unwrap_or(f64::NAN);
                }
            }
            Inner::Range(s) => {
                for (o, bar) in out.iter_mut().zip(valid) {
                    *o = s.push(bar).unwrap_or(f64::NAN);
                }
            }
        }
        let first_bad = self.seen + take;
        self.seen = first_bad;
        match bad {
            None => Ok(()),
            Some(k) => match check_bar(first_bad, &bars[k]) {
                Err(e) => Err((k, e)),
                // Unreachable: `is_valid_bar` and `check_bar` agree.
                Ok(()) => Err((k, ElsonError::invalid("bar", "refused"))),
            },
        }
    }

    /// Adds one close, for `CLOSE_TO_CLOSE` and `EWMA`.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] for a bad close (field `close[i]`), or
    /// field `method` when the estimator needs whole bars; the state is
    /// unchanged.
    pub fn update_close(&mut self, close: f64) -> Result<Option<f64>> {
        let state_needs_bars = matches!(self.inner, Inner::Range(_));
        if state_needs_bars {
            return Err(ElsonError::invalid(
                "method",
                format!("{} needs high/low bars: use update(bar)", self.cfg.method),
            ));
        }
        check_price("close", self.seen, close)?;
        // After this point the update must succeed.
        self.seen += 1;
        Ok(match &mut self.inner {
            Inner::CloseToClose(s) => s.push(close),
            Inner::Ewma(s) => s.push(close),
            Inner::Range(_) => None, // excluded by the guard above
        })
    }
}
