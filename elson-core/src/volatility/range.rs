//! Range-based estimators over the last n bars:
//! - `PARKINSON`: `√( N / (4·n·ln 2) · Σ ln(Hᵢ/Lᵢ)² )`;
//! - `GARMAN_KLASS`: `√( N / n · Σ [ 0.5·ln(Hᵢ/Lᵢ)² − (2·ln 2 − 1)·ln(Cᵢ/Oᵢ)² ] )`.
//!
//! Both are a rolling sum of one term per bar. A Garman–Klass term is never
//! negative for a valid bar (`|ln(C/O)| ≤ ln(H/L)` and `0.5 > 2·ln 2 − 1`),
//! which is why bars are validated for open/close inside the range.

use std::f64::consts::LN_2;

use super::config::{Bar, VolatilityConfig};
use super::ln::fast_ln;
use super::rolling::{ResumClock, Ring, RollingSum};
use crate::enums::VolatilityMethod;

/// Which range estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeKind {
    Parkinson,
    GarmanKlass,
}

impl RangeKind {
    /// The per-bar term (bar already validated).
    #[inline]
    fn term(self, bar: &Bar) -> f64 {
        let u = fast_ln(bar.high / bar.low);
        match self {
            RangeKind::Parkinson => u * u,
            RangeKind::GarmanKlass => {
                let c = fast_ln(bar.close / bar.open);
                0.5 * (u * u) - (2.0 * LN_2 - 1.0) * (c * c)
            }
        }
    }
}

/// Streaming state of a range estimator.
#[derive(Debug, Clone)]
pub(crate) struct RangeState {
    kind: RangeKind,
    scale: f64,
    window: Ring,
    sum: RollingSum,
    clock: ResumClock,
}

impl RangeState {
    /// `None` for a method that is not range-based.
    pub(crate) fn new(cfg: &VolatilityConfig) -> Option<RangeState> {
        let n = cfg.lookback as f64;
        let periods = f64::from(cfg.periods_per_year);
        let (kind, scale) = match cfg.method {
            VolatilityMethod::Parkinson => (RangeKind::Parkinson, periods / (4.0 * n * LN_2)),
            VolatilityMethod::GarmanKlass => (RangeKind::GarmanKlass, periods / n),
            VolatilityMethod::CloseToClose | VolatilityMethod::Ewma => return None,
        };
        Some(RangeState {
            kind,
            scale,
            window: Ring::new(cfg.lookback),
            sum: RollingSum::default(),
            clock: ResumClock::new(),
        })
    }

    /// Adds a valid bar; the value once n bars are in the window.
    pub(crate) fn push(&mut self, bar: &Bar) -> Option<f64> {
        let t = self.kind.term(bar);
        let total = match self.window.push(t) {
            None if self.window.is_full() => {
                let (older, newer) = self.window.oldest_first();
                self.sum.resum(older, newer)
            }
            None => return None,
            Some(old) => {
                let resum_point = self.clock.tick();
                let v = if resum_point { f64::NAN } else { self.sum.slide(t, old) };
                if resum_point || self.sum.drifted(v) {
                    let (older, newer) = self.window.oldest_first();
                    self.sum.resum(older, newer)
                } else {
                    v
                }
            }
        };
        Some((total.max(0.0) * self.scale).sqrt())
    }
}
