//! Exact fixed-point arithmetic for the accounting hot path.
//!
//! Every amount the accounting rules touch has a fixed scale (DESIGN §1):
//! money in cents (scale 2), quantities in micro-units (scale 6), percentages
//! in hundredths (scale 2). Converting to integers once per operation makes
//! each formula of DESIGN §2 an exact rational computation followed by one
//! half-even rounding — no intermediate 28-digit rounding, no allocation —
//! and keeps a trade well under a microsecond. Values go back to `Decimal`
//! with their column's scale, so `"12.50"` prints as `12.50`.
//!
//! Ranges: a DECIMAL(15, s) column holds fewer than 10^15 units, so every
//! value fits an `i64` and every product of two of them fits an `i128`.

use rust_decimal::Decimal;

use crate::error::{ElsonError, Result};
use crate::limits::DecimalLimit;

/// Micro-units per unit of quantity (scale 6).
pub(crate) const MICROS_PER_UNIT: i64 = 1_000_000;

/// Powers of ten that fit an `i64`.
const POW10: [i64; 19] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
];

/// Exclusive bound of the unit count of a DECIMAL(precision, scale) column.
#[inline(always)]
fn units_bound(limit: &DecimalLimit) -> i128 {
    // Precision is at most 15 for every limit of the data model; clamp so a
    // wider custom limit cannot index out of the table.
    i128::from(POW10[(limit.precision as usize).min(18)])
}

/// Whether `units` (at the limit's scale) satisfies the limit's range.
#[inline(always)]
fn units_in_limit(limit: &DecimalLimit, units: i128) -> bool {
    if units.unsigned_abs() >= units_bound(limit).unsigned_abs() {
        return false;
    }
    // `min`/`max` are 0 or 1 for every named limit; compare as decimals so
    // any custom bound works too.
    let value = || Decimal::from_i128_with_scale(units, limit.scale);
    limit.min.is_none_or(|min| if min.is_zero() { units >= 0 } else { value() >= min })
        && limit.max.is_none_or(|max| value() <= max)
}

/// Converts a caller-provided decimal to an integer count of `10^-scale`
/// units of `limit`, refusing (never rounding) a value that does not fit.
///
/// The fast path handles a value whose scale is at most the column's; the
/// slow path (trailing zeros beyond the scale, or any failure) defers to
/// [`DecimalLimit::check`] so the error text is the crate-wide one.
#[inline(always)]
pub(crate) fn to_units(limit: &DecimalLimit, field: &str, value: Decimal) -> Result<i64> {
    let scale = value.scale();
    if scale <= limit.scale {
        let factor = POW10[(limit.scale - scale) as usize];
        if let Some(units) = value.mantissa().checked_mul(i128::from(factor))
            && units_in_limit(limit, units)
        {
            // In range: |units| < 10^precision ≤ 10^18, so the cast is exact.
            return Ok(units as i64);
        }
    }
    to_units_slow(limit, field, value)
}

/// Trailing zeros beyond the scale, or a value that does not fit.
#[cold]
#[inline(never)]
fn to_units_slow(limit: &DecimalLimit, field: &str, value: Decimal) -> Result<i64> {
    let checked = limit.check(field, value)?.normalize();
    let factor = POW10[(limit.scale.saturating_sub(checked.scale())) as usize];
    checked
        .mantissa()
        .checked_mul(i128::from(factor))
        .and_then(|u| i64::try_from(u).ok())
        .ok_or_else(|| overflow(limit, field, value))
}

fn overflow(limit: &DecimalLimit, field: &str, value: Decimal) -> ElsonError {
    ElsonError::invalid(
        field,
        format!("{value} exceeds DECIMAL({},{})", limit.precision, limit.scale),
    )
}

/// Checks a value the SDK computed (in units of the limit's scale) against
/// the column it will be stored in.
///
/// # Errors
/// [`ElsonError::InvalidInput`] naming `field` when it does not fit: a
/// computed value is never truncated.
#[inline(always)]
pub(crate) fn fit(limit: &DecimalLimit, field: &str, units: i128) -> Result<i64> {
    if units_in_limit(limit, units) {
        // |units| < 10^precision ≤ 10^18, so the cast is exact.
        return Ok(units as i64);
    }
    Err(fit_error(limit, field, units))
}

#[cold]
#[inline(never)]
fn fit_error(limit: &DecimalLimit, field: &str, units: i128) -> ElsonError {
    let shown = Decimal::try_from_i128_with_scale(units, limit.scale)
        .map(|d| d.to_string())
        .unwrap_or_else(|_| format!("{units}e-{}", limit.scale));
    let reason = if units.unsigned_abs() >= units_bound(limit).unsigned_abs() {
        format!("{shown} exceeds DECIMAL({},{})", limit.precision, limit.scale)
    } else {
        format!("{shown} is out of range")
    };
    ElsonError::invalid(field, reason)
}

/// Back to a decimal with the column's scale (`1250, 2` → `12.50`).
///
/// Built with the inlinable `Decimal::from_parts`: this runs a dozen times
/// per trade.
#[inline(always)]
pub(crate) fn to_decimal(units: i64, scale: u32) -> Decimal {
    let magnitude = units.unsigned_abs();
    // Truncations are the intended 32-bit split of a 64-bit magnitude.
    Decimal::from_parts(magnitude as u32, (magnitude >> 32) as u32, 0, units < 0, scale)
}

