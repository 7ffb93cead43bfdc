//! Volatility regimes (DESIGN §5): levels with data thresholds, the
//! confidence score, the stabilization (hysteresis) rule, a streaming
//! detector per symbol, a batch form with per-bar arrays, and the storage
//! check of `volatility_regimes` rows.
//!
//! Levels, lower bound inclusive: LOW < 0.15 ≤ NORMAL < 0.25 ≤ HIGH < 0.40
//! ≤ EXTREME. A regime switches only after 3 consecutive identical readings
//! of the new level, so a volatility hovering at a boundary does not make the
//! circuit breaker flap.
//!
//! # Example
//! ```
//! use elson_core::regime::{detect_closes, RegimeConfig};
//! use elson_core::volatility::VolatilityConfig;
//!
//! // Calm, then turbulent.
//! let mut closes = vec![100.0];
//! for i in 0..200 {
//!     let step = if i < 100 { 0.002 } else { 0.05 };
//!     let last = *closes.last().unwrap();
//!     closes.push(last * if i % 2 == 0 { 1.0 + step } else { 1.0 - step });
//! }
//! let s = detect_closes(&closes, &VolatilityConfig::default(), &RegimeConfig::default())?;
//! use elson_core::enums::VolatilityLevel::{Extreme, Low};
//! assert_eq!(s.level[60], Some(Low));
//! assert_eq!(s.level[200], Some(Extreme));
//! # Ok::<(), elson_core::ElsonError>(())
//! ```

mod batch;
mod check;
mod config;
mod detector;
mod stabilizer;

pub use batch::{
    NO_LEVEL, RegimeBuffers, RegimeSeries, detect, detect_closes, detect_closes_into,
    detect_closes_to, detect_closes_to_on, detect_levels_into, detect_readings, level_code,
};
pub use check::{check_regime_rows, check_regime_rows_with};
pub use config::{RegimeConfig, classify, confidence_score};
pub use detector::{RegimeDetector, RegimeReading};
pub use stabilizer::{Stabilizer, StabilizerState};
