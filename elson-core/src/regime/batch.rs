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

    /// Sets every array to `len` entries, keeping the allocations, and
    /// fills the entries before `first` (the ones no kernel writes) with the
    /// "no value yet" markers. Only what is not overwritten later is
    /// touched: on 10⁷ bars a full clear costs as much as the computation.
    fn reset(&mut self, len: usize, first: usize) {
        self.volatility.resize(len, f64::NAN);
        self.level.resize(len, None);
        self.confidence.resize(len, f64::NAN);
        self.stabilization_count.resize(len, 0);
        let first = first.min(len);
        self.volatility[..first].fill(f64::NAN);
        self.level[..first].fill(None);
        self.confidence[..first].fill(f64::NAN);
        self.stabilization_count[..first].fill(0);
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

    /// Classifies, scores and stabilizes the defined values `vol` of the
    /// bars `range`; `confidence` and `count` are optional outputs (the
    /// levels-only form skips them: on 10⁷ bars their memory traffic costs
    /// more than their computation).
    #[inline]
    fn run(
        &mut self,
        range: Range<usize>,
        vol: &[f64],
        level: &mut [Option<VolatilityLevel>],
        confidence: Option<&mut [f64]>,
        count: Option<&mut [u32]>,
    ) {
        let start = range.start;
        let level = &mut level[range.clone()];
        if let Some(confidence) = confidence {
            let confidence = &mut confidence[range.clone()];
            // Branch-free, its own loop: SIMD. Past the first window the
            // sample weight min(1, k/n) is exactly 1.
            let first_full = self.lookback.saturating_sub(start + self.obs_offset).min(vol.len());
            for (j, (c, &v)) in confidence[..first_full].iter_mut().zip(vol).enumerate() {
                *c = self.cfg.confidence(v, start + j + self.obs_offset, self.lookback);
            }
            for (c, &v) in confidence[first_full..].iter_mut().zip(&vol[first_full..]) {
                *c = self.cfg.confidence_full_sample(v);
            }
        }
        let mut count = count.map(|c| &mut c[range]);
        // The stabilizer, with whole runs of the settled level at once: a
        // run is found by comparing values with the level's bounds, 16 at a
        // time (SIMD); the state machine only sees values outside them.
        let mut i = 0;
        while i < vol.len() {
            if let Some((settled, c0)) = self.stabilizer.settled() {
                let (lo, hi) = self.cfg.bounds(settled);
                let run = run_length(&vol[i..], lo, hi);
                if run > 0 && u64::from(c0) + (run as u64) < u64::from(u32::MAX) {
                    level[i..i + run].fill(Some(settled));
                    if let Some(count) = count.as_deref_mut() {
                        for (k, n) in count[i..i + run].iter_mut().enumerate() {
                            *n = c0 + 1 + k as u32;
                        }
                    }
                    self.stabilizer.advance_settled(run as u32);
                    i += run;
                    continue;
                }
            }
            let (lv, cnt) = self.stabilizer.push(self.cfg.classify(vol[i]));
            level[i] = Some(lv);
            if let Some(count) = count.as_deref_mut() {
                count[i] = cnt;
            }
            i += 1;
        }
    }
}

/// Length of the leading run of values in `[lo, hi)`: 16 at a time (one
/// SIMD test each), then one by one.
fn run_length(vol: &[f64], lo: f64, hi: f64) -> usize {
    const W: usize = 16;
    let inside = |v: f64| (v >= lo) & (v < hi);
    let (blocks, _) = vol.as_chunks::<W>();
    let mut run = 0;
    for block in blocks {
        if block.iter().fold(true, |all, &v| all & inside(v)) {
            run += W;
        } else {
            break;
        }
    }
    run + vol[run..].iter().take_while(|&&v| inside(v)).count()
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
    out.reset(closes.len(), vol.first_defined_index());
    let mut stage = Stage::new(vol, regime);
    let RegimeSeries { volatility, level, confidence, stabilization_count } = out;
    match vol.method {
        VolatilityMethod::CloseToClose => {
            close_to_close::batch(closes, vol, volatility, |range, values| {
                stage.run(range, values, level, Some(confidence), Some(stabilization_count));
            })
        }
        VolatilityMethod::Ewma | VolatilityMethod::Parkinson | VolatilityMethod::GarmanKlass => {
            estimate_closes_into(closes, vol, volatility)?;
            let first = vol.first_defined_index().min(closes.len());
            let range = first..closes.len();
            stage.run(
                range.clone(),
                &volatility[range],
                level,
                Some(confidence),
                Some(stabilization_count),
            );
            Ok(())
        }
    }
}

/// The lean batch form: the volatility and the stabilized level of every
/// close (`CLOSE_TO_CLOSE` or `EWMA`), without the per-bar confidence and
/// count — the regime timeline a chart or a backtest needs, at the cost of
/// two output arrays instead of four. The levels equal
/// [`detect_closes`]'s; before the first window they are `None`.
///
/// # Errors
/// As [`detect_closes`], plus field `out` when an output's length differs
/// from `closes`.
///
/// # Example
/// ```
/// use elson_core::regime::{detect_levels_into, RegimeConfig};
/// use elson_core::volatility::VolatilityConfig;
/// let closes: Vec<f64> = (0..30).map(|i| 100.0 + (i % 2) as f64).collect();
/// let (mut vol, mut lv) = (vec![0.0; 30], vec![None; 30]);
/// detect_levels_into(&closes, &VolatilityConfig::default(), &RegimeConfig::default(), &mut vol, &mut lv)?;
/// assert!(lv[19].is_none() && lv[20].is_some());
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn detect_levels_into(
    closes: &[f64],
    vol: &VolatilityConfig,
    regime: &RegimeConfig,
    volatility: &mut [f64],
    level: &mut [Option<VolatilityLevel>],
) -> Result<()> {
    vol.validate()?;
    regime.validate()?;
    if volatility.len() != closes.len() || level.len() != closes.len() {
        return Err(ElsonError::invalid(
            "out",
            format!(
                "outputs have {} and {} slots for {} closes",
                volatility.len(),
                level.len(),
                closes.len()
            ),
        ));
    }
    let first = vol.first_defined_index().min(closes.len());
    level[..first].fill(None);
    let mut stage = Stage::new(vol, regime);
    match vol.method {
        VolatilityMethod::CloseToClose => {
            close_to_close::batch(closes, vol, volatility, |range, values| {
                stage.run(range, values, level, None, None);
            })
        }
        VolatilityMethod::Ewma | VolatilityMethod::Parkinson | VolatilityMethod::GarmanKlass => {
            estimate_closes_into(closes, vol, volatility)?;
            let range = first..closes.len();
            stage.run(range.clone(), &volatility[range], level, None, None);
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
    out.reset(bars.len(), vol.first_defined_index());
    estimate_into(bars, vol, &mut out.volatility)?;
    let first = vol.first_defined_index().min(bars.len());
    let range = first..bars.len();
    let mut stage = Stage::new(vol, regime);
    let RegimeSeries { volatility, level, confidence, stabilization_count } = &mut out;
    stage.run(
        range.clone(),
        &volatility[range],
        level,
        Some(confidence),
        Some(stabilization_count),
    );
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
