//! Level thresholds, classification and the confidence score (DESIGN §5).

use serde::{Deserialize, Serialize};

use crate::enums::VolatilityLevel;
use crate::error::{ElsonError, Result};

/// Thresholds and rules of the regime classification, as data.
///
/// Levels, lower bound inclusive: LOW < `normal_min` ≤ NORMAL < `high_min`
/// ≤ HIGH < `extreme_min` ≤ EXTREME. Defaults (DESIGN §5): 0.15, 0.25,
/// 0.40; confidence reaches full weight 0.05 away from a boundary; a switch
/// needs 3 consecutive identical readings.
///
/// # Example
/// ```
/// use elson_core::enums::VolatilityLevel;
/// use elson_core::regime::RegimeConfig;
/// let cfg = RegimeConfig::default();
/// assert_eq!(cfg.classify(0.15)?, VolatilityLevel::Normal);
/// assert_eq!(cfg.classify(0.1499)?, VolatilityLevel::Low);
/// assert!(cfg.classify(f64::NAN).is_err());
/// assert_eq!(cfg.confidence(0.32, 20, 20), 1.0); // 0.07 from the nearest boundary
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegimeConfig {
    /// Lowest NORMAL value (0.15).
    pub normal_min: f64,
    /// Lowest HIGH value (0.25).
    pub high_min: f64,
    /// Lowest EXTREME value (0.40).
    pub extreme_min: f64,
    /// Distance from a boundary at which the reading counts fully in the
    /// confidence score (0.05).
    pub confidence_distance: f64,
    /// Consecutive identical readings of a new level needed to switch to it
    /// (3); also the `stabilization_count` right after a switch.
    pub switch_readings: u32,
}

impl Default for RegimeConfig {
    fn default() -> Self {
        RegimeConfig {
            normal_min: 0.15,
            high_min: 0.25,
            extreme_min: 0.40,
            confidence_distance: 0.05,
            switch_readings: 3,
        }
    }
}

impl RegimeConfig {
    /// Checks the thresholds are finite, positive and increasing, the
    /// confidence distance positive and the switch count at least 1.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming the offending field.
    pub fn validate(&self) -> Result<()> {
        let finite_positive = |x: f64| x.is_finite() && x > 0.0;
        if !finite_positive(self.normal_min) {
            return Err(ElsonError::invalid("normal_min", "must be finite and positive"));
        }
        if !(finite_positive(self.high_min) && self.high_min > self.normal_min) {
            return Err(ElsonError::invalid("high_min", "must be finite and above normal_min"));
        }
        if !(finite_positive(self.extreme_min) && self.extreme_min > self.high_min) {
            return Err(ElsonError::invalid("extreme_min", "must be finite and above high_min"));
        }
        if !finite_positive(self.confidence_distance) {
            return Err(ElsonError::invalid("confidence_distance", "must be finite and positive"));
        }
        if self.switch_readings == 0 {
            return Err(ElsonError::invalid("switch_readings", "must be at least 1"));
        }
        Ok(())
    }

    /// The level of one volatility reading (lower bounds inclusive), for a
    /// valid configuration (increasing thresholds).
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] on field `volatility` when `value` is
    /// not finite or is negative. Why: every comparison with NaN is false,
    /// so a NaN (or a negative value, or −inf) would count no threshold and
    /// read as LOW — the calmest regime, with the largest sizing factor and
    /// an open circuit breaker. A volatility is a standard deviation: a
    /// reading that is not a finite number ≥ 0 is a bug upstream, and
    /// passing it on as "calm" would loosen every limit it feeds.
    #[inline]
    pub fn classify(&self, value: f64) -> Result<VolatilityLevel> {
        // `!(value >= 0.0)` is also true for NaN.
        if !(value.is_finite() && value >= 0.0) {
            return Err(ElsonError::invalid(
                "volatility",
                format!("{value} is not a finite number ≥ 0"),
            ));
        }
        Ok(self.level_of(value))
    }

    /// [`Self::classify`] of a volatility the estimators produced (finite
    /// and ≥ 0 by construction: a square root of a sum of squares of
    /// checked bars), without the check.
    ///
    /// Counted rather than branched — the number of thresholds at or below
    /// the value — so a batch of readings classifies without mispredicted
    /// branches.
    #[inline]
    pub(crate) fn level_of(&self, value: f64) -> VolatilityLevel {
        debug_assert!(value.is_finite() && value >= 0.0, "Invariant: estimator output {value}");
        Self::level_of_code(self.level_code(value))
    }

    /// Number of thresholds at or below `value` (0 = LOW … 3 = EXTREME).
    #[inline(always)]
    pub(crate) fn level_code(&self, value: f64) -> u8 {
        u8::from(value >= self.normal_min)
            + u8::from(value >= self.high_min)
            + u8::from(value >= self.extreme_min)
    }

    /// The level of a [`Self::level_code`].
    #[inline(always)]
    pub(crate) fn level_of_code(code: u8) -> VolatilityLevel {
        const BY_CODE: [VolatilityLevel; 4] = [
            VolatilityLevel::Low,
            VolatilityLevel::Normal,
            VolatilityLevel::High,
            VolatilityLevel::Extreme,
        ];
        BY_CODE[usize::from(code & 3)]
    }

    /// Distance from `value` to the nearest level boundary. (Comparisons
    /// instead of `f64::min`: no NaN handling, so it vectorizes.)
    #[inline(always)]
    fn boundary_distance(&self, value: f64) -> f64 {
        let min = |a: f64, b: f64| if a < b { a } else { b };
        min(
            min((value - self.normal_min).abs(), (value - self.high_min).abs()),
            (value - self.extreme_min).abs(),
        )
    }

    /// `0.5 + 0.5 · min(1, d / confidence_distance) · min(1, k / n)`, where d
    /// is the distance from `value` to the nearest level boundary, k the
    /// observations seen so far and n the lookback. In [0.5, 1].
    #[inline]
    pub fn confidence(&self, value: f64, observations: usize, lookback: usize) -> f64 {
        let sample_weight =
            if lookback == 0 { 1.0 } else { (observations as f64 / lookback as f64).min(1.0) };
        self.confidence_weighted(value, sample_weight)
    }

    /// [`Self::confidence`] once k ≥ n (the sample weight is exactly 1).
    #[inline(always)]
    pub(crate) fn confidence_full_sample(&self, value: f64) -> f64 {
        self.confidence_weighted(value, 1.0)
    }

    #[inline(always)]
    fn confidence_weighted(&self, value: f64, sample_weight: f64) -> f64 {
        let ratio = self.boundary_distance(value) / self.confidence_distance;
        let distance_weight = if ratio < 1.0 { ratio } else { 1.0 };
        0.5 + 0.5 * distance_weight * sample_weight
    }
}

