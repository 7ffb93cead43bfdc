//! The built-in defaults of DESIGN §5–§7 as data: one static table, turned
//! into `model_parameters` rows valid from the Unix epoch with no end and
//! `created_by = "builtin"`.
//!
//! Why a table and not constants in function bodies: every default must be
//! overridable by a dated `model_parameters` row, and the volatility, regime
//! and breaker modules (each with its own `Default` config) can be checked
//! against this one list.
//!
//! ## Keying
//! A `model_parameters` key is (volatility_level, parameter_type,
//! parameter_name). Parameters that really vary by regime (`position_sizing`,
//! `confidence_threshold`, `regime_threshold`) have one row per level.
//! Parameters that do not (`max_position_pct`, cool-downs, estimator
//! settings …) are stored with the SAME value for every level
//! ([`BuiltinParameter::level`] = `None`), and readers look them up at the
//! current regime. So an override row may be regime-specific; to change such
//! a parameter everywhere, write one row per level.
//!
//! Fractions are stored as fractions: `max_position_pct` 0.05 means 5 %.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::entities::ModelParameter;
use crate::enums::VolatilityLevel;
use crate::flags::murmur3_32;
use VolatilityLevel::{Extreme, High, Low, Normal};
use names::*;
use types::*;

/// `created_by` of every built-in row.
pub const BUILTIN_CREATOR: &str = "builtin";

/// `effective_from` of every built-in row: the Unix epoch, so a built-in
/// answers for any time a caller can ask about.
pub const BUILTIN_EFFECTIVE_FROM: DateTime<Utc> = DateTime::<Utc>::UNIX_EPOCH;

/// The `parameter_type` values used by the SDK.
pub mod types {
    /// Sizing factor in [0, 1]; name = breaker state, level = regime (§7).
    pub const POSITION_SIZING: &str = "position_sizing";
    /// Minimum confidence of a model-generated order; name
    /// [`super::names::MIN_CONFIDENCE`], level = regime (§7).
    pub const CONFIDENCE_THRESHOLD: &str = "confidence_threshold";
    /// Largest buy as a fraction of total value; name = risk profile, same
    /// value for every level (§7).
    pub const MAX_POSITION_PCT: &str = "max_position_pct";
    /// Inclusive lower bound of each level's volatility band; name
    /// [`super::names::LOWER_BOUND`], level = the level it starts (§5).
    pub const REGIME_THRESHOLD: &str = "regime_threshold";
    /// Regime detector settings, same value for every level (§5).
    pub const REGIME: &str = "regime";
    /// Cool-down of a breaker state in minutes; name = breaker state, same
    /// value for every level (§6).
    pub const BREAKER_COOLDOWN_MINUTES: &str = "breaker_cooldown_minutes";
    /// Breaker triggers, same value for every level (§6).
    pub const CIRCUIT_BREAKER: &str = "circuit_breaker";
    /// Volatility estimator settings, same value for every level (§5).
    pub const VOLATILITY: &str = "volatility";
}

/// The `parameter_name` values that are not an enum name.
pub mod names {
    /// Under `confidence_threshold`: the regime's minimum confidence.
    pub const MIN_CONFIDENCE: &str = "min_confidence";
    /// Under `regime_threshold`: a level's inclusive lower volatility bound.
    pub const LOWER_BOUND: &str = "lower_bound";
    /// Under `regime`: identical consecutive readings needed to switch (3).
    pub const STABILIZATION_COUNT: &str = "stabilization_count";
    /// Under `regime`: distance to the nearest boundary at which the
    /// confidence score counts the distance fully (0.05).
    pub const CONFIDENCE_FULL_DISTANCE: &str = "confidence_full_distance";
    /// Under `circuit_breaker`: portfolio loss since the day's open, as a
    /// fraction, that trips OPEN for that portfolio (0.02).
    pub const PORTFOLIO_DAILY_LOSS_TRIGGER: &str = "portfolio_daily_loss_trigger";
    /// Under `circuit_breaker`: consecutive execution failures on a symbol
    /// that trip OPEN for that symbol (3).
    pub const EXECUTION_FAILURES_TRIGGER: &str = "execution_failures_trigger";
    /// Under `volatility`: EWMA decay λ (0.94).
    pub const EWMA_LAMBDA: &str = "ewma_lambda";
    /// Under `volatility`: window length n in returns (20).
    pub const LOOKBACK: &str = "lookback";
    /// Under `volatility`: annualization factor N (252).
    pub const PERIODS_PER_YEAR: &str = "periods_per_year";
}

