//! Trade accounting (DESIGN §2): a [`Book`] object (a portfolio and its
//! positions) with deposit, withdraw, execute and mark-to-market; fee
//! schedules; trade creation and the trade lifecycle.
//!
//! The book is an object holding its state behind a mutex; trades are
//! values, so `execute` returns the filled trade with the outcome. Every
//! operation is atomic: on error neither the book nor the trade changes.

use std::sync::{Arc, Mutex, MutexGuard};

use elson_core::accounting::{self as core, Fill};
use elson_core::entities::{NewPortfolio, NewTrade, Portfolio, Position, Trade};
use elson_core::enums::{
    AssetType, CircuitBreakerState, OrderType, PortfolioType, TradeSide, VolatilityLevel,
};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::entities::Checked;
use crate::types::Timestamp;
use crate::{ElsonError, Result};

/// What a trade costs: `min(notional, min(maximum, max(minimum,
/// round2(notional × rate))))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct FeeSchedule {
    /// A fraction: 0.0035 is 0.35 %; at most 6 decimals.
    pub rate: Decimal,
    /// Minimum fee.
    pub minimum: Decimal,
    /// Maximum fee, if any.
    pub maximum: Option<Decimal>,
}

impl TryFrom<FeeSchedule> for core::FeeSchedule {
    type Error = ElsonError;
    fn try_from(f: FeeSchedule) -> Result<Self> {
        Ok(core::FeeSchedule::new(f.rate, f.minimum, f.maximum)?)
    }
}

impl From<core::FeeSchedule> for FeeSchedule {
    fn from(f: core::FeeSchedule) -> Self {
        FeeSchedule { rate: f.rate(), minimum: f.minimum(), maximum: f.maximum() }
    }
}

/// 0.35 % of the notional, minimum 0.50, no maximum (DESIGN §2).
#[uniffi::export]
pub fn fee_schedule_default() -> FeeSchedule {
    core::FeeSchedule::DEFAULT.into()
}

/// No fees at all.
#[uniffi::export]
pub fn fee_schedule_zero() -> FeeSchedule {
    core::FeeSchedule::zero().into()
}

/// The fee of a trade of `notional` under `schedule`.
///
/// # Errors
/// `InvalidInput` for a bad schedule (rate outside [0, 1] or with more than
/// 6 decimals, maximum below minimum) or notional.
#[uniffi::export]
pub fn fee(schedule: FeeSchedule, notional: Decimal) -> Result<Decimal> {
    let schedule: core::FeeSchedule = schedule.try_into()?;
    Ok(schedule.fee(notional)?)
}

/// `round2(quantity × price)`, half-even.
///
/// # Errors
/// `InvalidInput` when a value does not fit its column.
#[uniffi::export]
pub fn notional(quantity: Decimal, price: Decimal) -> Result<Decimal> {
    Ok(core::notional(quantity, price)?)
}

/// The details of a fill.
#[uniffi::remote(Record)]
pub struct Fill {
    /// BUY or SELL.
    pub side: TradeSide,
    /// Quantity filled (no partial fills).
    pub quantity: Decimal,
    /// Execution price.
    pub price: Decimal,
    /// `round2(quantity × price)`.
    pub notional: Decimal,
    /// Fees charged.
    pub fees: Decimal,
    /// Notional + fees (buy) or notional − fees (sell).
    pub total_amount: Decimal,
    /// Realized P/L of a sell (None for a buy).
    pub realized_pnl: Option<Decimal>,
    /// Cash after the fill.
    pub cash_balance: Decimal,
    /// Total value after the fill.
    pub total_value: Decimal,
    /// The position's quantity after the fill (0 when closed).
    pub position_quantity: Decimal,
    /// The buy opened the position.
    pub position_opened: bool,
    /// The sell closed the position.
    pub position_closed: bool,
}

/// What an execution did (or a preview would do).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ExecutionOutcome {
    /// The trade filled.
    Executed {
        /// The fill.
        fill: Fill,
    },
    /// A LIMIT order the market price does not reach: nothing changed and
    /// the trade stays PENDING.
    StillPending,
}

impl From<core::Outcome> for ExecutionOutcome {
    fn from(o: core::Outcome) -> Self {
        match o {
            core::Outcome::Executed(fill) => ExecutionOutcome::Executed { fill },
            core::Outcome::StillPending => ExecutionOutcome::StillPending,
        }
    }
}

/// The market facts an execution needs besides the trade.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Execution {
    /// The price the order fills at (> 0, at most 2 decimals).
    pub market_price: Decimal,
    /// Asset type of a position this buy opens.
    pub asset_type: AssetType,
    /// The fee schedule to charge.
    pub fees: FeeSchedule,
    /// The time of the fill.
    pub now: Timestamp,
}