/// [`RegimeConfig::classify`] with the default thresholds.
///
/// # Errors
/// As [`RegimeConfig::classify`]: field `volatility` for a value that is
/// not a finite number ≥ 0.
///
/// ```
/// use elson_core::enums::VolatilityLevel;
/// assert_eq!(elson_core::regime::classify(0.40)?, VolatilityLevel::Extreme);
/// assert!(elson_core::regime::classify(-0.1).is_err());
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn classify(value: f64) -> Result<VolatilityLevel> {
    RegimeConfig::default().classify(value)
}

/// [`RegimeConfig::confidence`] with the default thresholds.
///
/// ```
/// // 0.01 from the 0.15 boundary, full window: 0.5 + 0.5·0.2·1
/// assert!((elson_core::regime::confidence_score(0.16, 20, 20) - 0.6).abs() < 1e-12);
/// ```
pub fn confidence_score(value: f64, observations: usize, lookback: usize) -> f64 {
    RegimeConfig::default().confidence(value, observations, lookback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_are_lower_inclusive() {
        let c = RegimeConfig::default();
        let c = |v: f64| c.classify(v).unwrap();
        assert_eq!(c(0.0), VolatilityLevel::Low);
        assert_eq!(c(0.149_999_999), VolatilityLevel::Low);
        assert_eq!(c(0.15), VolatilityLevel::Normal);
        assert_eq!(c(0.249_999_999), VolatilityLevel::Normal);
        assert_eq!(c(0.25), VolatilityLevel::High);
        assert_eq!(c(0.399_999_999), VolatilityLevel::High);
        assert_eq!(c(0.40), VolatilityLevel::Extreme);
        assert_eq!(c(5.0), VolatilityLevel::Extreme);
    }

    #[test]
    fn confidence_follows_the_formula() {
        let c = RegimeConfig::default();
        assert_eq!(c.confidence(0.15, 20, 20), 0.5);
        assert_eq!(c.confidence(0.05, 20, 20), 1.0);
        assert!((c.confidence(0.30, 10, 20) - (0.5 + 0.5 * 1.0 * 0.5)).abs() < 1e-15);
        assert!((c.confidence(0.27, 40, 20) - (0.5 + 0.5 * 0.4)).abs() < 1e-12);
        assert_eq!(c.confidence(0.27, 0, 20), 0.5);
    }

    #[test]
    fn invalid_configs_name_the_field() {
        let d = RegimeConfig::default();
        let field = |c: RegimeConfig| match c.validate() {
            Err(ElsonError::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert!(d.validate().is_ok());
        assert_eq!(field(RegimeConfig { normal_min: 0.0, ..d }), "normal_min");
        assert_eq!(field(RegimeConfig { high_min: 0.1, ..d }), "high_min");
        assert_eq!(field(RegimeConfig { extreme_min: f64::NAN, ..d }), "extreme_min");
        assert_eq!(field(RegimeConfig { confidence_distance: 0.0, ..d }), "confidence_distance");
        assert_eq!(field(RegimeConfig { switch_readings: 0, ..d }), "switch_readings");
    }
}
