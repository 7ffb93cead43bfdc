//! Accounting (DESIGN §2): fee schedules, the book of a portfolio, trade
//! creation and the trade lifecycle. Every number is computed by
//! `elson_core::accounting`; this file converts arguments and results.

use elson_core::accounting::{self as core, Book, Execution, FeeSchedule, Fill, Outcome};
use elson_core::entities::{NewPortfolio, NewTrade, Portfolio, Trade};
use elson_core::enums::{AssetType, OrderType, PortfolioType};
use pyo3::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::conv::{ToPy, extract_datetime, extract_decimal, extract_enum, extract_uuid};
use crate::entities::{PyPortfolio, PyPosition, PyTrade};
use crate::errors::{IntoPyResult, guard};

pub(crate) fn opt_decimal(
    field: &str,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Decimal>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(extract_decimal(field, o)?)),
        _ => Ok(None),
    }
}

pub(crate) fn opt_enum<T: std::str::FromStr<Err = elson_core::ElsonError>>(
    field: &str,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<T>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(extract_enum(field, o)?)),
        _ => Ok(None),
    }
}

pub(crate) fn opt_uuid(field: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Uuid>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(extract_uuid(field, o)?)),
        _ => Ok(None),
    }
}

/// What a trade costs: `rate` × notional, at least `minimum`, at most
/// `maximum` (if any), rounded half-even to cents, never above the notional.
#[pyclass(name = "FeeSchedule", module = "elson", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyFeeSchedule {
    /// The core schedule.
    pub inner: FeeSchedule,
}

#[pymethods]
impl PyFeeSchedule {
    /// Builds a schedule. Raises `InvalidInput` for a rate outside [0, 1] or
    /// with more than 6 decimals, a negative minimum, or maximum < minimum.
    #[new]
    #[pyo3(signature = (rate, minimum, maximum=None))]
    fn new(
        rate: &Bound<'_, PyAny>,
        minimum: &Bound<'_, PyAny>,
        maximum: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let inner = FeeSchedule::new(
            extract_decimal("rate", rate)?,
            extract_decimal("minimum", minimum)?,
            opt_decimal("maximum", maximum)?,
        )
        .py()?;
        Ok(Self { inner })
    }

    /// The platform default: 0.35 % of notional, minimum 0.50.
    #[staticmethod]
    fn default() -> Self {
        Self { inner: FeeSchedule::DEFAULT }
    }

    /// A schedule that charges nothing.
    #[staticmethod]
    fn zero() -> Self {
        Self { inner: FeeSchedule::zero() }
    }

    /// The fee for a notional. Raises `InvalidInput` for a negative or
    /// oversized notional.
    fn fee(&self, notional: &Bound<'_, PyAny>) -> PyResult<Decimal> {
        self.inner.fee(extract_decimal("notional", notional)?).py()
    }

    /// Proportional rate (0.0035 = 0.35 %).
    #[getter]
    fn rate(&self) -> Decimal {
        self.inner.rate()
    }

    /// Smallest fee.
    #[getter]
    fn minimum(&self) -> Decimal {
        self.inner.minimum()
    }

    /// Largest fee, if capped.
    #[getter]
    fn maximum(&self) -> Option<Decimal> {
        self.inner.maximum()
    }

    fn __repr__(&self) -> String {
        format!(
            "FeeSchedule(rate={}, minimum={}, maximum={})",
            self.inner.rate(),
            self.inner.minimum(),
            self.inner.maximum().map_or("None".to_owned(), |m| m.to_string())
        )
    }
}

/// The details of a fill, as `Book.execute` applied it (or `Book.preview`
/// would).
#[pyclass(name = "Fill", module = "elson", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyFill {
    pub(crate) inner: Fill,
}

