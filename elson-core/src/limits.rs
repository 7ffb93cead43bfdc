//! Column limits as values: every DECIMAL(p,s), VARCHAR(n) and bounded integer
//! of the data model is a named constant here, and checking a value against
//! its limit is one call that returns an error naming the field.
//!
//! Why a type and not ad-hoc `if`s: the same limits are enforced by
//! constructors, accounting and (later) the store and the bindings, and the
//! error text must be identical everywhere.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{ElsonError, Result};

/// A `DECIMAL(precision, scale)` column, optionally restricted in range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecimalLimit {
    /// Total significant digits allowed.
    pub precision: u32,
    /// Digits after the decimal point.
    pub scale: u32,
    /// Smallest allowed value, if any.
    pub min: Option<Decimal>,
    /// Largest allowed value, if any.
    pub max: Option<Decimal>,
}

impl DecimalLimit {
    /// Money, DECIMAL(15,2), not negative (`cash_balance`, `price`, …).
    pub const MONEY: DecimalLimit =
        DecimalLimit { precision: 15, scale: 2, min: Some(Decimal::ZERO), max: None };
    /// Signed money, DECIMAL(15,2) (`gain_loss`, `profit_loss`).
    pub const MONEY_SIGNED: DecimalLimit =
        DecimalLimit { precision: 15, scale: 2, min: None, max: None };
    /// Fees, DECIMAL(10,2), not negative.
    pub const FEES: DecimalLimit =
        DecimalLimit { precision: 10, scale: 2, min: Some(Decimal::ZERO), max: None };
    /// Quantity, DECIMAL(15,6), not negative.
    pub const QUANTITY: DecimalLimit =
        DecimalLimit { precision: 15, scale: 6, min: Some(Decimal::ZERO), max: None };
    /// Percentage, DECIMAL(10,2), signed (`gain_loss_percent`).
    pub const PERCENT: DecimalLimit =
        DecimalLimit { precision: 10, scale: 2, min: None, max: None };
    /// Win rate in percent, DECIMAL(5,2), 0–100.
    pub const WIN_RATE: DecimalLimit = DecimalLimit {
        precision: 5,
        scale: 2,
        min: Some(Decimal::ZERO),
        max: Some(Decimal::ONE_HUNDRED),
    };
    /// A fraction in [0, 1], DECIMAL(5,2) (`confidence_score`, `position_sizing`).
    pub const UNIT_FRACTION: DecimalLimit =
        DecimalLimit { precision: 5, scale: 2, min: Some(Decimal::ZERO), max: Some(Decimal::ONE) };
    /// DECIMAL(10,4), signed (`volatility_value`, `sharpe_ratio`, `drawdown_max`).
    pub const RATIO: DecimalLimit = DecimalLimit { precision: 10, scale: 4, min: None, max: None };
    /// DECIMAL(15,6), signed (`model_parameters.parameter_value`).
    pub const PARAMETER: DecimalLimit =
        DecimalLimit { precision: 15, scale: 6, min: None, max: None };

    /// Checks `value` exactly: more decimals than the scale, more integer
    /// digits than `precision - scale`, or a value out of range is an error.
    /// Nothing is rounded: a value that does not fit is refused.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming `field`.
    ///
    /// # Example
    /// ```
    /// use elson_core::limits::DecimalLimit;
    /// use rust_decimal::Decimal;
    /// assert!(DecimalLimit::MONEY.check("price", Decimal::new(1999, 2)).is_ok());
    /// assert!(DecimalLimit::MONEY.check("price", Decimal::new(19999, 3)).is_err());
    /// ```
    pub fn check(&self, field: &str, value: Decimal) -> Result<Decimal> {
        let normalized = value.normalize();
        if normalized.scale() > self.scale {
            return Err(ElsonError::invalid(
                field,
                format!("{value} has more than {} decimal places", self.scale),
            ));
        }
        let int_digits_max = self.precision - self.scale;
        let bound = Decimal::from_i128_with_scale(10i128.pow(int_digits_max), 0);
        if normalized.abs() >= bound {
            return Err(ElsonError::invalid(
                field,
                format!("{value} exceeds DECIMAL({},{})", self.precision, self.scale),
            ));
        }
        if let Some(min) = self.min
            && normalized < min
        {
            return Err(ElsonError::invalid(field, format!("{value} is below {min}")));
        }
        if let Some(max) = self.max
            && normalized > max
        {
            return Err(ElsonError::invalid(field, format!("{value} is above {max}")));
        }
        Ok(value)
    }

    /// Rounds a computed value to the column's scale (half-even) and then
    /// checks it. Use for values the SDK produces; use [`Self::check`] for
    /// values a caller provides.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] when the rounded value still does not fit.
    pub fn round(&self, field: &str, value: Decimal) -> Result<Decimal> {
        self.check(
            field,
            value.round_dp_with_strategy(self.scale, RoundingStrategy::MidpointNearestEven),
        )
    }
}