/// One entry of the built-in table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinParameter {
    /// The level it applies to; `None` = the same value for every level.
    pub level: Option<VolatilityLevel>,
    /// `parameter_type`, one of [`types`].
    pub parameter_type: &'static str,
    /// `parameter_name`: an enum's seed name or one of [`names`].
    pub parameter_name: &'static str,
    /// The value (fractions as fractions, counts and minutes as integers).
    pub value: Decimal,
    /// Why it has this value, stored in the row's `description`.
    pub description: &'static str,
}

/// `mantissa × 10^-scale` in a const context (`Decimal::new` is not const).
const fn d(mantissa: u32, scale: u32) -> Decimal {
    Decimal::from_parts(mantissa, 0, 0, false, scale)
}

const fn at(
    level: VolatilityLevel,
    parameter_type: &'static str,
    parameter_name: &'static str,
    value: Decimal,
    description: &'static str,
) -> BuiltinParameter {
    BuiltinParameter { level: Some(level), parameter_type, parameter_name, value, description }
}

const fn every(
    parameter_type: &'static str,
    parameter_name: &'static str,
    value: Decimal,
    description: &'static str,
) -> BuiltinParameter {
    BuiltinParameter { level: None, parameter_type, parameter_name, value, description }
}

const SIZING: &str = "DESIGN §7 position sizing factor (breaker state, regime)";
const CONFIDENCE: &str = "DESIGN §7 minimum confidence of model-generated orders";
const MAX_PCT: &str = "DESIGN §7 largest buy as a fraction of total value, by risk profile";
const BAND: &str = "DESIGN §5 inclusive lower volatility bound of the level";
const COOLDOWN: &str = "DESIGN §6 minutes a breaker state holds before stepping down";

