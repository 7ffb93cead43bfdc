//! The fee schedule (DESIGN §2): a rate of the notional with a minimum and an
//! optional maximum, rounded to cents.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fixed::{self, MICROS_PER_UNIT};
use crate::error::{ElsonError, Result};
use crate::limits::DecimalLimit;

/// Most decimals a fee rate may carry: a rate is stored as parts per million
/// so the fee is one exact integer product.
pub const FEE_RATE_SCALE_MAX: u32 = 6;

/// What a trade costs: `fee = round2(notional × rate)`, raised to `minimum`,
/// lowered to `maximum` (when set), and never more than the notional.
///
/// Why the notional cap: a minimum fee larger than the trade itself would make
/// a sell *cost* money (`total_amount = notional − fees < 0`) and could drive
/// the cash balance below zero, which DESIGN §2 forbids. A tiny trade
/// therefore pays at most its own notional. Trades whose notional rounds to
/// 0.00 are refused by [`crate::accounting::Book::execute`], so every charged
/// trade pays something.
///
/// Fields are private so a schedule is always valid: build one with
/// [`FeeSchedule::new`], [`FeeSchedule::default`] or [`FeeSchedule::zero`].
/// In JSON (e.g. a backtest configuration) it is
/// `{"rate": "0.0035", "minimum": "0.50", "maximum": null}`, validated by
/// [`FeeSchedule::new`] when read; unknown keys are refused.
///
/// # Example
/// ```
/// use elson_core::accounting::FeeSchedule;
/// use rust_decimal_macros::dec;
///
/// let fees = FeeSchedule::default(); // 0.35 %, minimum 0.50
/// assert_eq!(fees.fee(dec!(1000.00)).unwrap(), dec!(3.50));
/// assert_eq!(fees.fee(dec!(20.00)).unwrap(), dec!(0.50)); // the minimum
/// assert_eq!(fees.fee(dec!(0.30)).unwrap(), dec!(0.30)); // never above the notional
/// assert_eq!(FeeSchedule::zero().fee(dec!(1000.00)).unwrap(), dec!(0.00));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FeeScheduleSpec", into = "FeeScheduleSpec")]
pub struct FeeSchedule {
    rate: Decimal,
    minimum: Decimal,
    maximum: Option<Decimal>,
    rate_ppm: i64,
    minimum_cents: i64,
    maximum_cents: Option<i64>,
}

impl FeeSchedule {
    /// The default rate, 0.35 % of the notional (DESIGN §2).
    pub const DEFAULT_RATE: Decimal = Decimal::from_parts(35, 0, 0, false, 4);
    /// The default minimum fee, 0.50 (DESIGN §2).
    pub const DEFAULT_MINIMUM: Decimal = Decimal::from_parts(50, 0, 0, false, 2);

    /// 0.35 % of the notional, minimum 0.50, no maximum (DESIGN §2); a
    /// constant so it can live in a `static`.
    pub const DEFAULT: FeeSchedule = FeeSchedule {
        rate: Self::DEFAULT_RATE,
        minimum: Self::DEFAULT_MINIMUM,
        maximum: None,
        rate_ppm: 3_500,
        minimum_cents: 50,
        maximum_cents: None,
    };

    /// A schedule with the given rate (a fraction: `0.0035` is 0.35 %),
    /// minimum fee and optional maximum fee.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming `rate` when it is outside [0, 1]
    /// or has more than [`FEE_RATE_SCALE_MAX`] decimals; naming `minimum` or
    /// `maximum` when they are not valid fees (DECIMAL(10,2), ≥ 0) or when
    /// the maximum is below the minimum.
    pub fn new(rate: Decimal, minimum: Decimal, maximum: Option<Decimal>) -> Result<FeeSchedule> {
        if rate.is_sign_negative() && !rate.is_zero() || rate > Decimal::ONE {
            return Err(ElsonError::invalid("rate", format!("{rate} is outside [0, 1]")));
        }
        let rate_ppm = fixed::to_units(&RATE_LIMIT, "rate", rate)?;
        let minimum_cents = fixed::to_units(&DecimalLimit::FEES, "minimum", minimum)?;
        let maximum_cents = match maximum {
            None => None,
            Some(max) => {
                let cents = fixed::to_units(&DecimalLimit::FEES, "maximum", max)?;
                if cents < minimum_cents {
                    return Err(ElsonError::invalid(
                        "maximum",
                        format!("{max} is below the minimum {minimum}"),
                    ));
                }
                Some(cents)
            }
        };
        Ok(FeeSchedule { rate, minimum, maximum, rate_ppm, minimum_cents, maximum_cents })
    }

