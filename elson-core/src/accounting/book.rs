//! [`Book`]: a portfolio and its positions, and every operation that changes
//! them (DESIGN §2). The store and the backtester load rows into a book, call
//! these operations and write the rows back: there is no second
//! implementation of the accounting rules anywhere.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::fees::FeeSchedule;
use super::fixed::{self, MICROS_PER_UNIT};
use super::index::{Slot, SymbolKey};
use super::lifecycle::{TradeEvent, next_status};
use super::valuation::{self, Valuation};
use crate::entities::{Portfolio, Position, Trade};
use crate::enums::{AssetType, GuardianApproval, OrderType, TradeSide, TradeStatus};
use crate::error::{ElsonError, Result};
use crate::limits::{DecimalLimit, TextLimit};

/// A portfolio and its open positions, kept consistent by construction.
///
/// Invariants after every operation (checked with `debug_assert!`):
/// `cash_balance ≥ 0`; `total_value = cash_balance + Σ current_value`
/// exactly; every position belongs to the portfolio, has quantity > 0 and
/// derived columns (`current_value`, `gain_loss`, `gain_loss_percent`) that
/// match its quantity and prices; symbols are unique.
///
/// Every operation is atomic: it either succeeds completely or returns an
/// error and leaves the book (and the trade) untouched.
///
/// Positions are a `Vec` sorted by symbol, so [`Book::positions`] hands the
/// rows back without copying. Beside them the book keeps an integer twin of
/// each row (quantity, average price, value, and a 16-byte symbol key) and
/// the cash and total in cents: for the tens of positions a family portfolio
/// holds, a binary search over those compact slots beats hashing the symbol,
/// and a trade never re-parses the stored decimals.
///
/// # Example
/// ```
/// use elson_core::accounting::{Book, Execution, FeeSchedule, Outcome};
/// use elson_core::entities::{NewPortfolio, NewTrade, Portfolio, Trade};
/// use elson_core::enums::{AssetType, TradeSide, TradeStatus};
/// use rust_decimal_macros::dec;
/// use uuid::Uuid;
///
/// let now = chrono::DateTime::UNIX_EPOCH;
/// let portfolio = Portfolio::new(NewPortfolio::standard(Uuid::nil(), "Main"), Uuid::from_u128(1), now)?;
/// let mut book = Book::new(portfolio)?;
/// book.deposit(dec!(1000.00), now)?;
///
/// let mut buy = Trade::new(
///     NewTrade::market(Uuid::from_u128(2), Uuid::from_u128(1), "AAPL", TradeSide::Buy, dec!(5)),
///     now,
/// )?;
/// let fees = FeeSchedule::default();
/// let exec = Execution { market_price: dec!(100.00), asset_type: AssetType::Stock, fees: &fees, now };
/// let Outcome::Executed(fill) = book.execute(&mut buy, exec)? else { unreachable!() };
/// assert_eq!(fill.notional, dec!(500.00));
/// assert_eq!(fill.fees, dec!(1.75)); // 0.35 %
/// assert_eq!(book.portfolio().cash_balance, dec!(498.25));
/// assert_eq!(book.portfolio().total_value, dec!(998.25));
/// assert_eq!(buy.status, TradeStatus::Executed);
/// # Ok::<(), elson_core::ElsonError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Book {
    portfolio: Portfolio,
    /// Sorted by symbol, unique, quantity > 0.
    positions: Vec<Position>,
    /// `slots[i]` is the integer twin of `positions[i]`.
    slots: Vec<Slot>,
    /// `portfolio.cash_balance` in cents.
    cash: i64,
    /// `portfolio.total_value` in cents.
    total: i64,
}

/// The market facts an execution needs besides the trade itself.
#[derive(Debug, Clone, Copy)]
pub struct Execution<'a> {
    /// The price the order fills at (for a LIMIT order: the market price,
    /// which must be at or better than the limit). > 0, at most 2 decimals.
    pub market_price: Decimal,
    /// The asset type of a position this buy opens (ignored otherwise).
    pub asset_type: AssetType,
    /// The fee schedule to charge.
    pub fees: &'a FeeSchedule,
    /// The time of the fill.
    pub now: DateTime<Utc>,
}