/// A trade after `Book.execute`, with what happened.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ExecutedTrade {
    /// The trade: EXECUTED with its fill columns, or unchanged (PENDING).
    pub trade: Trade,
    /// The outcome.
    pub outcome: ExecutionOutcome,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Book operations check everything before they change anything.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A portfolio and its open positions, kept consistent by construction:
/// `cash_balance ≥ 0` and `total_value = cash_balance + Σ current_value`
/// after every operation.
#[derive(Debug, uniffi::Object)]
pub struct Book {
    inner: Mutex<core::Book>,
}

#[uniffi::export]
impl Book {
    /// A book for a portfolio without positions.
    ///
    /// # Errors
    /// `InvalidInput` when the portfolio's amounts are inconsistent.
    #[uniffi::constructor]
    pub fn new(portfolio: Portfolio) -> Result<Arc<Self>> {
        Ok(Arc::new(Book { inner: Mutex::new(core::Book::new(portfolio.checked()?)?) }))
    }

    /// A book loaded from stored rows; checks every derived column and the
    /// total.
    ///
    /// # Errors
    /// `InvalidInput` naming the inconsistent column.
    #[uniffi::constructor]
    pub fn from_rows(portfolio: Portfolio, positions: Vec<Position>) -> Result<Arc<Self>> {
        let (portfolio, positions) = (portfolio.checked()?, positions.checked()?);
        Ok(Arc::new(Book { inner: Mutex::new(core::Book::from_rows(portfolio, positions)?) }))
    }

    /// The portfolio row as it is now.
    pub fn portfolio(&self) -> Portfolio {
        lock(&self.inner).portfolio().clone()
    }

    /// The open positions, sorted by symbol.
    pub fn positions(&self) -> Vec<Position> {
        lock(&self.inner).positions().to_vec()
    }

    /// The position in `symbol`, if held.
    pub fn position(&self, symbol: String) -> Option<Position> {
        lock(&self.inner).position(&symbol).cloned()
    }

    /// Adds cash.
    ///
    /// # Errors
    /// `InvalidInput` for an amount that is not > 0 or does not fit.
    pub fn deposit(&self, amount: Decimal, now: Timestamp) -> Result<()> {
        Ok(lock(&self.inner).deposit(amount, now)?)
    }

    /// Takes cash out.
    ///
    /// # Errors
    /// `InsufficientFunds` beyond the cash balance; `InvalidInput` for an
    /// amount that is not > 0.
    pub fn withdraw(&self, amount: Decimal, now: Timestamp) -> Result<()> {
        Ok(lock(&self.inner).withdraw(amount, now)?)
    }

    /// Sets or clears a position's sector.
    ///
    /// # Errors
    /// `NotFound` when the symbol is not held; `InvalidInput` for a sector
    /// over 100 characters.
    pub fn set_sector(&self, symbol: String, sector: Option<String>, now: Timestamp) -> Result<()> {
        Ok(lock(&self.inner).set_sector(&symbol, sector.as_deref(), now)?)
    }

    /// Marks a position to a new market price.
    ///
    /// # Errors
    /// `NotFound` when the symbol is not held; `InvalidInput` for a bad
    /// price or a value that would not fit.
    pub fn mark_to_market(&self, symbol: String, price: Decimal, now: Timestamp) -> Result<()> {
        Ok(lock(&self.inner).mark_to_market(&symbol, price, now)?)
    }

    /// What executing `trade` would do, without changing anything.
    ///
    /// # Errors
    /// Exactly those of [`Book::execute`].
    pub fn preview(&self, trade: Trade, execution: Execution) -> Result<ExecutionOutcome> {
        let trade = trade.checked()?;
        let fees: core::FeeSchedule = execution.fees.try_into()?;
        let exec = core::Execution {
            market_price: execution.market_price,
            asset_type: execution.asset_type,
            fees: &fees,
            now: execution.now,
        };
        Ok(lock(&self.inner).preview(&trade, exec)?.into())
    }

    /// Executes a PENDING trade at the market price (a LIMIT order only when
    /// the price reaches its limit) and returns the updated trade.
    ///
    /// # Errors
    /// `InvalidTransition` (not PENDING), `ApprovalRequired` (guardian
    /// approval PENDING or REJECTED), `InvalidInput`, `InsufficientFunds`,
    /// `InsufficientQuantity`.
    pub fn execute(&self, trade: Trade, execution: Execution) -> Result<ExecutedTrade> {
        let trade = trade.checked()?;
        let fees: core::FeeSchedule = execution.fees.try_into()?;
        let exec = core::Execution {
            market_price: execution.market_price,
            asset_type: execution.asset_type,
            fees: &fees,
            now: execution.now,
        };
        let mut trade = trade;
        let outcome = lock(&self.inner).execute(&mut trade, exec)?;
        Ok(ExecutedTrade { trade, outcome: outcome.into() })
    }
}