/// The built-in table (DESIGN §5–§7). Order is documentation order; lookups
/// do not depend on it.
pub const BUILTINS: &[BuiltinParameter] = &[
    // §7 position sizing: OPEN 0 everywhere.
    at(Low, POSITION_SIZING, "OPEN", d(0, 2), SIZING),
    at(Normal, POSITION_SIZING, "OPEN", d(0, 2), SIZING),
    at(High, POSITION_SIZING, "OPEN", d(0, 2), SIZING),
    at(Extreme, POSITION_SIZING, "OPEN", d(0, 2), SIZING),
    // RESTRICTED 0.60 / 0.40 / 0.10 / 0.03
    at(Low, POSITION_SIZING, "RESTRICTED", d(60, 2), SIZING),
    at(Normal, POSITION_SIZING, "RESTRICTED", d(40, 2), SIZING),
    at(High, POSITION_SIZING, "RESTRICTED", d(10, 2), SIZING),
    at(Extreme, POSITION_SIZING, "RESTRICTED", d(3, 2), SIZING),
    // CAUTIOUS 0.85 / 0.65 / 0.15 / 0.05
    at(Low, POSITION_SIZING, "CAUTIOUS", d(85, 2), SIZING),
    at(Normal, POSITION_SIZING, "CAUTIOUS", d(65, 2), SIZING),
    at(High, POSITION_SIZING, "CAUTIOUS", d(15, 2), SIZING),
    at(Extreme, POSITION_SIZING, "CAUTIOUS", d(5, 2), SIZING),
    // CLOSED 1.00 / 0.90 / 0.10 / 0.03
    at(Low, POSITION_SIZING, "CLOSED", d(100, 2), SIZING),
    at(Normal, POSITION_SIZING, "CLOSED", d(90, 2), SIZING),
    at(High, POSITION_SIZING, "CLOSED", d(10, 2), SIZING),
    at(Extreme, POSITION_SIZING, "CLOSED", d(3, 2), SIZING),
    // §7 confidence thresholds.
    at(Low, CONFIDENCE_THRESHOLD, MIN_CONFIDENCE, d(55, 2), CONFIDENCE),
    at(Normal, CONFIDENCE_THRESHOLD, MIN_CONFIDENCE, d(60, 2), CONFIDENCE),
    at(High, CONFIDENCE_THRESHOLD, MIN_CONFIDENCE, d(65, 2), CONFIDENCE),
    at(Extreme, CONFIDENCE_THRESHOLD, MIN_CONFIDENCE, d(75, 2), CONFIDENCE),
    // §7 max position by risk profile (not per regime).
    every(MAX_POSITION_PCT, "LOW", d(5, 2), MAX_PCT),
    every(MAX_POSITION_PCT, "MODERATE", d(10, 2), MAX_PCT),
    every(MAX_POSITION_PCT, "AGGRESSIVE", d(20, 2), MAX_PCT),
    // §5 level bands: LOW < 0.15 ≤ NORMAL < 0.25 ≤ HIGH < 0.40 ≤ EXTREME.
    at(Low, REGIME_THRESHOLD, LOWER_BOUND, d(0, 2), BAND),
    at(Normal, REGIME_THRESHOLD, LOWER_BOUND, d(15, 2), BAND),
    at(High, REGIME_THRESHOLD, LOWER_BOUND, d(25, 2), BAND),
    at(Extreme, REGIME_THRESHOLD, LOWER_BOUND, d(40, 2), BAND),
    // §5 regime detector.
    every(
        REGIME,
        STABILIZATION_COUNT,
        d(3, 0),
        "DESIGN §5 identical readings needed to switch regime",
    ),
    every(
        REGIME,
        CONFIDENCE_FULL_DISTANCE,
        d(5, 2),
        "DESIGN §5 boundary distance at which confidence counts fully",
    ),
    // §6 breaker cool-downs and triggers.
    every(BREAKER_COOLDOWN_MINUTES, "OPEN", d(90, 0), COOLDOWN),
    every(BREAKER_COOLDOWN_MINUTES, "RESTRICTED", d(45, 0), COOLDOWN),
    every(BREAKER_COOLDOWN_MINUTES, "CAUTIOUS", d(20, 0), COOLDOWN),
    every(
        CIRCUIT_BREAKER,
        PORTFOLIO_DAILY_LOSS_TRIGGER,
        d(2, 2),
        "DESIGN §6 portfolio loss since the day's open that trips OPEN",
    ),
    every(
        CIRCUIT_BREAKER,
        EXECUTION_FAILURES_TRIGGER,
        d(3, 0),
        "DESIGN §6 consecutive execution failures on a symbol that trip OPEN",
    ),
    // §5 estimators.
    every(VOLATILITY, EWMA_LAMBDA, d(94, 2), "DESIGN §5 EWMA (RiskMetrics) decay"),
    every(VOLATILITY, LOOKBACK, d(20, 0), "DESIGN §5 estimator window in returns"),
    every(VOLATILITY, PERIODS_PER_YEAR, d(252, 0), "DESIGN §5 annualization periods"),
];

