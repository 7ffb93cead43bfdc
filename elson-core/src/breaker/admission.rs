//! What each breaker state allows (DESIGN §6).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::enums::{CircuitBreakerState, TradeSide};
use crate::error::{ElsonError, Result};
use crate::limits::DecimalLimit;

/// The facts about an order that admission needs. The sizing verdict comes
/// from the `sizing` module (the largest buy allowed under the current
/// state and regime); admission only reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderIntent {
    /// BUY or SELL.
    pub side: TradeSide,
    /// True when the request cancels an existing order instead of placing one.
    pub is_cancel: bool,
    /// The order's notional (money, ≥ 0); carried into the refusal message.
    pub notional: Decimal,
    /// Whether the order is within the position-sizing limit. For a sell,
    /// pass `true` unless your sizing policy limits sells too.
    pub within_sizing_limit: bool,
}

/// Whether `order` may be placed under the governing `state`:
/// OPEN — no new orders (cancelling is allowed); RESTRICTED — sells, and
/// buys within the sizing limit; CAUTIOUS — all orders within the sizing
/// limit; CLOSED — all orders. A cancel is always allowed: it only removes risk.
///
/// # Errors
/// - [`ElsonError::TradingHalted`] with the state's seed name and why, when
///   the state does not allow the order.
/// - [`ElsonError::InvalidInput`] (field `notional`) for a negative notional
///   or one that does not fit DECIMAL(15,2).
///
/// # Example
/// ```
/// use elson_core::breaker::{admit, OrderIntent};
/// use elson_core::enums::{CircuitBreakerState as S, TradeSide};
/// use rust_decimal::Decimal;
///
/// let buy = OrderIntent { side: TradeSide::Buy, is_cancel: false,
///     notional: Decimal::new(50_000, 2), within_sizing_limit: false };
/// assert!(admit(S::Closed, &buy).is_ok());
/// assert_eq!(admit(S::Restricted, &buy).unwrap_err().code(), "TRADING_HALTED");
/// let sell = OrderIntent { side: TradeSide::Sell, ..buy };
/// assert!(admit(S::Restricted, &sell).is_ok());
/// let cancel = OrderIntent { is_cancel: true, ..buy };
/// assert!(admit(S::Open, &cancel).is_ok());
/// ```
pub fn admit(state: CircuitBreakerState, order: &OrderIntent) -> Result<()> {
    use CircuitBreakerState::{Cautious, Closed, Open, Restricted};
    use TradeSide::{Buy, Sell};

    DecimalLimit::MONEY.check("notional", order.notional)?;
    let refuse = |why: &str| {
        Err(ElsonError::TradingHalted {
            state: state.as_str().to_string(),
            reason: format!("{why}; {} of {} refused", order.side, order.notional),
        })
    };
    match (state, order.is_cancel, order.side, order.within_sizing_limit) {
        // Cancelling only removes exposure, so even OPEN allows it.
        (_, true, _, _) => Ok(()),
        (Closed, false, _, _) => Ok(()),
        (Cautious, false, _, true) => Ok(()),
        (Cautious, false, _, false) => {
            refuse("CAUTIOUS allows only orders within the sizing limit")
        }
        // A sell reduces exposure: RESTRICTED lets it through whatever its size.
        (Restricted, false, Sell, _) => Ok(()),
        (Restricted, false, Buy, true) => Ok(()),
        (Restricted, false, Buy, false) => {
            refuse("RESTRICTED allows sells, and buys only within the sizing limit")
        }
        (Open, false, _, _) => {
            refuse("trading is halted: no new orders while OPEN, cancelling is allowed")
        }
    }
}
