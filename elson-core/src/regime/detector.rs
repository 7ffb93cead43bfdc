//! The streaming regime detector of one symbol, and its readings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::config::RegimeConfig;
use super::stabilizer::Stabilizer;
use crate::entities::{VolatilityReading, VolatilityRegime};
use crate::enums::{VolatilityLevel, VolatilityMethod};
use crate::error::{ElsonError, Result};
use crate::volatility::{Bar, VolatilityConfig, VolatilityEstimator};

/// One regime reading: what a detector says about one bar.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegimeReading {
    /// Time of the bar.
    pub time: DateTime<Utc>,
    /// Annualized volatility of the window ending at the bar.
    pub volatility: f64,
    /// The level of this value alone (before stabilization).
    pub reading: VolatilityLevel,
    /// The stabilized level (the regime).
    pub level: VolatilityLevel,
    /// Confidence score in [0.5, 1] (DESIGN §5).
    pub confidence: f64,
    /// Consecutive readings of the current regime (≥ 3 right after a switch).
    pub stabilization_count: u32,
    /// Window length n.
    pub lookback: usize,
    /// The estimator.
    pub method: VolatilityMethod,
}

impl RegimeReading {
    /// The `volatility_regimes` row of this reading, built field by field:
    /// value rounded half-even to 4 decimals, confidence to 2;
    /// `circuit_breaker_state` is left `None` (the breaker sets it).
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] for an empty or too long `symbol`, or a
    /// volatility that does not fit DECIMAL(10,4).
    ///
    /// # Example
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use elson_core::enums::{VolatilityLevel, VolatilityMethod};
    /// # use elson_core::regime::RegimeReading;
    /// # use rust_decimal::Decimal;
    /// let r = RegimeReading {
    ///     time: Utc.with_ymd_and_hms(2026, 1, 2, 21, 0, 0).unwrap(),
    ///     volatility: 0.183_456, reading: VolatilityLevel::Normal, level: VolatilityLevel::Normal,
    ///     confidence: 0.666_6, stabilization_count: 4, lookback: 20,
    ///     method: VolatilityMethod::CloseToClose,
    /// };
    /// let row = r.to_row("AAPL", uuid::Uuid::nil())?;
    /// assert_eq!(row.volatility_value, Decimal::new(1835, 4));
    /// assert_eq!(row.confidence_score, Decimal::new(67, 2));
    /// assert_eq!(row.stabilization_count, 4);
    /// # Ok::<(), elson_core::ElsonError>(())
    /// ```
    pub fn to_row(&self, symbol: &str, id: Uuid) -> Result<VolatilityRegime> {
        // The entity owns the rounding and the column checks; this only
        // carries the reading over.
        let lookback_period = i32::try_from(self.lookback)
            .map_err(|_| ElsonError::invalid("lookback_period", "does not fit INTEGER"))?;
        VolatilityRegime::from_reading(
            VolatilityReading {
                symbol: symbol.to_string(),
                timestamp: self.time,
                volatility_value: self.volatility,
                volatility_level: self.level,
                lookback_period,
                calculation_method: self.method,
                circuit_breaker_state: None,
                confidence_score: self.confidence,
                stabilization_count: i32::try_from(self.stabilization_count).unwrap_or(i32::MAX),
            },
            Some(id),
        )
    }
}

/// Detects the volatility regime of one symbol from its bars, live.
///
/// Why one object: it owns the estimator's running sums and the
/// stabilizer's hysteresis, which must see every bar of the symbol in
/// order. The backtester uses the same type, so live and simulated regimes
/// cannot disagree.
///
/// A rejected update (bad price, time not after the previous bar) leaves the
/// detector untouched.
///
/// # Example
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use elson_core::regime::{RegimeConfig, RegimeDetector};
/// use elson_core::volatility::VolatilityConfig;
///
/// let vol = VolatilityConfig { lookback: 5, ..VolatilityConfig::default() };
/// let mut det = RegimeDetector::new(&vol, &RegimeConfig::default())?;
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 2, 21, 0, 0).unwrap();
/// let mut last = None;
/// for i in 0..10 {
///     let close = 100.0 * (1.0 + 0.05 * ((i % 2) as f64)); // ±5 % a day
///     last = det.update_close(close, t0 + Duration::days(i))?.or(last);
/// }
/// let reading = last.unwrap();
/// assert_eq!(reading.level, elson_core::enums::VolatilityLevel::Extreme);
/// assert!(reading.stabilization_count >= 1);
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RegimeDetector {
    estimator: VolatilityEstimator,
    regime: RegimeConfig,
    stabilizer: Stabilizer,
    last_time: Option<DateTime<Utc>>,
}