/// `n / d` rounded half-even, exactly. `d` must be positive.
#[inline(always)]
pub(crate) fn div_half_even(n: i128, d: i128) -> i128 {
    debug_assert!(d > 0, "divisor must be positive");
    if let (Ok(n), Ok(d)) = (i64::try_from(n), i64::try_from(d)) {
        let (q, r) = div_rem_floor(n, d);
        return i128::from(round_step(q, r, d));
    }
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    // 0 ≤ r < d: compare r with d − r instead of 2r with d (no overflow).
    match r.cmp(&(d - r)) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

/// Floor division with a remainder in `[0, d)`, for `d > 0`; plain `/` and
/// `%` so a constant divisor compiles to a multiplication.
#[inline(always)]
fn div_rem_floor(n: i64, d: i64) -> (i64, i64) {
    let (q, r) = (n / d, n % d);
    if r < 0 { (q - 1, r + d) } else { (q, r) }
}

#[inline(always)]
fn round_step(q: i64, r: i64, d: i64) -> i64 {
    match r.cmp(&(d - r)) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

/// `round_half_even(a × b / 10^6)`: a quantity in micro-units times a price
/// in cents gives cents.
#[inline(always)]
pub(crate) fn mul_micros(quantity_micros: i64, price_cents: i64) -> i128 {
    let product = i128::from(quantity_micros) * i128::from(price_cents);
    if let Ok(p) = i64::try_from(product) {
        // Constant divisor: compiled to a multiplication.
        let (q, r) = div_rem_floor(p, MICROS_PER_UNIT);
        return i128::from(round_step(q, r, MICROS_PER_UNIT));
    }
    div_half_even(product, i128::from(MICROS_PER_UNIT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn half_even_division() {
        assert_eq!(div_half_even(5, 2), 2); // 2.5 → 2
        assert_eq!(div_half_even(7, 2), 4); // 3.5 → 4
        assert_eq!(div_half_even(-5, 2), -2); // −2.5 → −2
        assert_eq!(div_half_even(-7, 2), -4); // −3.5 → −4
        assert_eq!(div_half_even(-8, 3), -3); // −2.67 → −3
        assert_eq!(div_half_even(8, 3), 3);
        assert_eq!(div_half_even(7, 3), 2);
        let big = i128::from(i64::MAX) * 10;
        // MAX + 0.5 with MAX odd → MAX + 1 (the i128 path)
        assert_eq!(div_half_even(big + 5, 10), i128::from(i64::MAX) + 1);
        assert_eq!(div_half_even(big + 15, 10), i128::from(i64::MAX) + 1);
    }

    #[test]
    fn micros_times_cents() {
        // 1.5 × 0.01 = 0.015 → 0.02 (half-even, 1 is odd)
        assert_eq!(mul_micros(1_500_000, 1), 2);
        // 2.5 × 0.01 = 0.025 → 0.02
        assert_eq!(mul_micros(2_500_000, 1), 2);
        // huge product takes the i128 path
        assert_eq!(mul_micros(999_999_999_999_999, 100_000), 100_000_000_000_000); // …999.9 → up
    }

    #[test]
    fn conversion_refuses_instead_of_rounding() {
        let q = DecimalLimit::QUANTITY;
        assert_eq!(to_units(&q, "quantity", dec!(1.5)).unwrap(), 1_500_000);
        assert_eq!(to_units(&q, "quantity", dec!(1.50000000)).unwrap(), 1_500_000);
        assert!(to_units(&q, "quantity", dec!(1.0000001)).is_err());
        assert!(to_units(&q, "quantity", dec!(-1)).is_err());
        assert!(to_units(&q, "quantity", dec!(1000000000)).is_err());
        assert_eq!(to_units(&q, "quantity", dec!(999999999.999999)).unwrap(), 999_999_999_999_999);
        let m = DecimalLimit::MONEY;
        assert_eq!(to_units(&m, "price", dec!(12.5)).unwrap(), 1250);
        assert!(to_units(&m, "price", dec!(12.505)).is_err());
        let err = to_units(&m, "price", dec!(-1)).unwrap_err();
        assert!(matches!(err, ElsonError::InvalidInput { ref field, .. } if field == "price"));
    }

    #[test]
    fn fit_names_the_field() {
        assert_eq!(fit(&DecimalLimit::MONEY, "cash_balance", 5).unwrap(), 5);
        let err = fit(&DecimalLimit::MONEY, "cash_balance", -1).unwrap_err();
        assert!(
            matches!(err, ElsonError::InvalidInput { ref field, .. } if field == "cash_balance")
        );
        let err = fit(&DecimalLimit::FEES, "fees", 10_000_000_000).unwrap_err();
        assert!(err.to_string().contains("DECIMAL(10,2)"));
        assert!(fit(&DecimalLimit::MONEY_SIGNED, "gain_loss", -5).is_ok());
        assert!(fit(&DecimalLimit::MONEY, "x", i128::MAX).is_err());
        assert!(fit(&DecimalLimit::MONEY_SIGNED, "x", i128::MIN).is_err());
        assert_eq!(to_decimal(1250, 2).to_string(), "12.50");
        assert_eq!(to_decimal(-1250, 2), Decimal::new(-1250, 2));
        assert_eq!(to_decimal(i64::MIN, 6), Decimal::new(i64::MIN, 6));
        assert_eq!(to_decimal(i64::MAX, 2), Decimal::new(i64::MAX, 2));
        assert!(!to_decimal(0, 2).is_sign_negative());
    }
}
