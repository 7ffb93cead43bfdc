//! The storage rule of regime rows (DESIGN §5): a stored row whose level
//! differs from the previous row of its symbol must have
//! `stabilization_count ≥ 3`.

use super::config::RegimeConfig;
use crate::entities::VolatilityRegime;
use crate::error::{ElsonError, Result};

/// Checks the rows of one or several symbols against the stabilization rule
/// with the default switch count (3). Rows are ordered by timestamp within
/// each symbol (the input order of different symbols does not matter).
///
/// Why a separate checker: rows can be written by other producers than the
/// detector (imports, older versions); the store calls this before
/// accepting them so that the breaker never acts on a flapping regime.
///
/// # Errors
/// [`ElsonError::InvalidInput`]: field `stabilization_count` for a row
/// below 1 or a level change with fewer than 3 readings; field `timestamp`
/// for two rows of one symbol at the same time.
///
/// # Example
/// ```
/// # use chrono::{Duration, TimeZone, Utc};
/// # use elson_core::enums::{VolatilityLevel, VolatilityMethod};
/// # use elson_core::regime::{check_regime_rows, RegimeReading};
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 2, 21, 0, 0).unwrap();
/// let row = |day: i64, level, count| RegimeReading {
///     time: t0 + Duration::days(day), volatility: 0.2, reading: level, level,
///     confidence: 0.9, stabilization_count: count, lookback: 20,
///     method: VolatilityMethod::CloseToClose,
/// }.to_row("SPY", uuid::Uuid::nil()).unwrap();
/// let ok = [row(0, VolatilityLevel::Normal, 1), row(1, VolatilityLevel::High, 3)];
/// assert!(check_regime_rows(&ok).is_ok());
/// let flapping = [row(0, VolatilityLevel::Normal, 1), row(1, VolatilityLevel::High, 1)];
/// assert!(check_regime_rows(&flapping).is_err());
/// ```
pub fn check_regime_rows(rows: &[VolatilityRegime]) -> Result<()> {
    check_regime_rows_with(rows, RegimeConfig::default().switch_readings)
}

/// [`check_regime_rows`] with another switch count.
///
/// # Errors
/// As [`check_regime_rows`].
pub fn check_regime_rows_with(rows: &[VolatilityRegime], switch_readings: u32) -> Result<()> {
    let switch_min = i64::from(switch_readings);
    if let Some(i) = rows.iter().position(|r| r.stabilization_count < 1) {
        return Err(ElsonError::invalid(
            "stabilization_count",
            format!("row {i}: {} is below 1", rows[i].stabilization_count),
        ));
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    // Stable: by symbol, then time.
    order.sort_by(|&a, &b| {
        rows[a].symbol.cmp(&rows[b].symbol).then(rows[a].timestamp.cmp(&rows[b].timestamp))
    });
    for pair in order.windows(2) {
        let (prev, row) = (&rows[pair[0]], &rows[pair[1]]);
        if prev.symbol != row.symbol {
            continue;
        }
        if prev.timestamp == row.timestamp {
            return Err(ElsonError::invalid(
                "timestamp",
                format!(
                    "rows {} and {}: two {} rows at {}",
                    pair[0],
                    pair[1],
                    row.symbol,
                    row.timestamp.to_rfc3339()
                ),
            ));
        }
        if row.volatility_level != prev.volatility_level
            && i64::from(row.stabilization_count) < switch_min
        {
            return Err(ElsonError::invalid(
                "stabilization_count",
                format!(
                    "row {}: {} at {} switches {} → {} with stabilization_count {} (needs ≥ {})",
                    pair[1],
                    row.symbol,
                    row.timestamp.to_rfc3339(),
                    prev.volatility_level,
                    row.volatility_level,
                    row.stabilization_count,
                    switch_min
                ),
            ));
        }
    }
    Ok(())
}
