//! Trade accounting (DESIGN §2): fees, buys and sells applied to a portfolio
//! and its positions, average price, realized and unrealized gain/loss,
//! mark-to-market, total value, and the trade lifecycle with LIMIT semantics.
//!
//! - [`FeeSchedule`] — what a trade costs.
//! - [`Book`] — a portfolio and its positions; [`Book::execute`],
//!   [`Book::preview`], [`Book::deposit`], [`Book::withdraw`],
//!   [`Book::mark_to_market`]. The store and the backtester use exactly this
//!   code, loading rows with [`Book::from_rows`] and writing back
//!   [`Book::portfolio`] and [`Book::positions`].
//! - [`next_status`] — the trade state machine; [`crate::entities::Trade::cancel`]
//!   and [`crate::entities::Trade::reject`] use it.
//!
//! All arithmetic is exact: amounts become integer cents and micro-units,
//! each formula is computed exactly and rounded once, half-even.

mod book;
mod consistency;
mod fees;
mod fixed;
mod index;
mod lifecycle;
mod valuation;

pub use book::{Book, Execution, Fill, Outcome};
pub use consistency::{check_holdings, check_trade_row};
pub use fees::{FEE_RATE_SCALE_MAX, FeeSchedule};
pub use lifecycle::{Refused, TradeEvent, next_status};
pub(crate) use valuation::check_position_row;
pub use valuation::{check_market_price, notional};
