//! Batch regime detection: per-bar arrays over a whole series.

use std::ops::Range;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::config::RegimeConfig;
use super::detector::RegimeReading;
use super::stabilizer::Stabilizer;
use crate::enums::{VolatilityLevel, VolatilityMethod};
use crate::error::{ElsonError, Result};
use crate::volatility::{
    Bar, VolatilityConfig, close_to_close, estimate_closes_into, estimate_into,
};

/// Per-bar regime arrays, aligned with the input series. Before the first
/// full window: volatility and confidence `NaN`, level `None`, count 0.
///
/// Struct of arrays (not a `Vec` of readings) because that is what a data
/// scientist plots and what the batch kernel writes at memory speed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegimeSeries {
    /// Annualized volatility per bar.
    pub volatility: Vec<f64>,
    /// Stabilized level per bar.
    pub level: Vec<Option<VolatilityLevel>>,
    /// Confidence score per bar.
    pub confidence: Vec<f64>,
    /// `stabilization_count` per bar.
    pub stabilization_count: Vec<u32>,
}

impl RegimeSeries {
    /// Number of bars.
    pub fn len(&self) -> usize {
        self.volatility.len()
    }

    /// True for an empty series.
    pub fn is_empty(&self) -> bool {
        self.volatility.is_empty()
    }

    /// Sets every array to `len` entries, keeping the allocations.
    fn reset(&mut self, len: usize) {
        self.volatility.clear();
        self.volatility.resize(len, f64::NAN);
        self.level.clear();
        self.level.resize(len, None);
        self.confidence.clear();
        self.confidence.resize(len, f64::NAN);
        self.stabilization_count.clear();
        self.stabilization_count.resize(len, 0);
    }
}

/// The regime stage: classification, confidence and stabilization of a run
/// of defined volatility values.
struct Stage {
    cfg: RegimeConfig,
    stabilizer: Stabilizer,
    lookback: usize,
    /// Observations at index i are `i + obs_offset` (returns: i, bars: i + 1).
    obs_offset: usize,
}

impl Stage {
    fn new(vol: &VolatilityConfig, regime: &RegimeConfig) -> Stage {
        Stage {
            cfg: *regime,
            stabilizer: Stabilizer::new(regime.switch_readings),
            lookback: vol.lookback,
            obs_offset: if vol.uses_closes_only() { 0 } else { 1 },
        }
    }

    #[inline]
    fn run(
        &mut self,
        range: Range<usize>,
        vol: &[f64],
        level: &mut [Option<VolatilityLevel>],
        confidence: &mut [f64],
        count: &mut [u32],
    ) {
        let start = range.start;
        let level = &mut level[range.clone()];
        let confidence = &mut confidence[range.clone()];
        let count = &mut count[range];
        // Confidence is branch-free: its own loop vectorizes.
        for (j, (c, &v)) in confidence.iter_mut().zip(vol).enumerate() {
            *c = self.cfg.confidence(v, start + j + self.obs_offset, self.lookback);
        }
        for ((l, n), &v) in level.iter_mut().zip(count.iter_mut()).zip(vol) {
            let (lv, cnt) = self.stabilizer.push(self.cfg.classify(v));
            *l = Some(lv);
            *n = cnt;
        }
    }
}

/// Regimes of a close series (`CLOSE_TO_CLOSE` or `EWMA`), bar by bar.
///
/// # Errors
/// [`ElsonError::InvalidInput`]: an invalid configuration, a range method
/// (field `method`), a bad close (field `close[i]`).
///
/// # Example
/// ```
/// use elson_core::regime::{detect_closes, RegimeConfig};
/// use elson_core::volatility::VolatilityConfig;
/// let closes: Vec<f64> = (0..60).map(|i| 100.0 + (i % 3) as f64).collect();
/// let s = detect_closes(&closes, &VolatilityConfig::default(), &RegimeConfig::default())?;
/// assert_eq!(s.level[19], None);
/// assert!(s.level[20].is_some() && s.stabilization_count[20] == 1);
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn detect_closes(
    closes: &[f64],
    vol: &VolatilityConfig,
    regime: &RegimeConfig,
) -> Result<RegimeSeries> {
    let mut out = RegimeSeries::default();
    detect_closes_into(closes, vol, regime, &mut out)?;
    Ok(out)
}

