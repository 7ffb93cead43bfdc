//! One buy against the limit: accept, reject or resize.

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

use super::max_buy_notional;
use crate::enums::{CircuitBreakerState, RiskProfile, VolatilityLevel};
use crate::error::{ElsonError, Result};
use crate::limits::DecimalLimit;
use crate::params::ParameterSet;

/// Scale of a quantity (DECIMAL(15,6)): a resized quantity never has more.
pub const QUANTITY_SCALE: u32 = 6;

/// What [`check_buy`] does with a buy over the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SizingMode {
    /// Refuse it with [`ElsonError::PositionLimitExceeded`].
    Reject,
    /// Scale the quantity down to the largest that fits.
    Resize,
}

/// The outcome of a buy that may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizingDecision {
    /// The buy fits as asked.
    Accepted {
        /// The quantity asked for.
        quantity: Decimal,
        /// `round2(quantity × price)`.
        notional: Decimal,
        /// The limit it was checked against.
        limit: Decimal,
    },
    /// The buy was scaled down to fit ([`SizingMode::Resize`]).
    Resized {
        /// The quantity asked for.
        requested_quantity: Decimal,
        /// The largest quantity with at most 6 decimals whose exact
        /// `quantity × price` is within the limit.
        quantity: Decimal,
        /// `round2(quantity × price)` of the resized quantity.
        notional: Decimal,
        /// The limit it was fitted to.
        limit: Decimal,
    },
}

impl SizingDecision {
    /// The quantity to trade.
    pub fn quantity(&self) -> Decimal {
        match *self {
            SizingDecision::Accepted { quantity, .. }
            | SizingDecision::Resized { quantity, .. } => quantity,
        }
    }

    /// The notional of the quantity to trade.
    pub fn notional(&self) -> Decimal {
        match *self {
            SizingDecision::Accepted { notional, .. }
            | SizingDecision::Resized { notional, .. } => notional,
        }
    }

    /// The limit the buy was checked against.
    pub fn limit(&self) -> Decimal {
        match *self {
            SizingDecision::Accepted { limit, .. } | SizingDecision::Resized { limit, .. } => limit,
        }
    }

    /// Whether the quantity was scaled down.
    pub fn was_resized(&self) -> bool {
        matches!(self, SizingDecision::Resized { .. })
    }
}

/// Everything the limit depends on, so [`check_buy`] does not take a dozen
/// positional arguments.
#[derive(Debug, Clone, Copy)]
pub struct SizingContext<'a> {
    /// Where every number is read from.
    pub params: &'a ParameterSet,
    /// The portfolio's total value (money, ≥ 0).
    pub total_value: Decimal,
    /// The user's risk profile (picks `max_position_pct`).
    pub risk_profile: RiskProfile,
    /// The governing circuit-breaker state.
    pub breaker_state: CircuitBreakerState,
    /// The symbol's stabilized regime.
    pub regime: VolatilityLevel,
    /// When the order is placed: parameters are read as of this time.
    pub at: DateTime<Utc>,
}

impl SizingContext<'_> {
    /// [`max_buy_notional`] for this context.
    ///
    /// # Errors
    /// As [`max_buy_notional`].
    pub fn limit(&self) -> Result<Decimal> {
        max_buy_notional(
            self.total_value,
            self.risk_profile,
            self.breaker_state,
            self.regime,
            self.params,
            self.at,
        )
    }
}

