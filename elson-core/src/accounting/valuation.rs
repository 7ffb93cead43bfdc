//! Notional and mark-to-market formulas of DESIGN §2, in one place.

use rust_decimal::Decimal;

use super::fixed;
use crate::entities::Position;
use crate::error::{ElsonError, Result};
use crate::limits::{DecimalLimit, TextLimit};

/// The derived columns of a position at a price, in units of their scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Valuation {
    /// `round2(quantity × current_price)`, cents.
    pub(crate) current_value: i64,
    /// `current_value − round2(quantity × average_price)`, cents.
    pub(crate) gain_loss: i64,
    /// `round2(100 × gain_loss / cost basis)`, hundredths of a percent.
    pub(crate) gain_loss_percent: i64,
}

/// Values `quantity` (micro-units) at `price` with cost `average` (cents).
///
/// # Errors
/// [`ElsonError::InvalidInput`] naming the derived column that would not fit
/// its DECIMAL type (`current_value`, `cost_basis`, `gain_loss`,
/// `gain_loss_percent`).
#[inline(always)]
pub(crate) fn value(quantity: i64, price: i64, average: i64) -> Result<Valuation> {
    let current_value =
        fixed::fit(&DecimalLimit::MONEY, "current_value", fixed::mul_micros(quantity, price))?;
    let basis =
        fixed::fit(&DecimalLimit::MONEY, "cost_basis", fixed::mul_micros(quantity, average))?;
    let gain_loss = fixed::fit(
        &DecimalLimit::MONEY_SIGNED,
        "gain_loss",
        i128::from(current_value) - i128::from(basis),
    )?;
    let gain_loss_percent = if basis == 0 {
        0
    } else {
        // 100 × gain_loss / basis, in hundredths: 10 000 × gain_loss / basis.
        fixed::fit(
            &DecimalLimit::PERCENT,
            "gain_loss_percent",
            fixed::div_half_even(i128::from(gain_loss) * 10_000, i128::from(basis)),
        )?
    };
    Ok(Valuation { current_value, gain_loss, gain_loss_percent })
}

/// `notional = round2(quantity × price)` (DESIGN §2), half-even.
///
/// # Errors
/// [`ElsonError::InvalidInput`] naming `quantity` or `price` when they are
/// not valid (negative, too many decimals, too large), or `notional` when the
/// product does not fit DECIMAL(15,2).
///
/// # Example
/// ```
/// use elson_core::accounting::notional;
/// use rust_decimal_macros::dec;
/// assert_eq!(notional(dec!(0.333333), dec!(10.00)).unwrap(), dec!(3.33));
/// assert_eq!(notional(dec!(1.5), dec!(0.01)).unwrap(), dec!(0.02)); // 0.015 → 0.02
/// ```
pub fn notional(quantity: Decimal, price: Decimal) -> Result<Decimal> {
    let q = fixed::to_units(&DecimalLimit::QUANTITY, "quantity", quantity)?;
    let p = fixed::to_units(&DecimalLimit::MONEY, "price", price)?;
    let n = fixed::fit(&DecimalLimit::MONEY, "notional", fixed::mul_micros(q, p))?;
    Ok(fixed::to_decimal(n, 2))
}

/// Shorthand for an error whose field is a derived column of a stored row.
pub(crate) fn row_mismatch(
    field: &str,
    symbol: &str,
    stored: Decimal,
    expected: Decimal,
) -> ElsonError {
    ElsonError::invalid(
        field,
        format!("position {symbol}: stored {stored}, but the rules give {expected}"),
    )
}

/// A position row's numbers in units of their scale, once checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PositionUnits {
    /// Quantity, micro-units.
    pub(crate) quantity: i64,
    /// Average price, cents.
    pub(crate) average: i64,
    /// Current value, cents.
    pub(crate) value: i64,
}

