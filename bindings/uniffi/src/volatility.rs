//! Volatility estimators and regimes (DESIGN §5), as `f64` statistics:
//! batch over a whole series (`List<Double>` / `[Double]`) and streaming
//! objects updated one bar at a time, which agree to 1e-9 relative.
//!
//! Batch results are aligned with the input: one value per bar, NaN before
//! the first full window (pandas' convention); the `…_points` forms return
//! only the defined values with their index.

use std::sync::{Arc, Mutex, MutexGuard};

use elson_core::entities::VolatilityRegime;
use elson_core::enums::{VolatilityLevel, VolatilityMethod};
use elson_core::regime::{self as core_regime, RegimeConfig, RegimeSeries};
use elson_core::volatility::{self as core, Bar};
use uuid::Uuid;

use crate::entities::Checked;
use crate::types::Timestamp;
use crate::{ElsonError, Result};

/// One OHLC bar; prices are finite and positive, low ≤ open, close ≤ high.
#[uniffi::remote(Record)]
pub struct Bar {
    /// Opening price.
    pub open: f64,
    /// Highest price.
    pub high: f64,
    /// Lowest price.
    pub low: f64,
    /// Closing price.
    pub close: f64,
}

/// Estimator settings.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct VolatilityConfig {
    /// CLOSE_TO_CLOSE, EWMA, PARKINSON or GARMAN_KLASS.
    pub method: VolatilityMethod,
    /// Window length n (returns or bars), default 20.
    pub lookback: u32,
    /// Annualization N, default 252.
    pub periods_per_year: u32,
    /// EWMA decay λ, default 0.94.
    pub ewma_lambda: f64,
}

impl From<VolatilityConfig> for core::VolatilityConfig {
    fn from(c: VolatilityConfig) -> Self {
        core::VolatilityConfig {
            method: c.method,
            lookback: c.lookback as usize,
            periods_per_year: c.periods_per_year,
            ewma_lambda: c.ewma_lambda,
        }
    }
}

impl TryFrom<core::VolatilityConfig> for VolatilityConfig {
    type Error = ElsonError;
    fn try_from(c: core::VolatilityConfig) -> Result<Self> {
        Ok(VolatilityConfig {
            method: c.method,
            lookback: u32::try_from(c.lookback)
                .map_err(|_| ElsonError::invalid("lookback", "does not fit u32"))?,
            periods_per_year: c.periods_per_year,
            ewma_lambda: c.ewma_lambda,
        })
    }
}

/// Level thresholds and stabilization rules.
#[uniffi::remote(Record)]
pub struct RegimeConfig {
    /// Lowest NORMAL value (0.15).
    pub normal_min: f64,
    /// Lowest HIGH value (0.25).
    pub high_min: f64,
    /// Lowest EXTREME value (0.40).
    pub extreme_min: f64,
    /// Distance from a boundary at which confidence reaches full weight (0.05).
    pub confidence_distance: f64,
    /// Consecutive identical readings needed to switch regime (3).
    pub switch_readings: u32,
}

/// A defined value of a batch estimate and the index of its bar.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct VolatilityPoint {
    /// Index of the bar in the input.
    pub index: u64,
    /// Annualized volatility as a fraction.
    pub value: f64,
}

/// A regime series aligned with the input bars.
#[uniffi::remote(Record)]
pub struct RegimeSeries {
    /// Annualized volatility per bar (NaN before the first full window).
    pub volatility: Vec<f64>,
    /// Stabilized level per bar (None before the first full window).
    pub level: Vec<Option<VolatilityLevel>>,
    /// Confidence per bar (NaN before the first full window).
    pub confidence: Vec<f64>,
    /// Stabilization count per bar (0 before the first full window).
    pub stabilization_count: Vec<u32>,
}

/// What a detector says about one bar.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct RegimeReading {
    /// Time of the bar.
    pub time: Timestamp,
    /// Annualized volatility of the window ending at the bar.
    pub volatility: f64,
    /// The level of this value alone (before stabilization).
    pub reading: VolatilityLevel,
    /// The stabilized level: the regime.
    pub level: VolatilityLevel,
    /// Confidence in [0.5, 1].
    pub confidence: f64,
    /// Consecutive readings of the current regime.
    pub stabilization_count: u32,
    /// Window length n.
    pub lookback: u32,
    /// The estimator.
    pub method: VolatilityMethod,
}

impl From<core_regime::RegimeReading> for RegimeReading {
    fn from(r: core_regime::RegimeReading) -> Self {
        RegimeReading {
            time: r.time,
            volatility: r.volatility,
            reading: r.reading,
            level: r.level,
            confidence: r.confidence,
            stabilization_count: r.stabilization_count,
            lookback: u32::try_from(r.lookback).unwrap_or(u32::MAX),
            method: r.method,
        }
    }
}