/// The built-in value for a key, straight from [`BUILTINS`] (no overrides).
/// Handy for a module's own `Default` config and for reconciling it with
/// this table in a test.
///
/// # Example
/// ```
/// use elson_core::enums::VolatilityLevel;
/// use elson_core::params::defaults::{builtin_value, types};
/// use rust_decimal::Decimal;
/// let f = builtin_value(VolatilityLevel::Normal, types::POSITION_SIZING, "CAUTIOUS");
/// assert_eq!(f, Some(Decimal::new(65, 2)));
/// ```
pub fn builtin_value(
    level: VolatilityLevel,
    parameter_type: &str,
    parameter_name: &str,
) -> Option<Decimal> {
    BUILTINS
        .iter()
        .find(|b| {
            b.level.is_none_or(|l| l == level)
                && b.parameter_type == parameter_type
                && b.parameter_name == parameter_name
        })
        .map(|b| b.value)
}

/// The built-in table as `model_parameters` rows: one row per level for
/// entries without a level, `effective_from` = Unix epoch, no end,
/// `created_by = "builtin"`, and a deterministic id (a hash of the key
/// laid out as a v4 UUID), so seeding a database twice yields the same rows.
pub fn builtin_rows() -> Vec<ModelParameter> {
    let mut rows = Vec::with_capacity(BUILTINS.len() * VolatilityLevel::ALL.len());
    for b in BUILTINS {
        let levels: &[VolatilityLevel] = match b.level {
            Some(ref level) => std::slice::from_ref(level),
            None => VolatilityLevel::ALL,
        };
        for &level in levels {
            rows.push(ModelParameter {
                id: builtin_id(level, b.parameter_type, b.parameter_name),
                volatility_level: level,
                parameter_type: b.parameter_type.to_owned(),
                parameter_name: b.parameter_name.to_owned(),
                parameter_value: b.value,
                effective_from: BUILTIN_EFFECTIVE_FROM,
                effective_to: None,
                created_by: BUILTIN_CREATOR.to_owned(),
                created_at: BUILTIN_EFFECTIVE_FROM,
                updated_at: BUILTIN_EFFECTIVE_FROM,
                description: Some(b.description.to_owned()),
            });
        }
    }
    rows
}

/// A stable id for a built-in row: four murmur3 hashes of the key with
/// different seeds give 128 bits, stamped with the v4 version and variant.
fn builtin_id(level: VolatilityLevel, parameter_type: &str, parameter_name: &str) -> Uuid {
    let key = format!("{BUILTIN_CREATOR}:{level}:{parameter_type}:{parameter_name}");
    let mut bytes = [0u8; 16];
    for (seed, chunk) in (0u32..).zip(bytes.chunks_exact_mut(4)) {
        chunk.copy_from_slice(&murmur3_32(key.as_bytes(), seed).to_le_bytes());
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_builtin_key_is_unique_per_level() {
        let rows = builtin_rows();
        let keys: HashSet<_> = rows
            .iter()
            .map(|r| (r.volatility_level, r.parameter_type.clone(), r.parameter_name.clone()))
            .collect();
        assert_eq!(keys.len(), rows.len());
        let ids: HashSet<_> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), rows.len());
        assert_eq!(rows.len(), 16 + 4 + 4 + 3 * 4 + 2 * 4 + 3 * 4 + 2 * 4 + 3 * 4);
    }

    #[test]
    fn ids_are_stable_v4() {
        let a = builtin_rows();
        let b = builtin_rows();
        assert_eq!(a, b);
        assert!(a.iter().all(|r| r.id.get_version_num() == 4));
    }

    #[test]
    fn builtin_value_reads_per_level_and_every_level_entries() {
        assert_eq!(builtin_value(Extreme, POSITION_SIZING, "CLOSED"), Some(d(3, 2)));
        assert_eq!(builtin_value(High, MAX_POSITION_PCT, "AGGRESSIVE"), Some(d(20, 2)));
        assert_eq!(builtin_value(Low, VOLATILITY, PERIODS_PER_YEAR), Some(d(252, 0)));
        assert_eq!(builtin_value(Low, VOLATILITY, "no_such_name"), None);
    }
}