/// What [`Book::execute`] did (or [`Book::preview`] would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    /// The trade filled.
    Executed(Fill),
    /// A LIMIT order whose limit the market price does not reach: nothing
    /// changed and the trade stays PENDING.
    StillPending,
}

/// The details of a fill. Amounts are in cents (scale 2), quantities in
/// scale 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fill {
    /// BUY or SELL.
    pub side: TradeSide,
    /// Quantity filled (the whole order: there are no partial fills).
    pub quantity: Decimal,
    /// Execution price.
    pub price: Decimal,
    /// `round2(quantity × price)`.
    pub notional: Decimal,
    /// Fees charged.
    pub fees: Decimal,
    /// `notional + fees` (buy) or `notional − fees` (sell): what left or
    /// entered the cash balance.
    pub total_amount: Decimal,
    /// For a sell: `notional − fees − round2(quantity × average_price)`.
    /// `None` for a buy.
    pub realized_pnl: Option<Decimal>,
    /// Cash balance after the fill.
    pub cash_balance: Decimal,
    /// Total value after the fill.
    pub total_value: Decimal,
    /// Quantity of the symbol held after the fill (0 when closed).
    pub position_quantity: Decimal,
    /// Whether the fill opened a new position.
    pub position_opened: bool,
    /// Whether the fill closed (removed) the position.
    pub position_closed: bool,
}

/// A fully computed, validated execution, in integer units; applied by
/// [`Book::apply`]. Kept small: it is returned through `Result<Option<_>>`.
#[derive(Debug, Clone, Copy)]
struct Plan {
    /// The trade's status after the fill, as [`next_status`] gives it.
    status: TradeStatus,
    /// `Ok(index)` of the existing position or `Err(insertion index)`.
    slot: std::result::Result<usize, usize>,
    /// The position after the fill; `None` when it closes.
    after: Option<Held>,
    side: TradeSide,
    price: i64,
    notional: i64,
    fees: i64,
    total_amount: i64,
    /// Sells only.
    realized: i64,
    cash: i64,
    total: i64,
}

/// A position's numbers after a change, in units of their scale.
#[derive(Debug, Clone, Copy)]
struct Held {
    quantity: i64,
    average: i64,
    price: i64,
    valuation: Valuation,
}

const MONEY: &DecimalLimit = &DecimalLimit::MONEY;
const QUANTITY: &DecimalLimit = &DecimalLimit::QUANTITY;

#[inline]
fn money(cents: i64) -> Decimal {
    fixed::to_decimal(cents, 2)
}

#[inline]
fn quantity(micros: i64) -> Decimal {
    fixed::to_decimal(micros, 6)
}

impl Plan {
    /// The public view of the plan.
    #[inline(always)]
    fn fill(&self, trade_quantity: Decimal) -> Fill {
        Fill {
            side: self.side,
            quantity: trade_quantity,
            price: money(self.price),
            notional: money(self.notional),
            fees: money(self.fees),
            total_amount: money(self.total_amount),
            realized_pnl: match self.side {
                TradeSide::Buy => None,
                TradeSide::Sell => Some(money(self.realized)),
            },
            cash_balance: money(self.cash),
            total_value: money(self.total),
            position_quantity: quantity(self.after.map_or(0, |h| h.quantity)),
            position_opened: self.slot.is_err(),
            position_closed: self.after.is_none(),
        }
    }
}

impl Book {
    /// A book for a portfolio without positions.
    ///
    /// # Errors
    /// As [`Book::from_rows`]: the portfolio's `cash_balance` and
    /// `total_value` must be valid money and equal.
    pub fn new(portfolio: Portfolio) -> Result<Book> {
        Book::from_rows(portfolio, Vec::new())
    }

