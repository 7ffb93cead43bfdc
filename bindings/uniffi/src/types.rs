//! Value types uniffi does not know, as uniffi custom types.
//!
//! | Rust               | crosses as   | Kotlin                 | Swift    |
//! |--------------------|--------------|------------------------|----------|
//! | `Decimal`          | `String`     | `java.math.BigDecimal` | `String` (`ElsonDecimal`) |
//! | `Uuid`             | `String`     | `String`               | `String` |
//! | `DateTime<Utc>`    | timestamp    | `java.time.Instant`    | `Date`   |
//! | `NaiveDate`        | `String`     | `java.time.LocalDate`  | `String` |
//! | `serde_json::Value`| `String`     | `String` (JSON text)   | `String` |
//!
//! Money never crosses as a double: a decimal string keeps every cent. Each
//! lift parses strictly and, on failure, returns [`ElsonError::InvalidInput`]
//! naming the type, so the generated code throws a typed exception instead
//! of reporting an internal error (uniffi downcasts the lift error to the
//! function's error type).

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uniffi::deps::anyhow;
use uuid::Uuid;

use crate::error::ElsonError;

/// `DateTime<Utc>` under a one-word name, because uniffi custom types must
/// be named by a single identifier; it is `Timestamp` in the bindings.
pub type Timestamp = DateTime<Utc>;

/// `Decimal` under a name that cannot clash: as `Decimal` the Swift
/// typealias would shadow `Foundation.Decimal` in every app importing
/// `ElsonSDK`. `ElsonDecimal` in the bindings (Kotlin `BigDecimal`).
pub type ElsonDecimal = Decimal;

/// `serde_json::Value` under a one-word name: free-form JSON columns cross as
/// JSON text.
pub type JsonValue = serde_json::Value;

fn lift_error(field: &str, reason: String) -> anyhow::Error {
    anyhow::Error::new(ElsonError::invalid(field, reason))
}

/// Parses a decimal string exactly: no rounding of excess digits, no
/// exponent, no surrounding blanks.
pub fn parse_decimal(text: &str) -> Result<Decimal, ElsonError> {
    Decimal::from_str_exact(text)
        .map_err(|e| ElsonError::invalid("Decimal", format!("{text:?} is not a decimal: {e}")))
}

/// Parses a UUID in its hyphenated form.
pub fn parse_uuid(text: &str) -> Result<Uuid, ElsonError> {
    Uuid::try_parse(text)
        .map_err(|e| ElsonError::invalid("Uuid", format!("{text:?} is not a UUID: {e}")))
}

/// Parses an ISO date `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, ElsonError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| {
        ElsonError::invalid("NaiveDate", format!("{text:?} is not a YYYY-MM-DD date: {e}"))
    })
}

/// Converts a foreign timestamp to UTC without chrono's panicking `From`
/// (an `Instant` far outside chrono's range is an input error).
pub fn system_time_to_utc(time: SystemTime) -> Result<Timestamp, ElsonError> {
    let out_of_range = || ElsonError::invalid("Timestamp", "instant out of the supported range");
    let (secs, nanos) = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => {
            (i64::try_from(after.as_secs()).map_err(|_| out_of_range())?, after.subsec_nanos())
        }
        Err(e) => {
            let before = e.duration();
            let secs = i64::try_from(before.as_secs()).map_err(|_| out_of_range())?;
            match before.subsec_nanos() {
                0 => (-secs, 0),
                n => (-secs - 1, 1_000_000_000 - n),
            }
        }
    };
    DateTime::from_timestamp(secs, nanos).ok_or_else(out_of_range)
}

/// Converts UTC to a foreign timestamp (always representable).
pub fn utc_to_system_time(time: Timestamp) -> SystemTime {
    let secs = time.timestamp();
    let nanos = Duration::from_nanos(u64::from(time.timestamp_subsec_nanos()));
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs()) + nanos
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()) + nanos
    }
}

uniffi::custom_type!(ElsonDecimal, String, {
    remote,
    lower: |d| d.to_string(),
    try_lift: |s| parse_decimal(&s).map_err(anyhow::Error::new),
});

uniffi::custom_type!(Uuid, String, {
    remote,
    lower: |u| u.hyphenated().to_string(),
    try_lift: |s| parse_uuid(&s).map_err(anyhow::Error::new),
});

uniffi::custom_type!(NaiveDate, String, {
    remote,
    lower: |d| d.format("%Y-%m-%d").to_string(),
    try_lift: |s| parse_date(&s).map_err(anyhow::Error::new),
});

uniffi::custom_type!(Timestamp, SystemTime, {
    remote,
    lower: |t| utc_to_system_time(t),
    try_lift: |t| system_time_to_utc(t).map_err(anyhow::Error::new),
});

uniffi::custom_type!(JsonValue, String, {
    remote,
    lower: |v| v.to_string(),
    try_lift: |s| serde_json::Value::from_str(&s)
        .map_err(|e| lift_error("JsonValue", format!("not valid JSON: {e}"))),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly_or_fail_typed() {
        assert_eq!(parse_decimal("12.50").map(|d| d.to_string()), Ok("12.50".to_string()));
        for bad in ["", "abc", "1e3", " 1", "1.2.3", "0.00000000000000000000000000001"] {
            let e = parse_decimal(bad).err();
            assert!(
                matches!(e, Some(ElsonError::InvalidInput { ref field, .. }) if field == "Decimal"),
                "{bad}: {e:?}"
            );
        }
    }

    #[test]
    fn uuids_and_dates_validate() {
        assert!(parse_uuid("67e55044-10b1-426f-9247-bb680e5fe0c8").is_ok());
        assert!(parse_uuid("not-a-uuid").is_err());
        assert!(parse_date("2024-02-29").is_ok());
        assert!(parse_date("2023-02-29").is_err());
        assert!(parse_date("29/02/2024").is_err());
    }

    #[test]
    fn timestamps_round_trip_on_both_sides_of_the_epoch() {
        for text in
            ["2024-05-01T12:34:56.789123456Z", "1969-12-31T23:59:59.5Z", "1900-01-01T00:00:00Z"]
        {
            let t: Timestamp = text.parse().unwrap();
            assert_eq!(system_time_to_utc(utc_to_system_time(t)), Ok(t));
        }
    }
}