/// [`detect_closes`] into a reused [`RegimeSeries`] (its allocations are
/// kept: the form for repeated runs and benchmarks).
///
/// For `CLOSE_TO_CLOSE` the volatility and the regime are computed in one
/// fused pass, chunk by chunk, while the chunk is in cache.
///
/// # Errors
/// As [`detect_closes`]; on error the contents of `out` are unspecified.
pub fn detect_closes_into(
    closes: &[f64],
    vol: &VolatilityConfig,
    regime: &RegimeConfig,
    out: &mut RegimeSeries,
) -> Result<()> {
    vol.validate()?;
    regime.validate()?;
    out.reset(closes.len());
    let mut stage = Stage::new(vol, regime);
    let RegimeSeries { volatility, level, confidence, stabilization_count } = out;
    match vol.method {
        VolatilityMethod::CloseToClose => {
            close_to_close::batch(closes, vol, volatility, |range, values| {
                stage.run(range, values, level, confidence, stabilization_count);
            })
        }
        VolatilityMethod::Ewma | VolatilityMethod::Parkinson | VolatilityMethod::GarmanKlass => {
            estimate_closes_into(closes, vol, volatility)?;
            let first = vol.first_defined_index().min(closes.len());
            let range = first..closes.len();
            stage.run(range.clone(), &volatility[range], level, confidence, stabilization_count);
            Ok(())
        }
    }
}

/// Regimes of a bar series with any estimator, bar by bar.
///
/// # Errors
/// [`ElsonError::InvalidInput`]: an invalid configuration or a bad bar.
pub fn detect(bars: &[Bar], vol: &VolatilityConfig, regime: &RegimeConfig) -> Result<RegimeSeries> {
    vol.validate()?;
    regime.validate()?;
    let mut out = RegimeSeries::default();
    out.reset(bars.len());
    estimate_into(bars, vol, &mut out.volatility)?;
    let first = vol.first_defined_index().min(bars.len());
    let range = first..bars.len();
    let mut stage = Stage::new(vol, regime);
    let RegimeSeries { volatility, level, confidence, stabilization_count } = &mut out;
    stage.run(range.clone(), &volatility[range], level, confidence, stabilization_count);
    Ok(out)
}

/// The typed batch form: one [`RegimeReading`] per bar that has one, the
/// same readings a [`super::RegimeDetector`] fed the same bars returns.
///
/// # Errors
/// [`ElsonError::InvalidInput`]: as [`detect`], plus field `times` when its
/// length differs from `bars` or a time is not after the previous one.
pub fn detect_readings(
    bars: &[Bar],
    times: &[DateTime<Utc>],
    vol: &VolatilityConfig,
    regime: &RegimeConfig,
) -> Result<Vec<RegimeReading>> {
    if times.len() != bars.len() {
        return Err(ElsonError::invalid(
            "times",
            format!("{} times for {} bars", times.len(), bars.len()),
        ));
    }
    if let Some(i) = times.windows(2).position(|w| w[1] <= w[0]) {
        return Err(ElsonError::invalid(
            "times",
            format!("index {}: time is not after the previous bar's", i + 1),
        ));
    }
    let series = detect(bars, vol, regime)?;
    let mut readings = Vec::with_capacity(bars.len().saturating_sub(vol.first_defined_index()));
    for (i, &time) in times.iter().enumerate() {
        let Some(level) = series.level[i] else { continue };
        let volatility = series.volatility[i];
        readings.push(RegimeReading {
            time,
            volatility,
            reading: regime.classify(volatility),
            level,
            confidence: series.confidence[i],
            stabilization_count: series.stabilization_count[i],
            lookback: vol.lookback,
            method: vol.method,
        });
    }
    Ok(readings)
}