/// Checks one position row on its own: symbol and sector, a quantity above
/// zero (a closed position is removed, not kept at 0), valid prices, and
/// derived columns (`current_value`, `gain_loss`, `gain_loss_percent`)
/// equal to what [`value`] gives. [`crate::accounting::Book::from_rows`]
/// and [`Position::validate`] (so serde) both ask this, so the two can never
/// disagree on what a consistent position is.
///
/// # Errors
/// [`ElsonError::InvalidInput`] naming the column.
pub(crate) fn check_position_row(p: &Position) -> Result<PositionUnits> {
    TextLimit::SYMBOL.check("symbol", &p.symbol)?;
    if let Some(sector) = &p.sector {
        TextLimit::NAME.optional().identifier().check("sector", sector)?;
    }
    let quantity = fixed::to_units(&DecimalLimit::QUANTITY, "quantity", p.quantity)?;
    if quantity == 0 {
        return Err(ElsonError::invalid(
            "quantity",
            format!("position {} is empty; closed positions are removed", p.symbol),
        ));
    }
    let average = fixed::to_units(&DecimalLimit::MONEY, "average_price", p.average_price)?;
    let price = fixed::to_units(&DecimalLimit::MONEY, "current_price", p.current_price)?;
    let v = value(quantity, price, average)?;
    let checks = [
        ("current_value", p.current_value, v.current_value),
        ("gain_loss", p.gain_loss, v.gain_loss),
        ("gain_loss_percent", p.gain_loss_percent, v.gain_loss_percent),
    ];
    for (field, stored, expected) in checks {
        let expected = fixed::to_decimal(expected, 2);
        if stored != expected {
            return Err(row_mismatch(field, &p.symbol, stored, expected));
        }
    }
    Ok(PositionUnits { quantity, average, value: v.current_value })
}

/// A market price as given by a feed: money (DECIMAL(15,2), at most two
/// decimals) and above zero. Checked for every price a call gives, held
/// symbol or not, so a bad feed is noticed where it enters.
///
/// # Errors
/// `InvalidInput` naming `field`.
pub fn check_market_price(field: &str, price: Decimal) -> Result<Decimal> {
    let price = DecimalLimit::MONEY.check(field, price)?;
    if price.is_zero() {
        return Err(ElsonError::invalid(field, "a market price is above zero"));
    }
    Ok(price)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn valuation_follows_design() {
        // 3 shares, avg 100.00, price 110.00 → value 330.00, +30.00, +10.00 %
        let v = value(3_000_000, 11_000, 10_000).unwrap();
        assert_eq!(
            v,
            Valuation { current_value: 33_000, gain_loss: 3_000, gain_loss_percent: 1_000 }
        );
        // loss, with half-even rounding of the percent: −1/3 % → −0.33
        let v = value(3_000_000, 9_999, 10_000).unwrap();
        assert_eq!((v.gain_loss, v.gain_loss_percent), (-3, -1));
        // zero cost basis → percent 0
        let v = value(1_000_000, 500, 0).unwrap();
        assert_eq!((v.gain_loss, v.gain_loss_percent), (500, 0));
        // a percent that does not fit DECIMAL(10,2)
        let err = value(1_000_000, 100_000_000_000_000, 1).unwrap_err();
        assert!(
            matches!(err, ElsonError::InvalidInput { ref field, .. } if field == "gain_loss_percent")
        );
        let err = value(999_999_999_999_999, 999_999_999_999_999, 1).unwrap_err();
        assert!(
            matches!(err, ElsonError::InvalidInput { ref field, .. } if field == "current_value")
        );
    }

    #[test]
    fn notional_rounds_and_refuses() {
        assert_eq!(notional(dec!(2.5), dec!(0.01)).unwrap(), dec!(0.02));
        assert_eq!(notional(dec!(10), dec!(150)).unwrap().to_string(), "1500.00");
        let field = |r: Result<Decimal>| match r {
            Err(ElsonError::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(notional(dec!(1.0000001), dec!(1))), "quantity");
        assert_eq!(field(notional(dec!(1), dec!(1.001))), "price");
        assert_eq!(field(notional(dec!(999999999), dec!(999999999999))), "notional");
    }
}