    /// No fees at all: for tests, backtests that model costs elsewhere, and
    /// promotions.
    pub const fn zero() -> FeeSchedule {
        FeeSchedule {
            rate: Decimal::ZERO,
            minimum: Decimal::ZERO,
            maximum: None,
            rate_ppm: 0,
            minimum_cents: 0,
            maximum_cents: None,
        }
    }

    /// The rate, as a fraction of the notional.
    pub fn rate(&self) -> Decimal {
        self.rate
    }

    /// The minimum fee of a trade (before the notional cap).
    pub fn minimum(&self) -> Decimal {
        self.minimum
    }

    /// The maximum fee of a trade, if any.
    pub fn maximum(&self) -> Option<Decimal> {
        self.maximum
    }

    /// The fee of a trade with this notional, in cents, rounded half-even.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming `notional` when it is not valid
    /// money (negative, more than 2 decimals, too large), or naming `fees`
    /// when the fee does not fit DECIMAL(10,2) (set a maximum).
    pub fn fee(&self, notional: Decimal) -> Result<Decimal> {
        let cents = fixed::to_units(&DecimalLimit::MONEY, "notional", notional)?;
        Ok(fixed::to_decimal(self.fee_cents(cents)?, 2))
    }

    /// [`Self::fee`] on cents: the hot path of [`crate::accounting::Book`].
    #[inline(always)]
    pub(crate) fn fee_cents(&self, notional_cents: i64) -> Result<i64> {
        let by_rate = fixed::div_half_even(
            i128::from(notional_cents) * i128::from(self.rate_ppm),
            i128::from(MICROS_PER_UNIT),
        );
        let mut fee = by_rate.max(i128::from(self.minimum_cents));
        if let Some(max) = self.maximum_cents {
            fee = fee.min(i128::from(max));
        }
        fee = fee.min(i128::from(notional_cents));
        fixed::fit(&DecimalLimit::FEES, "fees", fee)
    }
}

/// A rate in [0, 1] with at most six decimals.
const RATE_LIMIT: DecimalLimit = DecimalLimit {
    precision: 7,
    scale: FEE_RATE_SCALE_MAX,
    min: Some(Decimal::ZERO),
    max: Some(Decimal::ONE),
};

/// The serialized form of a [`FeeSchedule`]: its three public numbers.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeeScheduleSpec {
    rate: Decimal,
    minimum: Decimal,
    #[serde(default)]
    maximum: Option<Decimal>,
}

impl TryFrom<FeeScheduleSpec> for FeeSchedule {
    type Error = ElsonError;
    fn try_from(spec: FeeScheduleSpec) -> Result<FeeSchedule> {
        FeeSchedule::new(spec.rate, spec.minimum, spec.maximum)
    }
}

impl From<FeeSchedule> for FeeScheduleSpec {
    fn from(f: FeeSchedule) -> FeeScheduleSpec {
        FeeScheduleSpec { rate: f.rate, minimum: f.minimum, maximum: f.maximum }
    }
}

impl Default for FeeSchedule {
    /// [`FeeSchedule::DEFAULT`].
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn default_matches_new() {
        let built = FeeSchedule::new(dec!(0.0035), dec!(0.50), None).unwrap();
        assert_eq!(built.rate_ppm, FeeSchedule::default().rate_ppm);
        assert_eq!(built.minimum_cents, FeeSchedule::default().minimum_cents);
        assert_eq!(FeeSchedule::default().rate(), dec!(0.0035));
        assert_eq!(FeeSchedule::default().minimum(), dec!(0.50));
        assert_eq!(FeeSchedule::default().maximum(), None);
    }

