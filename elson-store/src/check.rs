//! Column checks run before any statement, so an oversize text or a decimal
//! that does not fit its column is a typed input error naming the field and
//! nothing is sent to the database. The limits are the core's.

use elson_core::ElsonError;
use elson_core::limits::{DecimalLimit, TextLimit};
use rust_decimal::Decimal;

pub(crate) fn text(field: &str, v: &str, limit: TextLimit) -> Result<(), ElsonError> {
    limit.check(field, v)
}

pub(crate) fn opt_text(
    field: &str,
    v: &Option<String>,
    limit: TextLimit,
) -> Result<(), ElsonError> {
    match v {
        Some(s) => limit.optional().check(field, s),
        None => Ok(()),
    }
}

pub(crate) fn dec(field: &str, v: Decimal, limit: DecimalLimit) -> Result<(), ElsonError> {
    limit.check(field, v).map(|_| ())
}

pub(crate) fn opt_dec(
    field: &str,
    v: Option<Decimal>,
    limit: DecimalLimit,
) -> Result<(), ElsonError> {
    match v {
        Some(d) => dec(field, d, limit),
        None => Ok(()),
    }
}

pub(crate) fn positive(field: &str, v: Decimal) -> Result<(), ElsonError> {
    if v > Decimal::ZERO {
        Ok(())
    } else {
        Err(ElsonError::invalid(field, format!("{v} must be > 0")))
    }
}

pub(crate) fn page(limit: i64, offset: i64) -> Result<(), ElsonError> {
    if !(1..=1000).contains(&limit) {
        return Err(ElsonError::invalid("limit", format!("{limit} is outside 1–1000")));
    }
    if offset < 0 {
        return Err(ElsonError::invalid("offset", format!("{offset} is negative")));
    }
    Ok(())
}