impl From<RegimeReading> for core_regime::RegimeReading {
    fn from(r: RegimeReading) -> Self {
        core_regime::RegimeReading {
            time: r.time,
            volatility: r.volatility,
            reading: r.reading,
            level: r.level,
            confidence: r.confidence,
            stabilization_count: r.stabilization_count,
            lookback: r.lookback as usize,
            method: r.method,
        }
    }
}

/// The current regime of a detector and its stabilization count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct CurrentRegime {
    /// The stabilized level.
    pub level: VolatilityLevel,
    /// Consecutive readings of it.
    pub stabilization_count: u32,
}

/// CLOSE_TO_CLOSE over 20 returns, 252 periods a year, λ 0.94.
#[uniffi::export]
pub fn volatility_config_default() -> VolatilityConfig {
    VolatilityConfig {
        method: VolatilityMethod::CloseToClose,
        lookback: 20,
        periods_per_year: 252,
        ewma_lambda: 0.94,
    }
}

/// Thresholds 0.15 / 0.25 / 0.40, confidence distance 0.05, 3 readings to switch.
#[uniffi::export]
pub fn regime_config_default() -> RegimeConfig {
    RegimeConfig::default()
}

/// Batch estimate over closes (CLOSE_TO_CLOSE, EWMA): one value per close,
/// NaN before the first full window.
///
/// # Errors
/// `InvalidInput` naming the bad price by index (`close[17]`) or the bad
/// setting.
#[uniffi::export]
pub fn estimate_volatility_closes(closes: Vec<f64>, config: VolatilityConfig) -> Result<Vec<f64>> {
    Ok(core::estimate_closes(&closes, &config.into())?)
}

/// Batch estimate over bars (every method): one value per bar.
///
/// # Errors
/// As [`estimate_volatility_closes`], plus inconsistent bars.
#[uniffi::export]
pub fn estimate_volatility(bars: Vec<Bar>, config: VolatilityConfig) -> Result<Vec<f64>> {
    Ok(core::estimate(&bars, &config.into())?)
}

/// The defined values of a batch estimate over bars, with their index.
///
/// # Errors
/// As [`estimate_volatility`].
#[uniffi::export]
pub fn estimate_volatility_points(
    bars: Vec<Bar>,
    config: VolatilityConfig,
) -> Result<Vec<VolatilityPoint>> {
    Ok(core::estimate_points(&bars, &config.into())?
        .into_iter()
        .map(|p| VolatilityPoint { index: p.index as u64, value: p.value })
        .collect())
}

/// The level of a volatility value under the default thresholds.
/// `InvalidInput` (field `volatility`) for NaN, an infinity or a negative
/// value.
#[uniffi::export]
pub fn classify_volatility(value: f64) -> Result<VolatilityLevel> {
    Ok(core_regime::classify(value)?)
}

/// `0.5 + 0.5 · min(1, d / 0.05) · min(1, k / n)` (DESIGN §5).
#[uniffi::export]
pub fn volatility_confidence_score(value: f64, observations: u64, lookback: u64) -> f64 {
    core_regime::confidence_score(value, observations as usize, lookback as usize)
}

/// Batch regime detection over closes: volatility, stabilized level,
/// confidence and count per close.
///
/// # Errors
/// `InvalidInput` on a bad price or setting.
#[uniffi::export]
pub fn detect_regimes_closes(
    closes: Vec<f64>,
    volatility: VolatilityConfig,
    regime: RegimeConfig,
) -> Result<RegimeSeries> {
    Ok(core_regime::detect_closes(&closes, &volatility.into(), &regime)?)
}

/// Batch regime detection over bars.
///
/// # Errors
/// `InvalidInput` on a bad bar or setting.
#[uniffi::export]
pub fn detect_regimes(
    bars: Vec<Bar>,
    volatility: VolatilityConfig,
    regime: RegimeConfig,
) -> Result<RegimeSeries> {
    Ok(core_regime::detect(&bars, &volatility.into(), &regime)?)
}