/// Checks a buy of `quantity` at `price` against the sizing limit; in
/// [`SizingMode::Resize`] a buy over the limit is scaled down to the largest
/// quantity (at most 6 decimals, never rounded up) whose exact
/// `quantity × price` is within the limit.
///
/// # Errors
/// - [`ElsonError::InvalidInput`] for a quantity that is not positive or has
///   more than 6 decimals, a price that is not positive money, or a notional
///   that does not fit DECIMAL(15,2); otherwise as [`max_buy_notional`].
/// - [`ElsonError::PositionLimitExceeded`] with the requested notional and
///   the limit, in [`SizingMode::Reject`] when the buy is over the limit, and
///   in [`SizingMode::Resize`] when not even 0.000001 fits (limit 0, e.g.
///   breaker OPEN).
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use elson_core::enums::{CircuitBreakerState, RiskProfile, VolatilityLevel};
/// use elson_core::params::ParameterSet;
/// use elson_core::sizing::{SizingContext, SizingMode, check_buy};
/// use rust_decimal::Decimal;
///
/// let params = ParameterSet::builtin();
/// let ctx = SizingContext {
///     params: &params,
///     total_value: Decimal::new(1_000_000, 2), // 10 000.00
///     risk_profile: RiskProfile::Low,          // 5 %
///     breaker_state: CircuitBreakerState::Closed,
///     regime: VolatilityLevel::Low,            // factor 1.00 → limit 500.00
///     at: Utc.with_ymd_and_hms(2026, 1, 15, 15, 30, 0).unwrap(),
/// };
/// let price = Decimal::new(30_000, 2); // 300.00
/// assert!(check_buy(Decimal::TWO, price, &ctx, SizingMode::Reject).is_err());
/// let resized = check_buy(Decimal::TWO, price, &ctx, SizingMode::Resize)?;
/// assert_eq!(resized.quantity(), Decimal::new(1_666_666, 6)); // 1.666666
/// assert_eq!(resized.notional(), Decimal::new(50_000, 2));    // 499.9998 → 500.00
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
pub fn check_buy(
    quantity: Decimal,
    price: Decimal,
    ctx: &SizingContext<'_>,
    mode: SizingMode,
) -> Result<SizingDecision> {
    DecimalLimit::QUANTITY.check("quantity", quantity)?;
    if quantity.is_zero() {
        return Err(ElsonError::invalid("quantity", "must be positive"));
    }
    DecimalLimit::MONEY.check("price", price)?;
    if price.is_zero() {
        return Err(ElsonError::invalid("price", "must be positive"));
    }
    let notional = notional_of(quantity, price)?;
    let limit = ctx.limit()?;
    if notional <= limit {
        return Ok(SizingDecision::Accepted { quantity, notional, limit });
    }
    if mode == SizingMode::Reject {
        return Err(ElsonError::PositionLimitExceeded { requested: notional, limit });
    }
    let resized = largest_quantity_within(limit, price);
    if resized.is_zero() {
        return Err(ElsonError::PositionLimitExceeded { requested: notional, limit });
    }
    let resized_notional = notional_of(resized, price)?;
    // After this point the resize succeeds.
    debug_assert!(resized < quantity, "Invariant: a resize only scales down");
    debug_assert!(resized * price <= limit, "Invariant: the exact resized notional fits");
    debug_assert!(resized_notional <= limit, "Invariant: the rounded resized notional fits");
    debug_assert!(resized.scale() <= QUANTITY_SCALE, "Invariant: at most 6 decimals");
    Ok(SizingDecision::Resized {
        requested_quantity: quantity,
        quantity: resized,
        notional: resized_notional,
        limit,
    })
}

/// `round2(quantity × price)` checked against DECIMAL(15,2).
fn notional_of(quantity: Decimal, price: Decimal) -> Result<Decimal> {
    let raw = quantity
        .checked_mul(price)
        .ok_or_else(|| ElsonError::invalid("notional", "quantity × price overflowed"))?;
    DecimalLimit::MONEY.round("notional", raw)
}

/// `floor6(limit / price)`: the largest 6-decimal quantity whose exact
/// notional is within `limit` (`price` > 0 and `limit` ≥ 0, checked by the
/// caller).
fn largest_quantity_within(limit: Decimal, price: Decimal) -> Decimal {
    let Some(quotient) = limit.checked_div(price) else {
        return Decimal::ZERO;
    };
    let mut quantity = quotient.round_dp_with_strategy(QUANTITY_SCALE, RoundingStrategy::ToZero);
    // The quotient is rounded at its 28th digit, which can lift a value like
    // 2.99999999…9 to 3; one step down restores `quantity × price ≤ limit`.
    if quantity * price > limit {
        quantity -= Decimal::new(1, QUANTITY_SCALE);
    }
    quantity.normalize()
}