    #[test]
    fn rate_minimum_maximum_and_cap() {
        let f = FeeSchedule::default();
        assert_eq!(f.fee(dec!(1000.00)).unwrap(), dec!(3.50));
        assert_eq!(f.fee(dec!(142.86)).unwrap(), dec!(0.50)); // 0.50001 → 0.50
        assert_eq!(f.fee(dec!(100.00)).unwrap(), dec!(0.50)); // 0.35 → minimum
        assert_eq!(f.fee(dec!(0.40)).unwrap(), dec!(0.40)); // capped at the notional
        assert_eq!(f.fee(dec!(0)).unwrap(), dec!(0));
        let capped = FeeSchedule::new(dec!(0.01), dec!(1), Some(dec!(5))).unwrap();
        assert_eq!(capped.fee(dec!(10000)).unwrap(), dec!(5.00));
        assert_eq!(capped.fee(dec!(250)).unwrap(), dec!(2.50));
        assert_eq!(capped.maximum(), Some(dec!(5)));
    }

    #[test]
    fn half_even_rounding_of_the_rate_part() {
        let f = FeeSchedule::new(dec!(0.005), dec!(0), None).unwrap();
        assert_eq!(f.fee(dec!(1.00)).unwrap(), dec!(0.00)); // 0.005 → 0.00 (even)
        assert_eq!(f.fee(dec!(3.00)).unwrap(), dec!(0.02)); // 0.015 → 0.02 (even)
        assert_eq!(f.fee(dec!(5.00)).unwrap(), dec!(0.02)); // 0.025 → 0.02 (even)
        assert_eq!(f.fee(dec!(5.02)).unwrap(), dec!(0.03)); // 0.0251 → 0.03
    }

    #[test]
    fn json_round_trip_is_validated() {
        let f = FeeSchedule::new(dec!(0.01), dec!(1), Some(dec!(5))).unwrap();
        let text = serde_json::to_string(&f).unwrap();
        assert_eq!(text, r#"{"rate":"0.01","minimum":"1","maximum":"5"}"#);
        assert_eq!(serde_json::from_str::<FeeSchedule>(&text).unwrap(), f);
        let d: FeeSchedule = serde_json::from_str(r#"{"rate":"0.0035","minimum":"0.50"}"#).unwrap();
        assert_eq!(d, FeeSchedule::default());
        assert!(serde_json::from_str::<FeeSchedule>(r#"{"rate":"2","minimum":"0"}"#).is_err());
        assert!(
            serde_json::from_str::<FeeSchedule>(r#"{"rate":"0","minimum":"0","extra":1}"#).is_err()
        );
    }

    #[test]
    fn invalid_schedules_and_notionals() {
        let field = |r: Result<FeeSchedule>| match r {
            Err(ElsonError::InvalidInput { field, .. }) => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        };
        assert_eq!(field(FeeSchedule::new(dec!(-0.01), dec!(0), None)), "rate");
        assert_eq!(field(FeeSchedule::new(dec!(1.01), dec!(0), None)), "rate");
        assert_eq!(field(FeeSchedule::new(dec!(0.0000001), dec!(0), None)), "rate");
        assert_eq!(field(FeeSchedule::new(dec!(0.01), dec!(-1), None)), "minimum");
        assert_eq!(field(FeeSchedule::new(dec!(0.01), dec!(0.001), None)), "minimum");
        assert_eq!(field(FeeSchedule::new(dec!(0.01), dec!(2), Some(dec!(1)))), "maximum");
        assert_eq!(field(FeeSchedule::new(dec!(0.01), dec!(0), Some(dec!(-1)))), "maximum");
        assert!(FeeSchedule::new(dec!(1), dec!(0), None).is_ok());
        assert!(FeeSchedule::new(dec!(0), dec!(0), None).is_ok());
        let f = FeeSchedule::default();
        assert!(
            matches!(f.fee(dec!(-1)), Err(ElsonError::InvalidInput { ref field, .. }) if field == "notional")
        );
        assert!(f.fee(dec!(1.001)).is_err());
        // 0.35 % of 9,999,999,999,999.99 does not fit DECIMAL(10,2).
        assert!(
            matches!(f.fee(dec!(9999999999999.99)), Err(ElsonError::InvalidInput { ref field, .. }) if field == "fees")
        );
    }
}
