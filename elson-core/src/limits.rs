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
///
/// Every text refuses NUL (U+0000): PostgreSQL's `text` cannot hold it, so
/// SQLite stored what PostgreSQL refused with a storage error; refusing it
/// here makes both backends (and every binding) answer `InvalidInput`
/// alike. An *identifier* ([`Self::identifier`]: a symbol, a flag name, a
/// sector, a parameter's type and name, a model version) also refuses every
/// other control character and the Unicode bidirectional controls
/// ([`is_bidi_control`]): an identifier is compared byte for byte and shown
/// to people, and such characters make two different identifiers look
/// alike (`"AA\u{202e}LPA"` displays as `AAPLA`…), break log lines, or
/// reorder the text around them ("Trojan Source", CVE-2021-42574). Free
/// text (names, titles, notes) keeps tabs, newlines and direction marks,
/// which prose in right-to-left scripts needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimit {
    /// Longest allowed length in characters.
    pub len_max: usize,
    /// Whether the empty (or all-whitespace) string is allowed.
    pub allow_empty: bool,
    /// Whether the text is an identifier: no control characters and no
    /// bidirectional controls (see the type's documentation).
    pub identifier: bool,
}

impl TextLimit {
    /// VARCHAR(20): symbols (an identifier).
    pub const SYMBOL: TextLimit = TextLimit { len_max: 20, allow_empty: false, identifier: true };
    /// VARCHAR(50), required.
    pub const SHORT: TextLimit = TextLimit { len_max: 50, allow_empty: false, identifier: false };
    /// VARCHAR(100), required (names, titles).
    pub const NAME: TextLimit = TextLimit { len_max: 100, allow_empty: false, identifier: false };
    /// VARCHAR(255), required (email, password hash, feedback title).
    pub const LONG: TextLimit = TextLimit { len_max: 255, allow_empty: false, identifier: false };
    /// TEXT: bounded at 64 KiB characters so one row cannot grow without end.
    pub const TEXT: TextLimit = TextLimit { len_max: 65_536, allow_empty: true, identifier: false };

    /// Same limit, but the empty string is allowed (optional columns).
    pub const fn optional(self) -> TextLimit {
        TextLimit { allow_empty: true, ..self }
    }

    /// Same limit for an identifier: no control characters and no
    /// bidirectional controls (see the type's documentation).
    ///
    /// ```
    /// use elson_core::limits::TextLimit;
    /// assert!(TextLimit::NAME.check("sector", "Tech\u{202e}").is_ok()); // free text
    /// assert!(TextLimit::NAME.identifier().check("sector", "Tech\u{202e}").is_err());
    /// ```
    pub const fn identifier(self) -> TextLimit {
        TextLimit { identifier: true, ..self }
    }

    /// Checks `value` against the limit.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming `field` for an empty or too long
    /// text, a NUL, and in an identifier a control or bidirectional control
    /// character (the reason names the character and its position).
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
        let refused =
            |c: char| c == '\0' || (self.identifier && (c.is_control() || is_bidi_control(c)));
        if let Some((i, c)) = value.chars().enumerate().find(|&(_, c)| refused(c)) {
            let what = if c == '\0' {
                "NUL, which no backend stores alike"
            } else if c.is_control() {
                "a control character, not allowed in an identifier"
            } else {
                "a bidirectional control, not allowed in an identifier"
            };
            return Err(ElsonError::invalid(
                field,
                format!("contains U+{:04X} at character {i}: {what}", u32::from(c)),
            ));
        }
        Ok(())
    }
}

/// Whether `c` is a Unicode bidirectional control: the embeddings and
/// overrides U+202A–U+202E, the isolates U+2066–U+2069, and the marks
/// U+200E (LRM), U+200F (RLM) and U+061C (ALM). They are invisible and
/// change how the text around them is displayed, not what it compares as.
pub const fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
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

    #[test]
    fn nul_is_refused_everywhere_control_and_bidi_in_identifiers() {
        let field = |r: Result<()>| match r {
            Err(ElsonError::InvalidInput { field, reason }) => (field, reason),
            other => panic!("{other:?}"),
        };
        let (f, reason) = field(TextLimit::TEXT.check("notes", "a\0b"));
        assert_eq!(f, "notes");
        assert!(reason.contains("U+0000 at character 1"), "{reason}");
        assert!(TextLimit::TEXT.check("notes", "tab\tnew\nline \u{200f}שלום").is_ok());
        for bad in ['\0', '\u{1}', '\t', '\n', '\r', '\u{7f}', '\u{85}', '\u{9f}'] {
            let (f, reason) = field(TextLimit::SYMBOL.check("symbol", &format!("AA{bad}PL")));
            assert_eq!(f, "symbol");
            assert!(reason.contains("at character 2"), "{reason}");
        }
        for bad in
            ['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}']
                .into_iter()
                .chain(['\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{61c}'])
        {
            assert!(is_bidi_control(bad));
            let (f, reason) =
                field(TextLimit::SHORT.identifier().check("model_version", &format!("{bad}v1")));
            assert_eq!(f, "model_version");
            assert!(reason.contains("bidirectional"), "{reason}");
            assert!(TextLimit::SHORT.check("title", &format!("{bad}v1")).is_ok(), "free text");
        }
        // Neighbours of the ranges, and ordinary non-ASCII, are fine.
        for ok in ["BRK.B", "ÉLAN", "日本", "X\u{2065}", "X\u{2070}", "X\u{202f}"] {
            assert!(TextLimit::SYMBOL.check("symbol", ok).is_ok(), "{ok:?}");
        }
        assert!(TextLimit::NAME.identifier().optional().check("sector", "").is_ok());
        assert!(TextLimit::NAME.optional().identifier().allow_empty);
    }
}
