//! Whether rows that did not come from this library's own commands (a
//! migration, a backfill, a restored file) could have: each trade row a
//! state the lifecycle and the approval rules can reach, and each position
//! the sum of its portfolio's executed trades. The store's `import` asks
//! these before it commits anything.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use uuid::Uuid;

use crate::accounting::notional;
use crate::entities::{Position, Trade};
use crate::enums::{GuardianApproval as A, TradeSide, TradeStatus as S};
use crate::error::{ElsonError, Result};

fn bad(trade: &Trade, field: &str, reason: impl std::fmt::Display) -> ElsonError {
    ElsonError::invalid(field, format!("trade {}: {reason}", trade.id))
}

/// A trade row is one the lifecycle (DESIGN §2) and the approval rules
/// (DESIGN §3) can produce: `executed_at`, price, fees and total set
/// exactly when EXECUTED, with `total_amount = notional ± fees`; a trade
/// waiting for a guardian never EXECUTED (it may be cancelled or rejected
/// while it waits), a refused one REJECTED, an executed one approved or not
/// needing approval; and only a minor's trades ever needing approval.
///
/// # Errors
/// `InvalidInput` naming the column that contradicts the rest.
pub fn check_trade_row(trade: &Trade, owner_is_minor: bool) -> Result<()> {
    let executed = trade.status == S::Executed;
    if executed != trade.executed_at.is_some() {
        return Err(bad(trade, "executed_at", "is set exactly when the status is EXECUTED"));
    }
    if executed {
        let (Some(price), Some(fees), Some(total)) = (trade.price, trade.fees, trade.total_amount)
        else {
            return Err(bad(trade, "total_amount", "an EXECUTED trade has price, fees and total"));
        };
        let n = notional(trade.quantity, price)?;
        let expected = match trade.side {
            TradeSide::Buy => n + fees,
            TradeSide::Sell => n - fees,
        };
        if fees < Decimal::ZERO || total != expected {
            return Err(bad(
                trade,
                "total_amount",
                format!("{total} is not notional {n} and fees {fees} of a {}", trade.side),
            ));
        }
    } else if trade.total_amount.is_some() || trade.fees.is_some() {
        return Err(bad(trade, "total_amount", "only an EXECUTED trade has a total and fees"));
    }
    match (trade.guardian_approval, trade.status) {
        (A::NotRequired, _) if !owner_is_minor => Ok(()),
        (_, _) if !owner_is_minor => Err(bad(
            trade,
            "guardian_approval",
            format!("{} on a trade of an adult, whose trades need none", trade.guardian_approval),
        )),
        // A trade waiting for a guardian may also be cancelled by its owner
        // or rejected by the platform while it waits (Trade::cancel and
        // Trade::reject leave the approval as it was); it never executes.
        (A::Pending, S::Pending | S::Cancelled | S::Rejected)
        | (A::Rejected, S::Rejected)
        | (A::Approved | A::NotRequired, _) => Ok(()),
        (approval, status) => Err(bad(
            trade,
            "guardian_approval",
            format!("{approval} does not go with status {status}"),
        )),
    }
}

/// Each position of a portfolio holds exactly what its executed trades
/// bought less what they sold, and every symbol those trades leave held has
/// a position. `trades` may include other portfolios' (ignored).
///
/// # Errors
/// `InvalidInput` (`quantity`) naming the symbol, the held and the traded
/// quantities.
pub fn check_holdings(portfolio_id: Uuid, positions: &[Position], trades: &[Trade]) -> Result<()> {
    let mut traded: BTreeMap<&str, Decimal> = BTreeMap::new();
    for t in trades.iter().filter(|t| t.portfolio_id == portfolio_id && t.status == S::Executed) {
        let q = traded.entry(t.symbol.as_str()).or_default();
        match t.side {
            TradeSide::Buy => *q += t.quantity,
            TradeSide::Sell => *q -= t.quantity,
        }
    }
    for p in positions.iter().filter(|p| p.portfolio_id == portfolio_id) {
        let q = traded.remove(p.symbol.as_str()).unwrap_or_default();
        if q != p.quantity {
            return Err(ElsonError::invalid(
                "quantity",
                format!(
                    "position {} holds {} but its executed trades net {q}",
                    p.symbol, p.quantity
                ),
            ));
        }
    }
    match traded.into_iter().find(|(_, q)| !q.is_zero()) {
        Some((symbol, q)) => Err(ElsonError::invalid(
            "quantity",
            format!("executed trades of {symbol} net {q} but the portfolio has no position"),
        )),
        None => Ok(()),
    }
}