impl RegimeDetector {
    /// A fresh detector.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] when either configuration is invalid.
    pub fn new(vol: &VolatilityConfig, regime: &RegimeConfig) -> Result<RegimeDetector> {
        regime.validate()?;
        Ok(RegimeDetector {
            estimator: VolatilityEstimator::new(vol)?,
            regime: *regime,
            stabilizer: Stabilizer::new(regime.switch_readings),
            last_time: None,
        })
    }

    /// The stabilized level and its count, once there was a reading.
    pub fn current(&self) -> Option<(VolatilityLevel, u32)> {
        self.stabilizer.current()
    }

    /// The volatility configuration.
    pub fn volatility_config(&self) -> &VolatilityConfig {
        self.estimator.config()
    }

    /// The regime configuration.
    pub fn regime_config(&self) -> &RegimeConfig {
        &self.regime
    }

    #[inline]
    fn check_time(&self, time: DateTime<Utc>) -> Result<()> {
        match self.last_time {
            Some(last) if time <= last => Err(self.time_error(time, last)),
            _ => Ok(()),
        }
    }

    #[cold]
    #[inline(never)]
    fn time_error(&self, time: DateTime<Utc>, last: DateTime<Utc>) -> ElsonError {
        ElsonError::invalid(
            "time",
            format!(
                "index {}: {} is not after the previous bar's {}",
                self.estimator.bars_seen(),
                time.to_rfc3339(),
                last.to_rfc3339()
            ),
        )
    }

    // Inlined so that a caller that ignores part of the reading (the
    // backtester does not use the confidence) does not compute it.
    #[inline]
    fn read(&mut self, volatility: Option<f64>, time: DateTime<Utc>) -> Option<RegimeReading> {
        self.last_time = Some(time);
        let volatility = volatility?;
        let reading = self.regime.level_of(volatility);
        let (level, stabilization_count) = self.stabilizer.push(reading);
        let cfg = self.estimator.config();
        Some(RegimeReading {
            time,
            volatility,
            reading,
            level,
            confidence: self.regime.confidence(
                volatility,
                self.estimator.observations(),
                cfg.lookback,
            ),
            stabilization_count,
            lookback: cfg.lookback,
            method: cfg.method,
        })
    }

    /// Feeds one bar; returns a reading once the first window is full.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`]: a bad bar (field e.g. `close[17]`), or
    /// field `time` when `time` is not after the previous bar's.
    #[inline]
    pub fn update(&mut self, bar: &Bar, time: DateTime<Utc>) -> Result<Option<RegimeReading>> {
        self.check_time(time)?;
        let volatility = self.estimator.update(bar)?;
        Ok(self.read(volatility, time))
    }

    /// Feeds one bar exactly like [`Self::update`] (same checks, same state
    /// afterwards) but returns only the volatility and the stabilized level:
    /// what a backtest needs per bar. The confidence and the reading are not
    /// built, which matters at 10⁶ bars.
    ///
    /// # Errors
    /// As [`Self::update`].
    #[inline]
    pub fn update_level(
        &mut self,
        bar: &Bar,
        time: DateTime<Utc>,
    ) -> Result<Option<(f64, VolatilityLevel)>> {
        self.check_time(time)?;
        let volatility = self.estimator.update(bar)?;
        self.last_time = Some(time);
        let Some(volatility) = volatility else {
            return Ok(None);
        };
        let (level, _) = self.stabilizer.push(self.regime.level_of(volatility));
        Ok(Some((volatility, level)))
    }

