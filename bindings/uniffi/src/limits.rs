//! The column limits of the data model, so that an app can validate a form
//! field with exactly the rule the SDK will apply later.

use elson_core::limits::{self as core_limits, DecimalLimit, TextLimit};
use rust_decimal::Decimal;

use crate::Result;

/// A decimal column kind and its bounds (DESIGN §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DecimalKind {
    /// DECIMAL(15,2), ≥ 0: cash, prices, values.
    Money,
    /// DECIMAL(15,2), signed: gains, losses, P/L.
    MoneySigned,
    /// DECIMAL(10,2), ≥ 0.
    Fees,
    /// DECIMAL(15,6), ≥ 0.
    Quantity,
    /// DECIMAL(5,2) percentages.
    Percent,
    /// DECIMAL(5,2) in [0, 100].
    WinRate,
    /// Scale 2 in [0, 1]: confidence and sizing factors.
    UnitFraction,
    /// DECIMAL(10,4): Sharpe, drawdown, volatility.
    Ratio,
    /// DECIMAL(15,6): model parameter values.
    Parameter,
}

impl DecimalKind {
    fn limit(self) -> DecimalLimit {
        match self {
            DecimalKind::Money => DecimalLimit::MONEY,
            DecimalKind::MoneySigned => DecimalLimit::MONEY_SIGNED,
            DecimalKind::Fees => DecimalLimit::FEES,
            DecimalKind::Quantity => DecimalLimit::QUANTITY,
            DecimalKind::Percent => DecimalLimit::PERCENT,
            DecimalKind::WinRate => DecimalLimit::WIN_RATE,
            DecimalKind::UnitFraction => DecimalLimit::UNIT_FRACTION,
            DecimalKind::Ratio => DecimalLimit::RATIO,
            DecimalKind::Parameter => DecimalLimit::PARAMETER,
        }
    }
}

/// A text column kind and its length bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TextKind {
    /// VARCHAR(20), not empty: symbols.
    Symbol,
    /// VARCHAR(50), not empty.
    Short,
    /// VARCHAR(100), not empty: names, titles.
    Name,
    /// VARCHAR(255), not empty.
    Long,
    /// Free text up to 64 KiB, may be empty.
    Text,
}

impl TextKind {
    fn limit(self) -> TextLimit {
        match self {
            TextKind::Symbol => TextLimit::SYMBOL,
            TextKind::Short => TextLimit::SHORT,
            TextKind::Name => TextLimit::NAME,
            TextKind::Long => TextLimit::LONG,
            TextKind::Text => TextLimit::TEXT,
        }
    }
}

/// Checks that `value` fits the column exactly (no rounding): precision,
/// scale and range. Returns the value unchanged.
///
/// # Errors
/// `InvalidInput` on `field` when the value does not fit.
#[uniffi::export]
pub fn check_decimal(kind: DecimalKind, field: String, value: Decimal) -> Result<Decimal> {
    Ok(kind.limit().check(&field, value)?)
}

/// Rounds `value` half-even to the column's scale, then checks it fits.
///
/// # Errors
/// `InvalidInput` on `field` when the rounded value does not fit.
#[uniffi::export]
pub fn round_decimal(kind: DecimalKind, field: String, value: Decimal) -> Result<Decimal> {
    Ok(kind.limit().round(&field, value)?)
}

/// Rounds money to cents, half-even ("banker's"), as every stored amount is.
///
/// # Errors
/// Never for a value that crossed the FFI; `InvalidInput` on a malformed
/// decimal string.
#[uniffi::export]
pub fn round_money(value: Decimal) -> Result<Decimal> {
    Ok(core_limits::round_money(value))
}

/// Checks a text value against its column (`optional` allows empty text).
///
/// # Errors
/// `InvalidInput` on `field` when the text is empty (and not optional) or
/// too long.
#[uniffi::export]
pub fn check_text(kind: TextKind, field: String, value: String, optional: bool) -> Result<()> {
    let limit = if optional { kind.limit().optional() } else { kind.limit() };
    Ok(limit.check(&field, &value)?)
}

/// Checks a 0–100 score.
///
/// # Errors
/// `InvalidInput` on `field` outside 0–100.
#[uniffi::export]
pub fn check_score(field: String, value: i32) -> Result<i32> {
    Ok(core_limits::check_score(&field, value)?)
}