/// Rounds money to cents, half-even ("banker's") rounding (DESIGN §1).
///
/// ```
/// use elson_core::limits::round_money;
/// use rust_decimal::Decimal;
/// assert_eq!(round_money(Decimal::new(1005, 3)), Decimal::new(100, 2)); // 1.005 → 1.00
/// assert_eq!(round_money(Decimal::new(1015, 3)), Decimal::new(102, 2)); // 1.015 → 1.02
/// ```
pub fn round_money(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

/// A `VARCHAR(n)` column (or TEXT with a sanity bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimit {
    /// Longest allowed length in characters.
    pub len_max: usize,
    /// Whether the empty (or all-whitespace) string is allowed.
    pub allow_empty: bool,
}

impl TextLimit {
    /// VARCHAR(20): symbols.
    pub const SYMBOL: TextLimit = TextLimit { len_max: 20, allow_empty: false };
    /// VARCHAR(50), required.
    pub const SHORT: TextLimit = TextLimit { len_max: 50, allow_empty: false };
    /// VARCHAR(100), required (names, titles).
    pub const NAME: TextLimit = TextLimit { len_max: 100, allow_empty: false };
    /// VARCHAR(255), required (email, password hash, feedback title).
    pub const LONG: TextLimit = TextLimit { len_max: 255, allow_empty: false };
    /// TEXT: bounded at 64 KiB characters so one row cannot grow without end.
    pub const TEXT: TextLimit = TextLimit { len_max: 65_536, allow_empty: true };

    /// Same limit, but the empty string is allowed (optional columns).
    pub const fn optional(self) -> TextLimit {
        TextLimit { len_max: self.len_max, allow_empty: true }
    }

    /// Checks `value` against the limit.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming `field` for an empty or too long text.
    pub fn check(&self, field: &str, value: &str) -> Result<()> {
        if !self.allow_empty && value.trim().is_empty() {
            return Err(ElsonError::invalid(field, "must not be empty"));
        }
        let len = value.chars().count();
        if len > self.len_max {
            return Err(ElsonError::invalid(
                field,
                format!("is {len} characters long, at most {} allowed", self.len_max),
            ));
        }
        Ok(())
    }
}

/// Checks an integer score in 0–100 (`risk_score`, `diversification_score`,
/// `user_percentage`).
///
/// # Errors
/// [`ElsonError::InvalidInput`] naming `field` when out of range.
pub fn check_score(field: &str, value: i32) -> Result<i32> {
    if (0..=100).contains(&value) {
        Ok(value)
    } else {
        Err(ElsonError::invalid(field, format!("{value} is outside 0–100")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn money_limits() {
        let m = DecimalLimit::MONEY;
        assert!(m.check("cash_balance", dec!(9999999999999.99)).is_ok());
        assert!(m.check("cash_balance", dec!(10000000000000.00)).is_err());
        assert!(m.check("cash_balance", dec!(-0.01)).is_err());
        assert!(m.check("cash_balance", dec!(1.001)).is_err());
        assert!(m.check("cash_balance", dec!(1.0100)).is_ok(), "trailing zeros fit");
        let err = m.check("cash_balance", dec!(-1)).unwrap_err();
        assert!(
            matches!(err, ElsonError::InvalidInput { ref field, .. } if field == "cash_balance")
        );
    }

    #[test]
    fn quantity_and_fraction_limits() {
        assert!(DecimalLimit::QUANTITY.check("quantity", dec!(0.000001)).is_ok());
        assert!(DecimalLimit::QUANTITY.check("quantity", dec!(0.0000001)).is_err());
        assert!(DecimalLimit::UNIT_FRACTION.check("confidence_score", dec!(1.01)).is_err());
        assert!(DecimalLimit::UNIT_FRACTION.check("confidence_score", dec!(0.55)).is_ok());
        assert_eq!(DecimalLimit::MONEY.round("fees", dec!(0.125)).unwrap(), dec!(0.12));
    }

    #[test]
    fn text_and_score_limits() {
        assert!(TextLimit::SYMBOL.check("symbol", "AAPL").is_ok());
        assert!(TextLimit::SYMBOL.check("symbol", "").is_err());
        assert!(TextLimit::SYMBOL.check("symbol", &"X".repeat(21)).is_err());
        assert!(TextLimit::NAME.optional().check("sector", "").is_ok());
        assert!(check_score("risk_score", 101).is_err());
        assert!(check_score("risk_score", -1).is_err());
        assert_eq!(check_score("risk_score", 0).unwrap(), 0);
    }
}