#[pymethods]
impl PyFill {
    /// BUY or SELL.
    #[getter]
    fn side<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.side.to_py(py)
    }
    /// Quantity filled (the whole order).
    #[getter]
    fn quantity(&self) -> Decimal {
        self.inner.quantity
    }
    /// Execution price.
    #[getter]
    fn price(&self) -> Decimal {
        self.inner.price
    }
    /// round2(quantity × price).
    #[getter]
    fn notional(&self) -> Decimal {
        self.inner.notional
    }
    /// Fees charged.
    #[getter]
    fn fees(&self) -> Decimal {
        self.inner.fees
    }
    /// notional + fees (buy) or notional − fees (sell).
    #[getter]
    fn total_amount(&self) -> Decimal {
        self.inner.total_amount
    }
    /// Realized P/L of a sell; None for a buy.
    #[getter]
    fn realized_pnl(&self) -> Option<Decimal> {
        self.inner.realized_pnl
    }
    /// Cash balance after the fill.
    #[getter]
    fn cash_balance(&self) -> Decimal {
        self.inner.cash_balance
    }
    /// Total value after the fill.
    #[getter]
    fn total_value(&self) -> Decimal {
        self.inner.total_value
    }
    /// Quantity of the symbol held after the fill (0 when closed).
    #[getter]
    fn position_quantity(&self) -> Decimal {
        self.inner.position_quantity
    }
    /// Whether the fill opened a new position.
    #[getter]
    fn position_opened(&self) -> bool {
        self.inner.position_opened
    }
    /// Whether the fill closed the position.
    #[getter]
    fn position_closed(&self) -> bool {
        self.inner.position_closed
    }
    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }
}

pub(crate) fn fill_or_none(outcome: Outcome) -> Option<PyFill> {
    match outcome {
        Outcome::Executed(fill) => Some(PyFill { inner: fill }),
        Outcome::StillPending => None,
    }
}

/// A portfolio and its positions, with exact accounting: deposits,
/// withdrawals, executions and mark-to-market keep
/// `total_value = cash_balance + Σ current_value` after every change.
#[pyclass(name = "Book", module = "elson")]
pub struct PyBook {
    inner: Book,
}

impl PyBook {
    fn exec_args<'a>(
        market_price: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        fees: Option<&'a PyFeeSchedule>,
        asset_type: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Execution<'a>> {
        Ok(Execution {
            market_price: extract_decimal("market_price", market_price)?,
            asset_type: opt_enum("asset_type", asset_type)?.unwrap_or(AssetType::Stock),
            fees: fees.map_or(&FeeSchedule::DEFAULT, |f| &f.inner),
            now: extract_datetime("now", now)?,
        })
    }
}

#[pymethods]
impl PyBook {
    /// Loads a portfolio row and its position rows, checking that the derived
    /// columns (current value, gain/loss, total value) are consistent.
    /// Raises `InvalidInput` when they are not.
    #[new]
    #[pyo3(signature = (portfolio, positions=Vec::new()))]
    fn new(
        portfolio: &Bound<'_, PyPortfolio>,
        positions: Vec<PyRef<'_, PyPosition>>,
    ) -> PyResult<Self> {
        let rows = positions.iter().map(|p| p.inner.clone()).collect();
        let inner = Book::from_rows(portfolio.get().inner.clone(), rows).py()?;
        Ok(Self { inner })
    }

    /// The portfolio row as it stands.
    #[getter]
    fn portfolio(&self) -> PyPortfolio {
        PyPortfolio { inner: self.inner.portfolio().clone() }
    }

    /// The open positions, sorted by symbol.
    #[getter]
    fn positions(&self) -> Vec<PyPosition> {
        self.inner.positions().iter().map(|p| PyPosition { inner: p.clone() }).collect()
    }

    /// The position of `symbol`, or None when not held.
    fn position(&self, symbol: &str) -> Option<PyPosition> {
        self.inner.position(symbol).map(|p| PyPosition { inner: p.clone() })
    }

    /// Cash available.
    #[getter]
    fn cash_balance(&self) -> Decimal {
        self.inner.portfolio().cash_balance
    }

    /// Cash plus the current value of every position.
    #[getter]
    fn total_value(&self) -> Decimal {
        self.inner.portfolio().total_value
    }

    /// Adds cash. Raises `InvalidInput` for a non-positive or oversized amount.
    fn deposit(&mut self, amount: &Bound<'_, PyAny>, now: &Bound<'_, PyAny>) -> PyResult<()> {
        let amount = extract_decimal("amount", amount)?;
        let now = extract_datetime("now", now)?;
        guard(|| self.inner.deposit(amount, now).py())
    }

