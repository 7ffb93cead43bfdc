//! The one place where Rust values become SQLite storage values and back.
//!
//! PostgreSQL stores every value natively (NUMERIC, UUID, TIMESTAMPTZ, DATE,
//! JSONB, arrays), so only SQLite needs a codec:
//!
//! | Rust | SQLite storage | why |
//! |---|---|---|
//! | `Decimal` of a DECIMAL(p,s) column | INTEGER = value × 10^s | exact, sortable and summable in SQL; every seed column fits in i64 (at most 15 digits) |
//! | `DateTime<Utc>` | INTEGER microseconds since 1970-01-01 UTC | sortable, compact, same resolution as PostgreSQL's TIMESTAMPTZ |
//! | `NaiveDate` | TEXT `YYYY-MM-DD` | sortable and readable; checked with `date(x) = x` |
//! | `Uuid` | BLOB, 16 bytes | half the size of the text form in every index key (a trade row sits in seven), sorts like PostgreSQL's `uuid`; `hex(id)` reads it in the sqlite3 shell |
//!
//! Scales by column: money 10⁻² (cents), quantities 10⁻⁶, DECIMAL(10,4)
//! 10⁻⁴, fractions and percentages DECIMAL(5,2)/(10,2) 10⁻², parameter values
//! 10⁻⁶ — the scale of the column's [`DecimalLimit`].

use chrono::{DateTime, NaiveDate, Utc};
use elson_core::ElsonError;
use elson_core::limits::DecimalLimit;
use rust_decimal::Decimal;

/// `value × 10^scale` as an exact integer.
///
/// # Errors
/// [`ElsonError::InvalidInput`] naming `field` when the value has more
/// decimals than the column or does not fit its precision.
pub fn decimal_to_scaled(
    field: &str,
    value: Decimal,
    limit: DecimalLimit,
) -> Result<i64, ElsonError> {
    let checked = DecimalLimit { min: None, max: None, ..limit }.check(field, value)?;
    let mut scaled = checked.normalize();
    scaled.rescale(limit.scale);
    // After the precision check the mantissa has at most 15 digits.
    i64::try_from(scaled.mantissa())
        .map_err(|_| ElsonError::invalid(field, format!("{value} does not fit a 64-bit integer")))
}

/// The inverse of [`decimal_to_scaled`]: a scaled integer back to a
/// `Decimal` with exactly the column's scale.
pub fn scaled_to_decimal(scaled: i64, limit: DecimalLimit) -> Decimal {
    Decimal::new(scaled, limit.scale)
}

/// A timestamp as microseconds since the Unix epoch. Sub-microsecond parts
/// are dropped, exactly as PostgreSQL's TIMESTAMPTZ drops them.
pub fn timestamp_to_micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// Microseconds since the Unix epoch back to a timestamp.
///
/// # Errors
/// [`ElsonError::InvalidInput`] when the integer is outside chrono's range
/// (only possible for a row not written by this store).
pub fn micros_to_timestamp(micros: i64) -> Result<DateTime<Utc>, ElsonError> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| ElsonError::invalid("timestamp", format!("{micros} µs is out of range")))
}

/// A date as `YYYY-MM-DD`.
pub fn date_to_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `YYYY-MM-DD` back to a date.
///
/// # Errors
/// [`ElsonError::InvalidInput`] for any other text.
pub fn text_to_date(text: &str) -> Result<NaiveDate, ElsonError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| ElsonError::invalid("date", format!("{text:?}: {e}")))
}

/// Truncates a timestamp to the microsecond, the resolution both backends
/// store. Handy for tests and for callers that compare what they wrote with
/// what they read.
pub fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn money_round_trips_exactly_in_cents() {
        let m = DecimalLimit::MONEY_SIGNED;
        for v in [dec!(0), dec!(0.01), dec!(12.5), dec!(-3.07), dec!(9999999999999.99)] {
            let s = decimal_to_scaled("x", v, m).unwrap();
            assert_eq!(scaled_to_decimal(s, m), v);
        }
        assert_eq!(decimal_to_scaled("x", dec!(12.5), m).unwrap(), 1250);
        assert_eq!(decimal_to_scaled("x", dec!(12.50000), m).unwrap(), 1250);
        assert_eq!(scaled_to_decimal(1250, m).to_string(), "12.50");
    }

    #[test]
    fn overflow_and_excess_scale_are_input_errors() {
        let e = decimal_to_scaled("cash_balance", dec!(10000000000000), DecimalLimit::MONEY)
            .unwrap_err();
        assert!(matches!(e, ElsonError::InvalidInput { ref field, .. } if field == "cash_balance"));
        assert!(decimal_to_scaled("quantity", dec!(0.0000001), DecimalLimit::QUANTITY).is_err());
        assert_eq!(
            decimal_to_scaled("quantity", dec!(0.000001), DecimalLimit::QUANTITY).unwrap(),
            1
        );
        assert_eq!(decimal_to_scaled("v", dec!(0.1834), DecimalLimit::RATIO).unwrap(), 1834);
        assert_eq!(
            decimal_to_scaled("p", dec!(-1.5), DecimalLimit::PARAMETER).unwrap(),
            -1_500_000
        );
    }

    #[test]
    fn timestamps_and_dates_round_trip() {
        let at = DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        assert_eq!(micros_to_timestamp(timestamp_to_micros(at)).unwrap(), at);
        assert!(micros_to_timestamp(i64::MAX).is_err());
        let d = NaiveDate::from_ymd_opt(2012, 2, 29).unwrap();
        assert_eq!(date_to_text(d), "2012-02-29");
        assert_eq!(text_to_date("2012-02-29").unwrap(), d);
        assert!(text_to_date("2013-02-29").is_err());
        let nanos = DateTime::from_timestamp(1, 999).unwrap();
        assert_eq!(truncate_to_micros(nanos), DateTime::from_timestamp(1, 0).unwrap());
    }
}