/// What a caller chooses when opening a portfolio.
#[uniffi::remote(Record)]
pub struct NewPortfolio {
    /// Owner.
    pub user_id: Uuid,
    /// Display name, 1–100 characters.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// STANDARD, EDUCATION or RETIREMENT.
    pub portfolio_type: PortfolioType,
    /// Whether a minor's trades here need a guardian's approval.
    pub guardian_approval: bool,
    /// 0–100.
    pub risk_score: Option<i32>,
    /// 0–100.
    pub diversification_score: Option<i32>,
    /// Preferred volatility regime.
    pub volatility_preference: Option<VolatilityLevel>,
}

/// What a caller chooses when placing a trade.
#[uniffi::remote(Record)]
pub struct NewTrade {
    /// The trade's id (UUID v7), minted by the caller so retries are safe.
    pub id: Uuid,
    /// The portfolio.
    pub portfolio_id: Uuid,
    /// Asset symbol.
    pub symbol: String,
    /// MARKET or LIMIT.
    pub order_type: OrderType,
    /// BUY or SELL.
    pub side: TradeSide,
    /// Quantity > 0, at most 6 decimals.
    pub quantity: Decimal,
    /// The limit price of a LIMIT order (None for MARKET).
    pub limit_price: Option<Decimal>,
    /// Model confidence in [0, 1] for model-generated orders.
    pub confidence_score: Option<Decimal>,
    /// Position-sizing factor applied, in [0, 1].
    pub position_sizing: Option<Decimal>,
    /// Governing breaker state at creation.
    pub circuit_breaker_state: Option<CircuitBreakerState>,
    /// Stabilized regime at creation.
    pub volatility_level: Option<VolatilityLevel>,
    /// Free text.
    pub notes: Option<String>,
}

/// A STANDARD portfolio named `name` for `user_id`, without guardian approval.
///
/// # Errors
/// `InvalidInput` on a malformed id.
#[uniffi::export]
pub fn new_portfolio_standard(user_id: Uuid, name: String) -> Result<NewPortfolio> {
    Ok(NewPortfolio::standard(user_id, name))
}

/// Opens an empty portfolio (cash 0) with the caller's id.
///
/// # Errors
/// `InvalidInput` naming `name`, `description`, `risk_score` or
/// `diversification_score`.
#[uniffi::export]
pub fn portfolio_new(new: NewPortfolio, id: Uuid, now: Timestamp) -> Result<Portfolio> {
    Ok(Portfolio::new(new, id, now)?)
}

/// A MARKET order.
///
/// # Errors
/// `InvalidInput` on a malformed id or quantity.
#[uniffi::export]
pub fn new_trade_market(
    id: Uuid,
    portfolio_id: Uuid,
    symbol: String,
    side: TradeSide,
    quantity: Decimal,
) -> Result<NewTrade> {
    Ok(NewTrade::market(id, portfolio_id, symbol, side, quantity))
}

/// A LIMIT order.
///
/// # Errors
/// `InvalidInput` on a malformed id or decimal.
#[uniffi::export]
pub fn new_trade_limit(
    id: Uuid,
    portfolio_id: Uuid,
    symbol: String,
    side: TradeSide,
    quantity: Decimal,
    limit_price: Decimal,
) -> Result<NewTrade> {
    Ok(NewTrade::limit(id, portfolio_id, symbol, side, quantity, limit_price))
}

/// Creates a PENDING trade (guardian approval NOT_REQUIRED until the
/// approval decision is applied).
///
/// # Errors
/// `InvalidInput` naming the offending field.
#[uniffi::export]
pub fn trade_new(new: NewTrade, now: Timestamp) -> Result<Trade> {
    Ok(Trade::new(new, now)?)
}

/// Cancels a PENDING trade and returns it.
///
/// # Errors
/// `InvalidTransition` from a final status.
#[uniffi::export]
pub fn trade_cancel(trade: Trade) -> Result<Trade> {
    let mut trade = trade.checked()?;
    trade.cancel()?;
    Ok(trade)
}

/// Rejects a PENDING trade with a reason (kept in `notes`) and returns it.
///
/// # Errors
/// `InvalidTransition` from a final status; `InvalidInput` for a blank reason.
#[uniffi::export]
pub fn trade_reject(trade: Trade, reason: String) -> Result<Trade> {
    let mut trade = trade.checked()?;
    trade.reject(&reason)?;
    Ok(trade)
}