    /// Loads a book from stored rows, checking that they are consistent.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming the column when: `cash_balance` or
    /// `total_value` is not valid money; a position belongs to another
    /// portfolio (`portfolio_id`), has an invalid `symbol`, a `quantity` that
    /// is not positive or not a valid quantity, invalid prices, a `sector`
    /// longer than 100, or derived columns (`current_value`, `gain_loss`,
    /// `gain_loss_percent`) that differ from the rules; two positions share a
    /// symbol (`symbol`); or `total_value ≠ cash_balance + Σ current_value`.
    pub fn from_rows(portfolio: Portfolio, mut positions: Vec<Position>) -> Result<Book> {
        let cash = fixed::to_units(MONEY, "cash_balance", portfolio.cash_balance)?;
        let total = fixed::to_units(MONEY, "total_value", portfolio.total_value)?;
        let mut sum = i128::from(cash);
        let mut slots = Vec::with_capacity(positions.len());
        positions.sort_unstable_by(|a, b| a.symbol.cmp(&b.symbol));
        for p in &positions {
            if p.portfolio_id != portfolio.id {
                return Err(ElsonError::invalid(
                    "portfolio_id",
                    format!(
                        "position {} belongs to portfolio {}, not {}",
                        p.id, p.portfolio_id, portfolio.id
                    ),
                ));
            }
            let units = valuation::check_position_row(p)?;
            sum += i128::from(units.value);
            slots.push(Slot {
                key: SymbolKey::new(&p.symbol),
                quantity: units.quantity,
                average: units.average,
                value: units.value,
            });
        }
        if let Some(w) = positions.windows(2).find(|w| w[0].symbol == w[1].symbol) {
            return Err(ElsonError::invalid(
                "symbol",
                format!("two positions hold {}", w[0].symbol),
            ));
        }
        if sum != i128::from(total) {
            return Err(ElsonError::invalid(
                "total_value",
                format!(
                    "is {}, but cash_balance + Σ current_value = {}",
                    portfolio.total_value,
                    Decimal::from_i128_with_scale(sum, 2)
                ),
            ));
        }
        let book = Book { portfolio, positions, slots, cash, total };
        book.debug_check_invariants();
        Ok(book)
    }

    /// The portfolio row.
    pub fn portfolio(&self) -> &Portfolio {
        &self.portfolio
    }

    /// The open positions, sorted by symbol.
    pub fn positions(&self) -> &[Position] {
        &self.positions
    }

    /// The open position in `symbol`, if any.
    pub fn position(&self, symbol: &str) -> Option<&Position> {
        self.find(symbol, &SymbolKey::new(symbol)).ok().map(|i| &self.positions[i])
    }

    /// The rows, to be written back (positions sorted by symbol).
    pub fn into_rows(self) -> (Portfolio, Vec<Position>) {
        (self.portfolio, self.positions)
    }

