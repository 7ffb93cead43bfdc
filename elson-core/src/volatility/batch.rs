//! Batch estimators over whole series.

use serde::{Deserialize, Serialize};

use super::close_to_close;
use super::config::{Bar, VolatilityConfig};
use super::ewma::EwmaState;
use super::range::RangeState;
use super::validate::{check_bar, check_closes};
use crate::enums::VolatilityMethod;
use crate::error::{ElsonError, Result};
use crate::parallel;
use crate::simd::{Isa, Portable};

/// One defined value of a batch estimate: the typed form, where bars
/// before the first full window are absent rather than NaN.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VolatilityPoint {
    /// Index of the bar (or close) in the input series.
    pub index: usize,
    /// Annualized volatility as a fraction.
    pub value: f64,
}

fn check_out_len(out: &[f64], len: usize) -> Result<()> {
    if out.len() == len {
        Ok(())
    } else {
        Err(ElsonError::invalid("out", format!("output has {} slots for {len} inputs", out.len())))
    }
}

fn needs_bars(cfg: &VolatilityConfig) -> ElsonError {
    ElsonError::invalid(
        "method",
        format!("{} needs high/low bars: use estimate(bars, …)", cfg.method),
    )
}

/// Volatility of a close series for `CLOSE_TO_CLOSE` or `EWMA`: one value per
/// close, `NaN` before index `lookback` (pandas' convention).
///
/// # Errors
/// [`ElsonError::InvalidInput`]: invalid `cfg`; a range method (field
/// `method`); a bad close (field `close[i]`, reason `index i: …`).
///
/// # Example
/// ```
/// use elson_core::volatility::{estimate_closes, VolatilityConfig};
/// let cfg = VolatilityConfig { lookback: 2, ..VolatilityConfig::default() };
/// let v = estimate_closes(&[100.0, 101.0, 100.0, 102.0], &cfg)?;
/// assert!(v[0].is_nan() && v[1].is_nan());
/// let (r1, r2) = ((101f64 / 100.0).ln(), (100f64 / 101.0).ln());
/// let std = ((r1 - r2).abs() / 2f64.sqrt()) * 252f64.sqrt();
/// assert!((v[2] - std).abs() < 1e-12);
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn estimate_closes(closes: &[f64], cfg: &VolatilityConfig) -> Result<Vec<f64>> {
    // Zeroed memory comes from the allocator without a write pass (fresh
    // pages); the kernel writes every slot.
    let mut out = vec![0.0; closes.len()];
    estimate_closes_into(closes, cfg, &mut out)?;
    Ok(out)
}

/// [`estimate_closes`] into a caller's buffer (no allocation of the
/// output; reuse it across calls). Every slot is written. For
/// `CLOSE_TO_CLOSE`, a series of 2¹⁶ closes or more is computed in parts on
/// up to [`std::thread::available_parallelism`] scoped threads, with the
/// same bits as one thread.
///
/// # Errors
/// As [`estimate_closes`], plus field `out` when `out.len() != closes.len()`.
/// On error the contents of `out` are unspecified.
pub fn estimate_closes_into(closes: &[f64], cfg: &VolatilityConfig, out: &mut [f64]) -> Result<()> {
    estimate_closes_into_on(closes, cfg, out, Portable)
}