    /// Takes cash out. Raises `InsufficientFunds` when the balance is short.
    fn withdraw(&mut self, amount: &Bound<'_, PyAny>, now: &Bound<'_, PyAny>) -> PyResult<()> {
        let amount = extract_decimal("amount", amount)?;
        let now = extract_datetime("now", now)?;
        guard(|| self.inner.withdraw(amount, now).py())
    }

    /// Sets the market price of a held symbol and revalues it. Raises
    /// `NotFound` when the symbol is not held.
    fn mark_to_market(
        &mut self,
        symbol: &str,
        price: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let price = extract_decimal("price", price)?;
        let now = extract_datetime("now", now)?;
        guard(|| self.inner.mark_to_market(symbol, price, now).py())
    }

    /// Sets (or clears) the sector of a held position.
    #[pyo3(signature = (symbol, sector, now))]
    fn set_sector(
        &mut self,
        symbol: &str,
        sector: Option<&str>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let now = extract_datetime("now", now)?;
        guard(|| self.inner.set_sector(symbol, sector, now).py())
    }

    /// What `execute` would do, changing nothing: the `Fill`, or None for a
    /// LIMIT order the market price does not reach. Raises what `execute`
    /// raises.
    #[pyo3(signature = (trade, market_price, now, fees=None, asset_type=None))]
    fn preview(
        &self,
        trade: &Bound<'_, PyTrade>,
        market_price: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        fees: Option<PyRef<'_, PyFeeSchedule>>,
        asset_type: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<PyFill>> {
        let exec = Self::exec_args(market_price, now, fees.as_deref(), asset_type)?;
        guard(|| self.inner.preview(&trade.get().inner, exec).py().map(fill_or_none))
    }

    /// Executes a PENDING trade at `market_price` and returns
    /// `(updated_trade, fill)`; `fill` is None (and nothing changes) for a
    /// LIMIT order the price does not reach. `fees` defaults to
    /// `FeeSchedule.default()`, `asset_type` (of a position a buy opens) to
    /// STOCK.
    ///
    /// Raises `InvalidTransition` (not PENDING), `ApprovalRequired`
    /// (guardian approval PENDING/REJECTED), `InvalidInput`,
    /// `InsufficientFunds`, `InsufficientQuantity`; on error nothing changes.
    #[pyo3(signature = (trade, market_price, now, fees=None, asset_type=None))]
    fn execute(
        &mut self,
        trade: &Bound<'_, PyTrade>,
        market_price: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        fees: Option<PyRef<'_, PyFeeSchedule>>,
        asset_type: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(PyTrade, Option<PyFill>)> {
        let exec = Self::exec_args(market_price, now, fees.as_deref(), asset_type)?;
        let mut t = trade.get().inner.clone();
        let outcome = guard(|| self.inner.execute(&mut t, exec).py())?;
        Ok((PyTrade { inner: t }, fill_or_none(outcome)))
    }

    fn __repr__(&self) -> String {
        let p = self.inner.portfolio();
        format!(
            "Book(portfolio={}, cash_balance={}, total_value={}, positions={})",
            p.id,
            p.cash_balance,
            p.total_value,
            self.inner.positions().len()
        )
    }
}

/// `round2(quantity × price)`, half-even. Raises `InvalidInput` for a bad
/// quantity or price.
#[pyfunction]
pub fn notional(quantity: &Bound<'_, PyAny>, price: &Bound<'_, PyAny>) -> PyResult<Decimal> {
    core::notional(extract_decimal("quantity", quantity)?, extract_decimal("price", price)?).py()
}

/// Creates a PENDING trade (guardian approval NOT_REQUIRED until
/// `decide`/`apply_decision` says otherwise). `id` defaults to a
/// time-ordered UUID v7. A LIMIT order needs `limit_price`; a MARKET order
/// must not have one. Raises `InvalidInput` naming the offending field.
#[pyfunction]
#[pyo3(signature = (portfolio_id, symbol, side, quantity, *, now, order_type=None, limit_price=None,
    confidence_score=None, position_sizing=None, circuit_breaker_state=None, volatility_level=None,
    notes=None, id=None))]