    /// Binary search over the slots; `Err` is the insertion index.
    #[inline(always)]
    fn find(&self, symbol: &str, key: &SymbolKey) -> std::result::Result<usize, usize> {
        let (mut lo, mut hi) = (0, self.slots.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let probe = &self.slots[mid].key;
            match probe.cmp_with(&self.positions[mid].symbol, key, symbol) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// Adds cash.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming `amount` when it is not positive
    /// or not valid money (more than 2 decimals are refused, not rounded), or
    /// naming `cash_balance` / `total_value` when the result would not fit
    /// DECIMAL(15,2).
    pub fn deposit(&mut self, amount: Decimal, now: DateTime<Utc>) -> Result<()> {
        let amount = positive_money("amount", amount)?;
        let cash = fixed::fit(MONEY, "cash_balance", i128::from(self.cash) + i128::from(amount))?;
        let total = fixed::fit(MONEY, "total_value", i128::from(self.total) + i128::from(amount))?;
        // After this point it must succeed.
        self.set_cash(cash, total, now);
        Ok(())
    }

    /// Takes cash out.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming `amount` when it is not positive
    /// or not valid money; [`ElsonError::InsufficientFunds`] when it exceeds
    /// the cash balance.
    pub fn withdraw(&mut self, amount: Decimal, now: DateTime<Utc>) -> Result<()> {
        let amount = positive_money("amount", amount)?;
        if amount > self.cash {
            return Err(ElsonError::InsufficientFunds {
                needed: money(amount),
                available: money(self.cash),
            });
        }
        // After this point it must succeed: total ≥ cash ≥ amount.
        self.set_cash(self.cash - amount, self.total - amount, now);
        Ok(())
    }

    fn set_cash(&mut self, cash: i64, total: i64, now: DateTime<Utc>) {
        self.cash = cash;
        self.total = total;
        self.portfolio.cash_balance = money(cash);
        self.portfolio.total_value = money(total);
        self.portfolio.updated_at = now;
        self.debug_check_invariants();
    }

    /// Sets (or clears) the industry sector of a held symbol: positions a
    /// buy opens start without one.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming `sector` when it is longer than
    /// 100 characters; [`ElsonError::NotFound`] (`entity` = `"position"`)
    /// when the symbol is not held.
    pub fn set_sector(
        &mut self,
        symbol: &str,
        sector: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if let Some(sector) = sector {
            TextLimit::NAME.optional().identifier().check("sector", sector)?;
        }
        let Ok(index) = self.find(symbol, &SymbolKey::new(symbol)) else {
            return Err(ElsonError::NotFound { entity: "position".into(), id: symbol.to_owned() });
        };
        // After this point it must succeed.
        let position = &mut self.positions[index];
        position.sector = sector.map(str::to_owned);
        position.updated_at = now;
        Ok(())
    }

    /// Sets the market price of a held symbol and revalues the position and
    /// the portfolio.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming `price` when it is not valid money
    /// (0 is allowed: a worthless holding), or naming a derived column that
    /// would not fit; [`ElsonError::NotFound`] (`entity` = `"position"`) when
    /// the symbol is not held.
    pub fn mark_to_market(
        &mut self,
        symbol: &str,
        price: Decimal,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let price = fixed::to_units(MONEY, "price", price)?;
        let Ok(index) = self.find(symbol, &SymbolKey::new(symbol)) else {
            return Err(ElsonError::NotFound { entity: "position".into(), id: symbol.to_owned() });
        };
        let slot = self.slots[index];
        let v = valuation::value(slot.quantity, price, slot.average)?;
        let total = fixed::fit(
            MONEY,
            "total_value",
            i128::from(self.total) - i128::from(slot.value) + i128::from(v.current_value),
        )?;
        // After this point it must succeed.
        let held = Held { quantity: slot.quantity, average: slot.average, price, valuation: v };
        write_position(&mut self.positions[index], &mut self.slots[index], &held, now);
        self.total = total;
        self.portfolio.total_value = money(total);
        self.portfolio.updated_at = now;
        self.debug_check_invariants();
        Ok(())
    }

    /// What [`Book::execute`] would do, without changing anything: the same
    /// checks, the same numbers. Use it to show a confirmation screen, or to
    /// validate inside a transaction before writing.
    ///
    /// # Errors
    /// Exactly those of [`Book::execute`].
    pub fn preview(&self, trade: &Trade, exec: Execution<'_>) -> Result<Outcome> {
        Ok(match self.plan(trade, &exec)? {
            Some(plan) => Outcome::Executed(plan.fill(trade.quantity)),
            None => Outcome::StillPending,
        })
    }

    /// Validates a PENDING trade against this book and, when it fills, applies
    /// it: cash, position, portfolio value, and the trade's fill columns
    /// (`price` = execution price, `fees`, `total_amount`, `executed_at`,
    /// status EXECUTED). A LIMIT order the market price does not reach
    /// (a buy fills only at ≤ limit, a sell only at ≥ limit) returns
    /// [`Outcome::StillPending`] and changes nothing.
    ///
    /// A filled position is marked at the execution price. A position a buy
    /// opens gets a random (v4) id and `asset_type` from the execution.
    ///
    /// # Errors
    /// Checked in this order; on any error nothing changes:
    /// - [`ElsonError::InvalidInput`] naming `portfolio_id` when the trade
    ///   belongs to another portfolio;
    /// - [`ElsonError::InvalidTransition`] when the trade is not PENDING;
    /// - [`ElsonError::ApprovalRequired`] when its guardian approval is
    ///   PENDING or REJECTED;
    /// - [`ElsonError::InvalidInput`] naming `quantity` (not positive or
    ///   invalid), `market_price` (not positive or invalid), `price` (a LIMIT
    ///   order without a valid limit price, a MARKET order with one);
    /// - (a LIMIT order not reached: [`Outcome::StillPending`]);
    /// - [`ElsonError::InvalidInput`] naming `quantity` when the notional
    ///   rounds to 0.00, `symbol` when a new symbol is not a valid one, or a
    ///   computed column that would not fit its DECIMAL type (`notional`,
    ///   `fees`, `quantity`, `average_price`, `current_value`,
    ///   `gain_loss_percent`, `cash_balance`, `total_value` …);
    /// - [`ElsonError::InsufficientFunds`] when a buy's notional + fees
    ///   exceed the cash balance;
    /// - [`ElsonError::InsufficientQuantity`] when a sell asks for more than
    ///   is held.
    pub fn execute(&mut self, trade: &mut Trade, exec: Execution<'_>) -> Result<Outcome> {
        match self.plan(trade, &exec)? {
            Some(plan) => {
                self.apply(trade, &plan, &exec);
                Ok(Outcome::Executed(plan.fill(trade.quantity)))
            }
            None => Ok(Outcome::StillPending),
        }
    }

    /// Every check of an execution and every number it produces; `None` when
    /// a LIMIT order is not reachable. Never mutates.
    #[inline(always)]
    fn plan(&self, trade: &Trade, exec: &Execution<'_>) -> Result<Option<Plan>> {
        // Guards: whose trade, which state, whose approval.
        if trade.portfolio_id != self.portfolio.id {
            return Err(self.foreign(trade));
        }
        let status = next_status(trade.status, TradeEvent::Execute)?;
        match trade.guardian_approval {
            GuardianApproval::Pending | GuardianApproval::Rejected => {
                return Err(ElsonError::ApprovalRequired { trade_id: trade.id });
            }
            GuardianApproval::Approved | GuardianApproval::NotRequired => {}
        }

        // Guards: what is traded, at which price.
        let qty = fixed::to_units(QUANTITY, "quantity", trade.quantity)?;
        if qty == 0 {
            return Err(ElsonError::invalid("quantity", "must be greater than 0"));
        }
        let price = fixed::to_units(MONEY, "market_price", exec.market_price)?;
        if price == 0 {
            return Err(ElsonError::invalid("market_price", "must be greater than 0"));
        }
        match (trade.order_type, trade.price) {
            (OrderType::Market, None) => {}
            (OrderType::Market, Some(_)) => {
                return Err(ElsonError::invalid(
                    "price",
                    "a MARKET order must not carry a limit price",
                ));
            }
            (OrderType::Limit, None) => {
                return Err(ElsonError::invalid("price", "a LIMIT order needs a limit price"));
            }
            (OrderType::Limit, Some(limit)) => {
                let limit = fixed::to_units(MONEY, "price", limit)?;
                if limit == 0 {
                    return Err(ElsonError::invalid("price", "must be greater than 0"));
                }
                let reachable = match trade.side {
                    TradeSide::Buy => price <= limit,
                    TradeSide::Sell => price >= limit,
                };
                if !reachable {
                    return Ok(None);
                }
            }
        }
        let notional = fixed::fit(MONEY, "notional", fixed::mul_micros(qty, price))?;
        if notional == 0 {
            return Err(ElsonError::invalid(
                "quantity",
                format!(
                    "{} at {} has a notional of 0.00 after rounding",
                    trade.quantity, exec.market_price
                ),
            ));
        }
        let fees = exec.fees.fee_cents(notional)?;
        let key = SymbolKey::new(&trade.symbol);
        let slot = self.find(&trade.symbol, &key);
        let (q0, avg0, old_value) = match slot {
            Ok(i) => {
                let s = &self.slots[i];
                (s.quantity, s.average, s.value)
            }
            // A symbol the book does not hold yet must be a valid one; a held
            // symbol matched a validated row.
            Err(_) => {
                TextLimit::SYMBOL.check("symbol", &trade.symbol)?;
                (0, 0, 0)
            }
        };

        // Guards: money and holdings; compute the state after the fill.
        let cash = self.cash;
        let (after, cash_after, total_amount, realized) = match trade.side {
            TradeSide::Buy => {
                let needed = notional + fees;
                if needed > cash {
                    return Err(ElsonError::InsufficientFunds {
                        needed: money(needed),
                        available: money(cash),
                    });
                }
                let q1 = fixed::fit(QUANTITY, "quantity", i128::from(q0) + i128::from(qty))?;
                // average = round2((q0·avg0 + notional) / (q0 + q)), exactly.
                let cost = i128::from(q0) * i128::from(avg0)
                    + i128::from(notional) * i128::from(MICROS_PER_UNIT);
                let avg1 =
                    fixed::fit(MONEY, "average_price", fixed::div_half_even(cost, i128::from(q1)))?;
                let valuation = valuation::value(q1, price, avg1)?;
                let held = Held { quantity: q1, average: avg1, price, valuation };
                (Some(held), cash - needed, needed, 0)
            }
            TradeSide::Sell => {
                if qty > q0 {
                    return Err(ElsonError::InsufficientQuantity {
                        symbol: trade.symbol.clone(),
                        requested: trade.quantity,
                        held: quantity(q0),
                    });
                }
                // fees ≤ notional (FeeSchedule caps it), so proceeds ≥ 0.
                let proceeds = notional - fees;
                let basis_sold = fixed::fit(MONEY, "cost_basis", fixed::mul_micros(qty, avg0))?;
                let realized = fixed::fit(
                    &DecimalLimit::MONEY_SIGNED,
                    "realized_pnl",
                    i128::from(proceeds) - i128::from(basis_sold),
                )?;
                let q1 = q0 - qty;
                let held = if q1 == 0 {
                    None
                } else {
                    let valuation = valuation::value(q1, price, avg0)?;
                    Some(Held { quantity: q1, average: avg0, price, valuation })
                };
                let cash_after =
                    fixed::fit(MONEY, "cash_balance", i128::from(cash) + i128::from(proceeds))?;
                (held, cash_after, proceeds, realized)
            }
        };
        let new_value = after.map_or(0, |h| h.valuation.current_value);
        let total_after = fixed::fit(
            MONEY,
            "total_value",
            i128::from(self.total) + i128::from(cash_after)
                - i128::from(cash)
                - i128::from(old_value)
                + i128::from(new_value),
        )?;

        Ok(Some(Plan {
            status,
            slot,
            after,
            side: trade.side,
            price,
            notional,
            fees,
            total_amount,
            realized,
            cash: cash_after,
            total: total_after,
        }))
    }

    #[cold]
    fn foreign(&self, trade: &Trade) -> ElsonError {
        ElsonError::invalid(
            "portfolio_id",
            format!(
                "trade {} belongs to portfolio {}, not {}",
                trade.id, trade.portfolio_id, self.portfolio.id
            ),
        )
    }

    /// Applies a plan computed by [`Book::plan`] on this very book.
    #[inline(always)]
    fn apply(&mut self, trade: &mut Trade, plan: &Plan, exec: &Execution<'_>) {
        // After this point it must succeed: every value was checked by `plan`.
        let now = exec.now;
        match (plan.slot, plan.after) {
            (Ok(i), Some(held)) => {
                write_position(&mut self.positions[i], &mut self.slots[i], &held, now);
            }
            (Ok(i), None) => {
                self.positions.remove(i);
                self.slots.remove(i);
            }
            (Err(i), Some(held)) => {
                let mut position = Position {
                    // Not a clock read: a random v4 id (DESIGN §1) so the core
                    // stays free of a time source.
                    id: Uuid::new_v4(),
                    portfolio_id: self.portfolio.id,
                    symbol: trade.symbol.clone(),
                    quantity: Decimal::ZERO,
                    average_price: Decimal::ZERO,
                    current_price: Decimal::ZERO,
                    current_value: Decimal::ZERO,
                    created_at: now,
                    updated_at: now,
                    last_price_update: None,
                    gain_loss: Decimal::ZERO,
                    gain_loss_percent: Decimal::ZERO,
                    asset_type: exec.asset_type,
                    sector: None,
                };
                let key = SymbolKey::new(&trade.symbol);
                let mut slot = Slot { key, quantity: 0, average: 0, value: 0 };
                write_position(&mut position, &mut slot, &held, now);
                self.positions.insert(i, position);
                self.slots.insert(i, slot);
            }
            (Err(_), None) => debug_assert!(false, "a sell without a position is refused by plan"),
        }
        self.cash = plan.cash;
        self.total = plan.total;
        self.portfolio.cash_balance = money(plan.cash);
        self.portfolio.total_value = money(plan.total);
        self.portfolio.updated_at = now;

        trade.status = plan.status;
        trade.price = Some(money(plan.price));
        trade.fees = Some(money(plan.fees));
        trade.total_amount = Some(money(plan.total_amount));
        trade.executed_at = Some(now);

        debug_assert!(trade.status == TradeStatus::Executed && trade.executed_at.is_some());
        self.debug_check_invariants();
    }

    /// Recomputes every invariant from scratch (debug builds only).
    fn debug_check_invariants(&self) {
        #[cfg(debug_assertions)]
        {
            let cash = self.portfolio.cash_balance;
            debug_assert!(cash >= Decimal::ZERO, "Invariant: cash_balance ≥ 0, got {cash}");
            let sum: Decimal = self.positions.iter().map(|p| p.current_value).sum();
            debug_assert_eq!(
                self.portfolio.total_value,
                cash + sum,
                "Invariant: total_value = cash_balance + Σ current_value"
            );
            debug_assert_eq!(money(self.cash), cash, "Invariant: cash twin");
            debug_assert_eq!(
                money(self.total),
                self.portfolio.total_value,
                "Invariant: total twin"
            );
            debug_assert!(
                self.positions.windows(2).all(|w| w[0].symbol < w[1].symbol),
                "Invariant: positions sorted by symbol, unique"
            );
            debug_assert_eq!(self.positions.len(), self.slots.len(), "Invariant: one slot per row");
            for (p, s) in self.positions.iter().zip(&self.slots) {
                debug_assert!(
                    p.quantity > Decimal::ZERO,
                    "Invariant: held quantity > 0 ({})",
                    p.symbol
                );
                debug_assert_eq!(
                    p.portfolio_id, self.portfolio.id,
                    "Invariant: position belongs here"
                );
                debug_assert_eq!(s.key, SymbolKey::new(&p.symbol), "Invariant: slot key");
                debug_assert_eq!(
                    (quantity(s.quantity), money(s.average), money(s.value)),
                    (p.quantity, p.average_price, p.current_value),
                    "Invariant: slot twin of {}",
                    p.symbol
                );
            }
        }
    }
}

#[inline]
fn write_position(p: &mut Position, slot: &mut Slot, held: &Held, now: DateTime<Utc>) {
    slot.quantity = held.quantity;
    slot.average = held.average;
    slot.value = held.valuation.current_value;
    p.quantity = quantity(held.quantity);
    p.average_price = money(held.average);
    p.current_price = money(held.price);
    p.current_value = money(held.valuation.current_value);
    p.gain_loss = money(held.valuation.gain_loss);
    p.gain_loss_percent = money(held.valuation.gain_loss_percent);
    p.last_price_update = Some(now);
    p.updated_at = now;
}

fn positive_money(field: &str, amount: Decimal) -> Result<i64> {
    let cents = fixed::to_units(MONEY, field, amount)?;
    if cents == 0 {
        return Err(ElsonError::invalid(field, "must be greater than 0"));
    }
    Ok(cents)
}