/// The `volatility_regimes` row of a reading (value rounded to 4 decimals,
/// confidence to 2).
///
/// # Errors
/// `InvalidInput` for a bad symbol or a value that does not fit.
#[uniffi::export]
pub fn regime_reading_to_row(
    reading: RegimeReading,
    symbol: String,
    id: Uuid,
) -> Result<VolatilityRegime> {
    Ok(core_regime::RegimeReading::from(reading).to_row(&symbol, id)?)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A rejected update leaves the state untouched.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A streaming estimator: O(1) per bar.
#[derive(Debug, uniffi::Object)]
pub struct VolatilityEstimator {
    inner: Mutex<core::VolatilityEstimator>,
}

#[uniffi::export]
impl VolatilityEstimator {
    /// An empty estimator.
    ///
    /// # Errors
    /// `InvalidInput` on a bad setting.
    #[uniffi::constructor]
    pub fn new(config: VolatilityConfig) -> Result<Arc<Self>> {
        Ok(Arc::new(VolatilityEstimator {
            inner: Mutex::new(core::VolatilityEstimator::new(&config.into())?),
        }))
    }

    /// Feeds one bar; the annualized volatility once the window is full.
    ///
    /// # Errors
    /// `InvalidInput` on a bad bar (the estimator is unchanged).
    pub fn update(&self, bar: Bar) -> Result<Option<f64>> {
        Ok(lock(&self.inner).update(&bar)?)
    }

    /// Feeds one close (CLOSE_TO_CLOSE, EWMA).
    ///
    /// # Errors
    /// `InvalidInput` on a bad price or a range method.
    pub fn update_close(&self, close: f64) -> Result<Option<f64>> {
        Ok(lock(&self.inner).update_close(close)?)
    }

    /// Bars fed so far.
    pub fn bars_seen(&self) -> u64 {
        lock(&self.inner).bars_seen() as u64
    }

    /// Observations (returns or bars) in the estimate so far.
    pub fn observations(&self) -> u64 {
        lock(&self.inner).observations() as u64
    }
}

/// A streaming regime detector for one symbol: estimator + hysteresis.
#[derive(Debug, uniffi::Object)]
pub struct RegimeDetector {
    inner: Mutex<core_regime::RegimeDetector>,
}

#[uniffi::export]
impl RegimeDetector {
    /// An empty detector.
    ///
    /// # Errors
    /// `InvalidInput` on a bad setting.
    #[uniffi::constructor]
    pub fn new(volatility: VolatilityConfig, regime: RegimeConfig) -> Result<Arc<Self>> {
        Ok(Arc::new(RegimeDetector {
            inner: Mutex::new(core_regime::RegimeDetector::new(&volatility.into(), &regime)?),
        }))
    }

    /// Feeds one bar at `time`; a reading once the window is full.
    ///
    /// # Errors
    /// `InvalidInput` on a bad bar or a time not after the previous bar (the
    /// detector is unchanged).
    pub fn update(&self, bar: Bar, time: Timestamp) -> Result<Option<RegimeReading>> {
        Ok(lock(&self.inner).update(&bar, time)?.map(Into::into))
    }

    /// Feeds one close at `time`.
    ///
    /// # Errors
    /// As [`RegimeDetector::update`].
    pub fn update_close(&self, close: f64, time: Timestamp) -> Result<Option<RegimeReading>> {
        Ok(lock(&self.inner).update_close(close, time)?.map(Into::into))
    }

    /// The current regime, once there is one.
    pub fn current(&self) -> Option<CurrentRegime> {
        lock(&self.inner)
            .current()
            .map(|(level, stabilization_count)| CurrentRegime { level, stabilization_count })
    }
}

/// The level of `value` under `config`'s thresholds. `InvalidInput`
/// (field `volatility`) for NaN, an infinity or a negative value.
#[uniffi::export]
pub fn regime_classify(config: RegimeConfig, value: f64) -> Result<VolatilityLevel> {
    Ok(config.classify(value)?)
}

/// The confidence of `value` after `observations` of a `lookback` window,
/// under `config`.
#[uniffi::export]
pub fn regime_confidence(
    config: RegimeConfig,
    value: f64,
    observations: u64,
    lookback: u64,
) -> f64 {
    config.confidence(value, observations as usize, lookback as usize)
}

/// Checks stored regime rows: a row whose level differs from the previous
/// row of its symbol needs `stabilization_count ≥ 3`.
///
/// # Errors
/// `InvalidInput` on `stabilization_count` naming the row.
#[uniffi::export]
pub fn check_regime_rows(rows: Vec<VolatilityRegime>) -> Result<()> {
    Ok(core_regime::check_regime_rows(&rows.checked()?)?)
}

/// The hysteresis alone: a switch needs `switch_readings` identical
/// readings in a row.
#[derive(Debug, uniffi::Object)]
pub struct Stabilizer {
    inner: Mutex<core_regime::Stabilizer>,
}

#[uniffi::export]
impl Stabilizer {
    /// An empty stabilizer (`switch_readings` of 0 counts as 1).
    #[uniffi::constructor]
    pub fn new(switch_readings: u32) -> Arc<Self> {
        Arc::new(Stabilizer { inner: Mutex::new(core_regime::Stabilizer::new(switch_readings)) })
    }

    /// Feeds one raw reading; returns the stabilized regime and its count.
    pub fn push(&self, reading: VolatilityLevel) -> CurrentRegime {
        let (level, stabilization_count) = lock(&self.inner).push(reading);
        CurrentRegime { level, stabilization_count }
    }

    /// The current regime, once there is one.
    pub fn current(&self) -> Option<CurrentRegime> {
        lock(&self.inner)
            .current()
            .map(|(level, stabilization_count)| CurrentRegime { level, stabilization_count })
    }
}