#[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
pub fn new_trade(
    portfolio_id: &Bound<'_, PyAny>,
    symbol: String,
    side: &Bound<'_, PyAny>,
    quantity: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    order_type: Option<&Bound<'_, PyAny>>,
    limit_price: Option<&Bound<'_, PyAny>>,
    confidence_score: Option<&Bound<'_, PyAny>>,
    position_sizing: Option<&Bound<'_, PyAny>>,
    circuit_breaker_state: Option<&Bound<'_, PyAny>>,
    volatility_level: Option<&Bound<'_, PyAny>>,
    notes: Option<String>,
    id: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTrade> {
    let new = NewTrade {
        id: opt_uuid("id", id)?.unwrap_or_else(Uuid::now_v7),
        portfolio_id: extract_uuid("portfolio_id", portfolio_id)?,
        symbol,
        order_type: opt_enum("order_type", order_type)?.unwrap_or(OrderType::Market),
        side: extract_enum("side", side)?,
        quantity: extract_decimal("quantity", quantity)?,
        limit_price: opt_decimal("limit_price", limit_price)?,
        confidence_score: opt_decimal("confidence_score", confidence_score)?,
        position_sizing: opt_decimal("position_sizing", position_sizing)?,
        circuit_breaker_state: opt_enum("circuit_breaker_state", circuit_breaker_state)?,
        volatility_level: opt_enum("volatility_level", volatility_level)?,
        notes,
    };
    let now = extract_datetime("now", now)?;
    guard(|| Trade::new(new, now).py()).map(|inner| PyTrade { inner })
}

/// Creates a portfolio with zero cash. `id` defaults to a random UUID v4.
/// Raises `InvalidInput` naming the offending field.
#[pyfunction]
#[pyo3(signature = (user_id, name, *, now, description=None, portfolio_type=None,
    guardian_approval=false, risk_score=None, diversification_score=None,
    volatility_preference=None, id=None))]
#[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
pub fn new_portfolio(
    user_id: &Bound<'_, PyAny>,
    name: String,
    now: &Bound<'_, PyAny>,
    description: Option<String>,
    portfolio_type: Option<&Bound<'_, PyAny>>,
    guardian_approval: bool,
    risk_score: Option<i32>,
    diversification_score: Option<i32>,
    volatility_preference: Option<&Bound<'_, PyAny>>,
    id: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyPortfolio> {
    let new = NewPortfolio {
        user_id: extract_uuid("user_id", user_id)?,
        name,
        description,
        portfolio_type: opt_enum("portfolio_type", portfolio_type)?
            .unwrap_or(PortfolioType::Standard),
        guardian_approval,
        risk_score,
        diversification_score,
        volatility_preference: opt_enum("volatility_preference", volatility_preference)?,
    };
    let id = opt_uuid("id", id)?.unwrap_or_else(Uuid::new_v4);
    let now = extract_datetime("now", now)?;
    guard(|| Portfolio::new(new, id, now).py()).map(|inner| PyPortfolio { inner })
}

/// Cancels a PENDING trade; returns the updated trade. Raises
/// `InvalidTransition` from a final state.
#[pyfunction]
pub fn cancel_trade(trade: &Bound<'_, PyTrade>) -> PyResult<PyTrade> {
    let mut t = trade.get().inner.clone();
    t.cancel().py()?;
    Ok(PyTrade { inner: t })
}

/// Rejects a PENDING trade with a reason (stored in `notes`); returns the
/// updated trade. Raises `InvalidTransition` from a final state.
#[pyfunction]
pub fn reject_trade(trade: &Bound<'_, PyTrade>, reason: &str) -> PyResult<PyTrade> {
    let mut t = trade.get().inner.clone();
    t.reject(reason).py()?;
    Ok(PyTrade { inner: t })
}

/// Registers the accounting classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFeeSchedule>()?;
    m.add_class::<PyFill>()?;
    m.add_class::<PyBook>()?;
    m.add_function(wrap_pyfunction!(notional, m)?)?;
    m.add_function(wrap_pyfunction!(new_trade, m)?)?;
    m.add_function(wrap_pyfunction!(new_portfolio, m)?)?;
    m.add_function(wrap_pyfunction!(cancel_trade, m)?)?;
    m.add_function(wrap_pyfunction!(reject_trade, m)?)?;
    Ok(())
}