    /// Feeds consecutive bars, each exactly as [`Self::update_level`],
    /// writing the volatility (NaN before the first full window) and the
    /// stabilized level (`None` before it) of bar `i` to `volatility[i]` and
    /// `level[i]`.
    ///
    /// Why: the same streaming arithmetic, but in a loop of its own, so the
    /// processor overlaps the long-latency steps (a division in the
    /// logarithm, a square root) of consecutive bars; a caller that
    /// interleaves other work per bar (the backtester) feeds a chunk at a
    /// time and reads the results back.
    ///
    /// # Errors
    /// `Err((k, e))` when bar `k` is refused with `e` (as
    /// [`Self::update_level`] would refuse it): bars `..k` were fed and
    /// written, the detector is as after bar `k − 1`. `k = 0` with field
    /// `times` when the four slices differ in length (nothing fed).
    ///
    /// # Example
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use elson_core::regime::{RegimeConfig, RegimeDetector};
    /// use elson_core::volatility::{Bar, VolatilityConfig};
    ///
    /// let vol = VolatilityConfig { lookback: 5, ..VolatilityConfig::default() };
    /// let mut det = RegimeDetector::new(&vol, &RegimeConfig::default())?;
    /// let t0 = Utc.with_ymd_and_hms(2026, 1, 2, 21, 0, 0).unwrap();
    /// let times: Vec<_> = (0..8).map(|i| t0 + Duration::days(i)).collect();
    /// let mut bars: Vec<_> = (0..8).map(|i| Bar::from_close(100.0 + (i % 2) as f64)).collect();
    /// bars[7] = Bar::from_close(f64::NAN);
    /// let (mut v, mut lv) = (vec![0.0; 8], vec![None; 8]);
    /// let (k, _err) = det.update_levels(&bars, &times, &mut v, &mut lv).unwrap_err();
    /// assert_eq!(k, 7);
    /// assert!(v[4].is_nan() && lv[4].is_none() && lv[5].is_some());
    /// # Ok::<(), elson_core::ElsonError>(())
    /// ```
    pub fn update_levels(
        &mut self,
        bars: &[Bar],
        times: &[DateTime<Utc>],
        volatility: &mut [f64],
        level: &mut [Option<VolatilityLevel>],
    ) -> std::result::Result<(), (usize, ElsonError)> {
        let n = bars.len();
        if times.len() != n || volatility.len() != n || level.len() != n {
            return Err((
                0,
                ElsonError::invalid(
                    "times",
                    format!(
                        "{} times and {} + {} output slots for {n} bars",
                        times.len(),
                        volatility.len(),
                        level.len()
                    ),
                ),
            ));
        }
        // Per bar `update_level` checks the time, then the bar: the bars
        // before the first bad time go to the estimator (which stops at the
        // first bad bar), then the run ends at whichever came first.
        let mut last = self.last_time;
        let bad_time = times.iter().position(|&t| {
            let bad = last.is_some_and(|l| t <= l);
            last = Some(t);
            bad
        });
        let limit = bad_time.unwrap_or(n);
        let fed = self.estimator.update_many(&bars[..limit], &mut volatility[..limit]);
        let done = match &fed {
            Ok(()) => limit,
            Err((k, _)) => *k,
        };
        if let Some(&t) = times[..done].last() {
            self.last_time = Some(t);
        }
        for (v, l) in volatility[..done].iter().zip(&mut level[..done]) {
            *l = if v.is_nan() {
                None
            } else {
                Some(self.stabilizer.push(self.regime.level_of(*v)).0)
            };
        }
        fed?;
        match (bad_time, self.last_time) {
            (Some(k), Some(prev)) => Err((k, self.time_error(times[k], prev))),
            _ => Ok(()),
        }
    }

    /// Feeds one close (`CLOSE_TO_CLOSE`, `EWMA`).
    ///
    /// # Errors
    /// As [`Self::update`], plus field `method` for a range estimator.
    pub fn update_close(
        &mut self,
        close: f64,
        time: DateTime<Utc>,
    ) -> Result<Option<RegimeReading>> {
        self.check_time(time)?;
        let volatility = self.estimator.update_close(close)?;
        Ok(self.read(volatility, time))
    }
}