/// [`estimate_closes_into`] with the work of each thread of the
/// `CLOSE_TO_CLOSE` kernel run in `isa`: the entry point of a binding that dispatches on the CPU at run time (see
/// [`crate::simd`]). The values are the same bits whatever the `isa`.
///
/// # Errors
/// As [`estimate_closes_into`].
///
/// # Example
/// ```
/// use elson_core::simd::Portable;
/// use elson_core::volatility::{estimate_closes, estimate_closes_into_on, VolatilityConfig};
/// let closes: Vec<f64> = (0..50).map(|i| 100.0 + (i % 7) as f64).collect();
/// let cfg = VolatilityConfig::default();
/// let mut out = vec![0.0; closes.len()];
/// estimate_closes_into_on(&closes, &cfg, &mut out, Portable)?;
/// let want = estimate_closes(&closes, &cfg)?;
/// assert!(out.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()));
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn estimate_closes_into_on(
    closes: &[f64],
    cfg: &VolatilityConfig,
    out: &mut [f64],
    isa: impl Isa,
) -> Result<()> {
    cfg.validate()?;
    check_out_len(out, closes.len())?;
    match cfg.method {
        VolatilityMethod::CloseToClose => {
            close_to_close::batch(closes, cfg, out, parallel::max_threads(), isa)
        }
        VolatilityMethod::Ewma => {
            check_closes(closes, 0)?;
            let mut state = EwmaState::new(cfg);
            // A recursion, one bar after the other: no SIMD to gain, so it
            // runs as it is whatever the `isa`.
            for (o, &c) in out.iter_mut().zip(closes) {
                *o = state.push(c).unwrap_or(f64::NAN);
            }
            Ok(())
        }
        VolatilityMethod::Parkinson | VolatilityMethod::GarmanKlass => Err(needs_bars(cfg)),
    }
}

/// Volatility of a bar series with any estimator: one value per bar, `NaN`
/// before the first full window (index n for the return-based estimators,
/// n − 1 for the range-based ones).
///
/// # Errors
/// [`ElsonError::InvalidInput`]: invalid `cfg`; a bad bar (field e.g.
/// `high[i]`, reason `index i: …`), including high below low and open or
/// close outside `[low, high]`.
///
/// # Example
/// ```
/// use elson_core::enums::VolatilityMethod;
/// use elson_core::volatility::{estimate, Bar, VolatilityConfig};
/// let cfg = VolatilityConfig { lookback: 1, ..VolatilityConfig::with_method(VolatilityMethod::Parkinson) };
/// let v = estimate(&[Bar::new(10.0, 11.0, 9.0, 10.0)], &cfg)?;
/// let want = ((252.0 / (4.0 * 2f64.ln())) * (11f64 / 9.0).ln().powi(2)).sqrt();
/// assert!((v[0] - want).abs() < 1e-12);
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn estimate(bars: &[Bar], cfg: &VolatilityConfig) -> Result<Vec<f64>> {
    let mut out = vec![f64::NAN; bars.len()];
    estimate_into(bars, cfg, &mut out)?;
    Ok(out)
}

/// [`estimate`] into a caller's buffer.
///
/// # Errors
/// As [`estimate`], plus field `out` when `out.len() != bars.len()`.
pub fn estimate_into(bars: &[Bar], cfg: &VolatilityConfig, out: &mut [f64]) -> Result<()> {
    cfg.validate()?;
    check_out_len(out, bars.len())?;
    for (i, bar) in bars.iter().enumerate() {
        check_bar(i, bar)?;
    }
    // After this point every input is valid.
    if cfg.uses_closes_only() {
        let closes: Vec<f64> = bars.iter().map(|b| b.close).collect();
        return estimate_closes_into(&closes, cfg, out);
    }
    let mut state = RangeState::new(cfg).ok_or_else(|| needs_bars(cfg))?;
    for (o, bar) in out.iter_mut().zip(bars) {
        *o = state.push(bar).unwrap_or(f64::NAN);
    }
    Ok(())
}

fn points(values: &[f64], first: usize) -> Vec<VolatilityPoint> {
    values
        .iter()
        .enumerate()
        .skip(first)
        .map(|(index, &value)| VolatilityPoint { index, value })
        .collect()
}

/// Typed form of [`estimate`]: only the defined values, each with its bar
/// index.
///
/// # Errors
/// As [`estimate`].
pub fn estimate_points(bars: &[Bar], cfg: &VolatilityConfig) -> Result<Vec<VolatilityPoint>> {
    Ok(points(&estimate(bars, cfg)?, cfg.first_defined_index()))
}

/// Typed form of [`estimate_closes`].
///
/// # Errors
/// As [`estimate_closes`].
pub fn estimate_closes_points(
    closes: &[f64],
    cfg: &VolatilityConfig,
) -> Result<Vec<VolatilityPoint>> {
    Ok(points(&estimate_closes(closes, cfg)?, cfg.first_defined_index()))
}
