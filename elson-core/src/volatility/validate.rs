//! Price validation with the index of the bad value in the error.

use super::config::Bar;
use crate::error::{ElsonError, Result};

/// True for a finite, positive, normal price. One comparison pair, no branch
/// on the value class, so a loop of it vectorizes; NaN compares false.
#[inline(always)]
pub(crate) fn is_valid_price(x: f64) -> bool {
    (f64::MIN_POSITIVE..=f64::MAX).contains(&x)
}

/// The error for a bad price `x` of series `name` at `index`.
pub(crate) fn price_error(name: &str, index: usize, x: f64) -> ElsonError {
    let what = if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        format!("{x}")
    } else if x <= 0.0 {
        format!("{x} (zero or negative)")
    } else {
        format!("{x:e} (subnormal)")
    };
    ElsonError::invalid(
        format!("{name}[{index}]"),
        format!("index {index}: {what} is not a finite positive price"),
    )
}

/// Checks one price.
///
/// # Errors
/// [`ElsonError::InvalidInput`] with field `name[index]`.
#[inline]
pub(crate) fn check_price(name: &str, index: usize, x: f64) -> Result<f64> {
    if is_valid_price(x) { Ok(x) } else { Err(price_error(name, index, x)) }
}

/// Checks a whole bar: every price valid, `low ≤ high`, open and close in
/// `[low, high]`.
///
/// # Errors
/// [`ElsonError::InvalidInput`] naming the first bad field with its index.
#[inline]
pub(crate) fn check_bar(index: usize, bar: &Bar) -> Result<()> {
    if is_valid_bar(bar) { Ok(()) } else { bar_error(index, bar) }
}

/// Whether [`check_bar`] accepts `bar`: every condition at once, without a
/// branch per field (a backtest checks every bar); [`check_bar`] finds the
/// first failing one.
#[inline(always)]
pub(crate) fn is_valid_bar(bar: &Bar) -> bool {
    let (o, h, l, c) = (bar.open, bar.high, bar.low, bar.close);
    is_valid_price(o)
        & is_valid_price(h)
        & is_valid_price(l)
        & is_valid_price(c)
        & (l <= h)
        & (l <= o)
        & (o <= h)
        & (l <= c)
        & (c <= h)
}

/// The error of the first bad field of a bar (`Ok` when there is none).
#[cold]
#[inline(never)]
fn bar_error(index: usize, bar: &Bar) -> Result<()> {
    check_price("open", index, bar.open)?;
    check_price("high", index, bar.high)?;
    check_price("low", index, bar.low)?;
    check_price("close", index, bar.close)?;
    if bar.high < bar.low {
        return Err(ElsonError::invalid(
            format!("high[{index}]"),
            format!("index {index}: high {} is below low {}", bar.high, bar.low),
        ));
    }
    for (name, x) in [("open", bar.open), ("close", bar.close)] {
        if x < bar.low || x > bar.high {
            return Err(ElsonError::invalid(
                format!("{name}[{index}]"),
                format!(
                    "index {index}: {name} {x} is outside [low {}, high {}]",
                    bar.low, bar.high
                ),
            ));
        }
    }
    Ok(())
}

/// Checks every close; returns the first bad one.
///
/// # Errors
/// [`ElsonError::InvalidInput`] with field `close[i]`.
pub(crate) fn check_closes(closes: &[f64], offset: usize) -> Result<()> {
    // Branch-free scan first (vectorizes), exact position only on failure.
    let all_ok = closes.iter().fold(true, |ok, &x| ok & is_valid_price(x));
    if all_ok {
        return Ok(());
    }
    for (i, &x) in closes.iter().enumerate() {
        check_price("close", offset + i, x)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_reason(e: ElsonError) -> (String, String) {
        match e {
            ElsonError::InvalidInput { field, reason } => (field, reason),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_bad_price_class_is_refused_with_its_index() {
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, -1.0, 1e-310] {
            let (field, reason) = field_reason(check_price("close", 17, x).unwrap_err());
            assert_eq!(field, "close[17]");
            assert!(reason.starts_with("index 17: "), "{reason}");
        }
        assert!(check_price("close", 0, 1e-300).is_ok());
        assert!(check_price("close", 0, f64::MAX).is_ok());
    }

    #[test]
    fn closes_scan_reports_first_bad_index() {
        let xs = [1.0, 2.0, 3.0, f64::NAN, -1.0];
        let (field, _) = field_reason(check_closes(&xs, 100).unwrap_err());
        assert_eq!(field, "close[103]");
        assert!(check_closes(&xs[..3], 0).is_ok());
    }

    #[test]
    fn inconsistent_bars_are_refused() {
        let ok = Bar::new(10.0, 11.0, 9.0, 10.5);
        assert!(check_bar(0, &ok).is_ok());
        let cases = [
            (Bar::new(10.0, 9.0, 11.0, 10.0), "high[4]"),
            (Bar::new(12.0, 11.0, 9.0, 10.0), "open[4]"),
            (Bar::new(10.0, 11.0, 9.0, 8.0), "close[4]"),
            (Bar::new(10.0, 11.0, f64::NAN, 10.0), "low[4]"),
            (Bar::new(0.0, 11.0, 9.0, 10.0), "open[4]"),
        ];
        for (bar, want) in cases {
            let (field, reason) = field_reason(check_bar(4, &bar).unwrap_err());
            assert_eq!(field, want);
            assert!(reason.starts_with("index 4: "));
        }
    }
}
