//! The per-bar loop: regime → breaker → strategy → sizing → admission →
//! fill, each step delegated to the module that owns the rule.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

use super::config::BacktestConfig;
use super::result::{BacktestResult, Metrics, RegimeStats, RoundTrip};
use super::strategy::{BarContext, Signals, Strategy, Target};
use crate::accounting::{Book, Execution, Outcome};
use crate::breaker::{self, Breaker, BreakerEvent, OrderIntent, Scope, Transition};
use crate::entities::{
    BacktestResultRow, NewBacktestResult, NewPortfolio, NewTrade, Portfolio, Trade,
};
use crate::enums::{CircuitBreakerState, TradeSide, VolatilityLevel};
use crate::error::{ElsonError, Result};
use crate::limits::DecimalLimit;
use crate::metrics;
use crate::params::ParameterSet;
use crate::regime::RegimeDetector;
use crate::sizing::{SizingContext, check_buy, check_confidence};
use crate::volatility::Bar;

/// Key of the warm-up bars in the breakdown (no regime yet).
pub const WARMUP: &str = "WARMUP";

/// Runs `strategy` over the bars.
///
/// `times` and `bars` are parallel: one time per bar, strictly increasing.
/// Every order fills at its bar's close (± slippage) through
/// [`Book::execute`]; an order the breaker, the sizing limit or the
/// confidence gate refuses is counted in `orders_blocked` and skipped.
///
/// # Errors
/// [`ElsonError::InvalidInput`] for mismatched or empty inputs, a time that
/// does not increase, a bad price (with its index) or an invalid config.
pub fn run<S: Strategy + ?Sized>(
    times: &[DateTime<Utc>],
    bars: &[Bar],
    strategy: &mut S,
    config: &BacktestConfig,
) -> Result<BacktestResult> {
    Engine::new(times, bars, config)?.run(strategy)
}

/// Runs precomputed target weights (NaN = keep) with optional confidences.
///
/// # Errors
/// As [`run`], plus weights outside [−1, 1] or a length mismatch.
pub fn run_signals(
    times: &[DateTime<Utc>],
    bars: &[Bar],
    weights: &[f64],
    confidences: Option<&[f64]>,
    config: &BacktestConfig,
) -> Result<BacktestResult> {
    if weights.len() != bars.len() {
        return Err(ElsonError::invalid(
            "weights",
            format!("has {} values for {} bars", weights.len(), bars.len()),
        ));
    }
    let mut signals = Signals::new(weights, confidences)?;
    run(times, bars, &mut signals, config)
}

/// Largest f64 magnitude converted through an i64 of cents or micro-units.
const SCALED_MAX: f64 = 9.0e15;

/// Money from an f64 price: half-even cents, positive. Converted through an
/// integer of cents (rust_decimal's exact f64 conversion costs ~1 µs).
fn money(field: &str, index: usize, x: f64) -> Result<Decimal> {
    let units = round_ties_even(x * 100.0);
    if !(units.is_finite() && units.abs() < SCALED_MAX) {
        return Err(ElsonError::invalid(field, format!("index {index}: {x} is not a price")));
    }
    let d = Decimal::new(units as i64, 2);
    if d <= Decimal::ZERO {
        return Err(ElsonError::invalid(field, format!("index {index}: {x} rounds to no money")));
    }
    DecimalLimit::MONEY.check(field, d)
}

/// The daily-loss decision `fall / day_open ≥ trip`. Out of line on
/// purpose: inlined, the compiler computes the division on every bar
/// (speculatively, ahead of the cheap test that rules it out) and the loop
/// waits on it.
#[inline(never)]
fn loss_reaches(fall: f64, day_open: f64, trip: f64) -> bool {
    fall / day_open >= trip
}

/// An f64 price rounded to cents (half-even), as the book will see it.
#[inline]
fn cents(x: f64) -> f64 {
    round_ties_even(x * 100.0) / 100.0
}

/// `f64::round_ties_even` without the library call it becomes on the
/// x86-64 baseline (no SSE4.1 `roundsd`), run once per bar: adding and
/// subtracting 2⁵² rounds a magnitude below 2⁵² to an integer, ties to even
/// (the default rounding mode); larger magnitudes are integers already, and
/// NaN and ±inf pass through. The same bits as `round_ties_even` for every
/// input, including −0.0 and negative values that round to −0.0.
#[inline]
fn round_ties_even(y: f64) -> f64 {
    const TWO52: f64 = 4_503_599_627_370_496.0;
    let a = y.abs();
    if a < TWO52 { ((a + TWO52) - TWO52).copysign(y) } else { y }
}

fn floor6(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(6, RoundingStrategy::ToZero)
}

/// A non-negative f64 amount as Decimal cents, rounded down (never more
/// than asked); 0 for NaN or negative.
fn cents_down(x: f64) -> Decimal {
    let units = (x * 100.0).floor();
    if units.is_finite() && units > 0.0 && units < SCALED_MAX {
        Decimal::new(units as i64, 2)
    } else {
        Decimal::ZERO
    }
}

/// A non-negative f64 quantity as Decimal micro-units, rounded down.
fn micro_down(x: f64) -> Decimal {
    let units = (x * 1e6).floor();
    if units.is_finite() && units > 0.0 && units < SCALED_MAX {
        Decimal::new(units as i64, 6)
    } else {
        Decimal::ZERO
    }
}

fn f64_of(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

struct Engine<'a> {
    times: &'a [DateTime<Utc>],
    bars: &'a [Bar],
    config: &'a BacktestConfig,
    params: ParameterSet,
    book: Book,
    portfolio_id: Uuid,
    detector: RegimeDetector,
    symbol_breaker: Breaker,
    portfolio_breaker: Breaker,
    loss_trip: f64,
    slippage: Decimal,
    trade_seq: u64,
    // Per-run output.
    equity: Vec<f64>,
    volatility: Vec<f64>,
    regime: Vec<Option<VolatilityLevel>>,
    breaker: Vec<CircuitBreakerState>,
    trades: Vec<Trade>,
    transitions: Vec<Transition>,
    round_trips: Vec<RoundTrip>,
    orders_blocked: BTreeMap<String, u64>,
    // State mirrored as f64 for the per-bar valuation (exact Decimal state
    // lives in the book; these are refreshed from it after every fill).
    cash: f64,
    quantity: f64,
    open_trip: Option<(usize, f64)>,
}

impl<'a> Engine<'a> {
    fn new(
        times: &'a [DateTime<Utc>],
        bars: &'a [Bar],
        config: &'a BacktestConfig,
    ) -> Result<Self> {
        config.validate()?;
        if bars.is_empty() {
            return Err(ElsonError::invalid("bars", "must not be empty"));
        }
        if times.len() != bars.len() {
            return Err(ElsonError::invalid(
                "times",
                format!("has {} values for {} bars", times.len(), bars.len()),
            ));
        }
        if let Some(i) = times.windows(2).position(|w| w[1] <= w[0]) {
            return Err(ElsonError::invalid(
                "times",
                format!("index {}: {} does not follow {}", i + 1, times[i + 1], times[i]),
            ));
        }
        let start = times[0];
        let portfolio_id = Uuid::from_u64_pair(0x0e15_0000_0000_0000, 1);
        let portfolio = Portfolio::new(
            NewPortfolio::standard(Uuid::from_u64_pair(0x0e15_0000_0000_0000, 0), "backtest"),
            portfolio_id,
            start,
        )?;
        let mut book = Book::new(portfolio)?;
        book.deposit(config.initial_cash, start)?;
        let n = bars.len();
        Ok(Engine {
            times,
            bars,
            config,
            params: ParameterSet::with_overrides(config.parameter_overrides.iter().cloned())?,
            book,
            portfolio_id,
            detector: RegimeDetector::new(&config.volatility, &config.regime)?,
            symbol_breaker: Breaker::new(Scope::Symbol(config.symbol.clone()), config.breaker)?,
            portfolio_breaker: Breaker::new(Scope::Portfolio(portfolio_id), config.breaker)?,
            loss_trip: f64_of(config.breaker.loss_trip_fraction),
            slippage: config.slippage_bps / Decimal::from(10_000),
            trade_seq: 0,
            equity: Vec::with_capacity(n),
            volatility: Vec::with_capacity(n),
            regime: Vec::with_capacity(n),
            breaker: Vec::with_capacity(n),
            trades: Vec::new(),
            transitions: Vec::new(),
            round_trips: Vec::new(),
            orders_blocked: BTreeMap::new(),
            cash: f64_of(config.initial_cash),
            quantity: 0.0,
            open_trip: None,
        })
    }

    fn governing(&self) -> CircuitBreakerState {
        self.symbol_breaker.state().max(self.portfolio_breaker.state())
    }

    fn run<S: Strategy + ?Sized>(mut self, strategy: &mut S) -> Result<BacktestResult> {
        let mut level: Option<VolatilityLevel> = None;
        let mut last_target: f64 = 0.0;
        let mut day: Option<NaiveDate> = None;
        let mut day_open_equity = self.cash;
        let mut prev_equity = self.cash;
        // The detector is fed a chunk of bars ahead (it depends on nothing
        // but the bars), which lets its arithmetic run in a tight loop; a bar
        // it refuses fails the run when the loop reaches it, as before.
        let mut chunk = DetectorChunk::new();
        for (i, (bar, &time)) in self.bars.iter().zip(self.times).enumerate() {
            // 1. Regime: the streaming detector, exactly as live.
            let (vol, new_level) = chunk.reading(
                i,
                &mut self.detector,
                (self.bars, self.times),
                &mut self.volatility,
                &mut self.regime,
            )?;
            // 2. Breakers: feed a regime change, recover when due.
            if new_level != level
                && let Some(l) = new_level
            {
                let t = self.symbol_breaker.step(&BreakerEvent::Regime { level: l }, time)?;
                self.transitions.extend(t);
            }
            level = new_level;
            // The stored UTC date: what `date_naive()` returns for `Utc`,
            // without its offset arithmetic (once per bar).
            let today = time.naive_utc().date();
            if day != Some(today) {
                day = Some(today);
                day_open_equity = prev_equity;
            }
            // Valued at the cent price the book trades at, so the curve ends
            // on the book's exact total value.
            let mark = cents(bar.close);
            let equity_now = self.cash + self.quantity * mark;
            // The first two tests only skip the division when its result
            // cannot reach the trip (a fall below half of it, with margin
            // for rounding); the decision is the division's.
            let fall = day_open_equity - equity_now;
            if day_open_equity > 0.0
                && fall >= 0.5 * self.loss_trip * day_open_equity
                && loss_reaches(fall, day_open_equity, self.loss_trip)
            {
                let event = BreakerEvent::PortfolioValue {
                    day_open_value: money("day_open_value", i, day_open_equity)?,
                    current_value: money("current_value", i, equity_now)?,
                };
                let t = self.portfolio_breaker.step(&event, time)?;
                self.transitions.extend(t);
            }
            for b in [&mut self.symbol_breaker, &mut self.portfolio_breaker] {
                // Nothing demands less than CLOSED: only a breaker above it
                // can have a recovery due.
                if b.state() > CircuitBreakerState::Closed && b.demand_at(time) < b.state() {
                    let t = b.step(&BreakerEvent::Tick, time)?;
                    self.transitions.extend(t);
                }
            }
            // 3. Strategy.
            let ctx = BarContext {
                index: i,
                time,
                bar,
                regime: level,
                volatility: vol,
                breaker: self.governing(),
                position_quantity: self.quantity,
                equity: equity_now,
            };
            if let Some(target) = strategy.on_bar(&ctx) {
                let weight = target.weight.clamp(0.0, 1.0);
                if weight != last_target {
                    last_target = weight;
                    self.rebalance(i, time, bar.close, equity_now, level, target, weight)?;
                }
            }
            let equity = self.cash + self.quantity * mark;
            self.equity.push(equity);
            // (volatility and regime were written by the detector chunk)
            self.breaker.push(self.governing());
            prev_equity = equity;
        }
        self.finish(strategy.name())
    }

    /// Moves the position toward `weight` of equity at this close.
    #[allow(clippy::too_many_arguments)]
    fn rebalance(
        &mut self,
        i: usize,
        time: DateTime<Utc>,
        close: f64,
        equity: f64,
        level: Option<VolatilityLevel>,
        target: Target,
        weight: f64,
    ) -> Result<()> {
        let desired = weight * equity;
        let held_value = self.quantity * cents(close);
        let side = if desired > held_value { TradeSide::Buy } else { TradeSide::Sell };
        if side == TradeSide::Sell && self.quantity == 0.0 {
            return Ok(());
        }
        let price = self.fill_price(i, close, side)?;
        let regime = level.unwrap_or(VolatilityLevel::Normal);
        // Admission first: the governing breaker state decides, as live. The
        // notional here is the wish; sizing below may shrink it.
        let wish = cents_down((desired - held_value).abs());
        let intent =
            OrderIntent { side, is_cancel: false, notional: wish, within_sizing_limit: true };
        if let Err(e) = breaker::admit(self.governing(), &intent) {
            return self.blocked(&e);
        }
        // Confidence gate for model orders.
        let confidence = target.confidence.map(|c| Decimal::new((c * 100.0).round() as i64, 2));
        if let Err(e) = check_confidence(confidence, regime, &self.params, time) {
            return self.blocked(&e);
        }
        if self.book.position(&self.config.symbol).is_some() {
            self.book.mark_to_market(&self.config.symbol, money("close", i, close)?, time)?;
        }
        let quantity = match side {
            TradeSide::Buy => {
                let Some(q) = self.buy_quantity(desired - held_value, price, regime, time)? else {
                    return Ok(());
                };
                q
            }
            TradeSide::Sell => {
                let held =
                    self.book.position(&self.config.symbol).map_or(Decimal::ZERO, |p| p.quantity);
                if weight == 0.0 {
                    held
                } else {
                    micro_down((held_value - desired) / f64_of(price)).min(held)
                }
            }
        };
        if quantity.is_zero() {
            return Ok(());
        }
        self.fill(i, time, side, quantity, price, confidence, level)
    }

    /// The largest buy toward `wanted` (f64 money) that the cash, fees and the
    /// sizing limit allow; `None` when the rules block it.
    fn buy_quantity(
        &mut self,
        wanted: f64,
        price: Decimal,
        regime: VolatilityLevel,
        time: DateTime<Utc>,
    ) -> Result<Option<Decimal>> {
        let cash = self.book.portfolio().cash_balance;
        let fees = &self.config.fees;
        // notional + max(minimum, rate × notional) ≤ cash, solved for notional.
        let affordable = (cash - fees.minimum()).min(cash / (Decimal::ONE + fees.rate()));
        let wanted = cents_down(wanted).min(affordable);
        if wanted <= Decimal::ZERO {
            return Ok(None);
        }
        let quantity = floor6(wanted / price);
        if quantity.is_zero() {
            return Ok(None);
        }
        let ctx = SizingContext {
            params: &self.params,
            total_value: self.book.portfolio().total_value,
            risk_profile: self.config.risk_profile,
            breaker_state: self.governing(),
            regime,
            at: time,
        };
        match check_buy(quantity, price, &ctx, self.config.sizing_mode) {
            Ok(decision) => Ok(Some(decision.quantity())),
            Err(e) => {
                self.blocked(&e)?;
                Ok(None)
            }
        }
    }

    fn fill_price(&self, i: usize, close: f64, side: TradeSide) -> Result<Decimal> {
        let close = money("close", i, close)?;
        let factor = match side {
            TradeSide::Buy => Decimal::ONE + self.slippage,
            TradeSide::Sell => Decimal::ONE - self.slippage,
        };
        let price =
            (close * factor).round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
        if price.is_zero() {
            return Err(ElsonError::invalid(
                "close",
                format!("index {i}: slippage leaves no price"),
            ));
        }
        Ok(price)
    }

    fn blocked(&mut self, e: &ElsonError) -> Result<()> {
        match e {
            ElsonError::TradingHalted { .. }
            | ElsonError::PositionLimitExceeded { .. }
            | ElsonError::ConfidenceTooLow { .. }
            | ElsonError::InsufficientFunds { .. } => {
                *self.orders_blocked.entry(e.code().to_owned()).or_insert(0) += 1;
                Ok(())
            }
            other => Err(other.clone()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn fill(
        &mut self,
        i: usize,
        time: DateTime<Utc>,
        side: TradeSide,
        quantity: Decimal,
        price: Decimal,
        confidence: Option<Decimal>,
        level: Option<VolatilityLevel>,
    ) -> Result<()> {
        self.trade_seq += 1;
        let id = Uuid::from_u64_pair(0x0e15_7ade_0000_0000, self.trade_seq);
        let mut new =
            NewTrade::market(id, self.portfolio_id, self.config.symbol.clone(), side, quantity);
        new.confidence_score = confidence;
        new.circuit_breaker_state = Some(self.governing());
        new.volatility_level = level;
        let mut trade = Trade::new(new, time)?;
        let exec = Execution {
            market_price: price,
            asset_type: self.config.asset_type,
            fees: &self.config.fees,
            now: time,
        };
        let fill = match self.book.execute(&mut trade, exec) {
            Ok(Outcome::Executed(fill)) => fill,
            Ok(Outcome::StillPending) => return Ok(()),
            Err(e) => return self.blocked(&e),
        };
        self.cash = f64_of(fill.cash_balance);
        self.quantity = f64_of(fill.position_quantity);
        // Round trips: flat → flat; P/L = realized P/L of sells − buy fees.
        let delta = match fill.realized_pnl {
            Some(pnl) => f64_of(pnl),
            None => -f64_of(fill.fees),
        };
        let (opened, pnl) = self.open_trip.unwrap_or((i, 0.0));
        if fill.position_quantity.is_zero() {
            self.round_trips.push(RoundTrip { opened, closed: i, pnl: pnl + delta, regime: level });
            self.open_trip = None;
        } else {
            self.open_trip = Some((opened, pnl + delta));
        }
        self.trades.push(trade);
        Ok(())
    }

    fn finish(mut self, strategy_name: &str) -> Result<BacktestResult> {
        let last = self.bars.len() - 1;
        let end = self.times[last];
        if self.book.position(&self.config.symbol).is_some() {
            self.book.mark_to_market(
                &self.config.symbol,
                money("close", last, self.bars[last].close)?,
                end,
            )?;
        }
        // Returns and drawdown in one pass (the same values as
        // `returns_from_equity` and `max_drawdown_from_equity`).
        let (returns, max_drawdown) = metrics::returns_and_max_drawdown(&self.equity)?;
        let ppy = self.config.periods_per_year;
        let rf = self.config.risk_free;
        let trip_pnls: Vec<f64> = self.round_trips.iter().map(|t| t.pnl).collect();
        let initial = f64_of(self.config.initial_cash);
        // The four ratios in one call: the same values as the four
        // functions, in two passes over the returns instead of seven.
        let ratios = metrics::summary(&returns, rf, ppy)?;
        let m = Metrics {
            sharpe: ratios.sharpe,
            sortino: ratios.sortino,
            annual_return: ratios.annual_return,
            annual_volatility: ratios.annual_volatility,
            max_drawdown,
            win_rate: metrics::win_rate(&trip_pnls)?,
            total_return: self.equity[last] / initial - 1.0,
        };
        let breakdown = self.breakdown(&returns)?;
        let profit_loss = self.book.portfolio().total_value - self.config.initial_cash;
        let finite_or_zero = |x: f64| if x.is_finite() { x } else { 0.0 };
        let ratio = |x: f64| Decimal::from_f64(finite_or_zero(x)).unwrap_or_default();
        let notes = (!m.sharpe.is_finite() || m.win_rate.is_nan()).then(|| {
            "sharpe_ratio or win_rate undefined for this run (too few returns, zero variance or no round trips); stored as 0".to_owned()
        });
        let row = BacktestResultRow::new(
            NewBacktestResult {
                model_version: self
                    .config
                    .model_version
                    .clone()
                    .unwrap_or_else(|| strategy_name.to_owned()),
                symbol: self.config.symbol.clone(),
                start_date: self.times[0].date_naive(),
                end_date: end.date_naive(),
                total_trades: i32::try_from(self.trades.len()).unwrap_or(i32::MAX),
                win_rate: ratio(m.win_rate),
                profit_loss,
                sharpe_ratio: ratio(m.sharpe),
                drawdown_max: ratio(m.max_drawdown),
                volatility_breakdown: serde_json::to_value(&breakdown)
                    .map_err(|e| ElsonError::invalid("volatility_breakdown", e.to_string()))?,
                parameters_used: serde_json::to_value(self.config)
                    .map_err(|e| ElsonError::invalid("parameters_used", e.to_string()))?,
                notes,
            },
            Some(Uuid::from_u64_pair(0x0e15_bac7_0000_0000, 1)),
            self.config.run_at.unwrap_or(end),
        )?;
        Ok(BacktestResult {
            row,
            equity: self.equity,
            volatility: self.volatility,
            regime: self.regime,
            breaker: self.breaker,
            trades: self.trades,
            transitions: self.transitions,
            round_trips: self.round_trips,
            metrics: m,
            breakdown,
            orders_blocked: self.orders_blocked,
        })
    }

    /// Per-regime bars, fills, round trips, P/L and Sharpe.
    fn breakdown(&self, returns: &[f64]) -> Result<BTreeMap<String, RegimeStats>> {
        // Slot 0 is the warm-up, then the four levels in order.
        const SLOTS: usize = 5;
        let slot = |l: Option<VolatilityLevel>| l.map_or(0, |l| l as usize + 1);
        let name = |i: usize| if i == 0 { WARMUP } else { VolatilityLevel::ALL[i - 1].as_str() };
        let mut stats = [RegimeStats::default(); SLOTS];
        let mut pnls: [Vec<f64>; SLOTS] = Default::default();
        let initial = f64_of(self.config.initial_cash);
        // Count first, so each slot's returns are collected without regrowth.
        for l in &self.regime {
            stats[slot(*l)].bars += 1;
        }
        let mut rets: [Vec<f64>; SLOTS] =
            std::array::from_fn(|k| Vec::with_capacity(stats[k].bars as usize));
        for (i, l) in self.regime.iter().enumerate() {
            let k = slot(*l);
            let before = if i == 0 { initial } else { self.equity[i - 1] };
            stats[k].profit_loss += self.equity[i] - before;
            if i > 0 {
                rets[k].push(returns[i - 1]);
            }
        }
        for t in &self.trades {
            stats[slot(t.volatility_level)].trades += 1;
        }
        for trip in &self.round_trips {
            pnls[slot(trip.regime)].push(trip.pnl);
        }
        let mut out = BTreeMap::new();
        for (k, mut s) in stats.into_iter().enumerate() {
            if s.bars == 0 && s.trades == 0 {
                continue;
            }
            s.round_trips = pnls[k].len() as u64;
            s.win_rate = metrics::win_rate(&pnls[k])?;
            s.sharpe = metrics::sharpe_ratio(
                &rets[k],
                self.config.risk_free,
                self.config.periods_per_year,
            )?;
            s.profit_loss = (s.profit_loss * 100.0).round() / 100.0;
            out.insert(name(k).to_owned(), s);
        }
        Ok(out)
    }
}

/// Bars fed to the detector ahead of the per-bar loop.
const DETECTOR_CHUNK: usize = 512;

/// Feeds the detector a chunk of bars ahead, writing its readings straight
/// into the run's volatility and regime series.
struct DetectorChunk {
    /// End of the bars fed so far.
    end: usize,
    /// A bar the detector refused (index, error): the run fails there.
    refused: Option<(usize, ElsonError)>,
}

impl DetectorChunk {
    fn new() -> DetectorChunk {
        DetectorChunk { end: 0, refused: None }
    }

    /// Volatility (NaN while the window fills) and stabilized level of bar
    /// `i`; bars are asked for in order, and `volatility` and `regime` hold
    /// one entry per bar fed.
    #[inline]
    fn reading(
        &mut self,
        i: usize,
        detector: &mut RegimeDetector,
        input: (&[Bar], &[DateTime<Utc>]),
        volatility: &mut Vec<f64>,
        regime: &mut Vec<Option<VolatilityLevel>>,
    ) -> Result<(f64, Option<VolatilityLevel>)> {
        if i >= self.end {
            self.refill(i, detector, input, volatility, regime)?;
        }
        Ok((volatility[i], regime[i]))
    }

    fn refill(
        &mut self,
        i: usize,
        detector: &mut RegimeDetector,
        (bars, times): (&[Bar], &[DateTime<Utc>]),
        volatility: &mut Vec<f64>,
        regime: &mut Vec<Option<VolatilityLevel>>,
    ) -> Result<()> {
        if let Some((k, e)) = self.refused.take() {
            debug_assert_eq!(k, i, "Invariant: the run stops at the refused bar");
            return Err(at_index(e, k));
        }
        debug_assert_eq!(volatility.len(), i, "Invariant: one reading per bar fed");
        let end = (i + DETECTOR_CHUNK).min(bars.len());
        volatility.resize(end, f64::NAN);
        regime.resize(end, None);
        self.end = end;
        if let Err((k, e)) = detector.update_levels(
            &bars[i..end],
            &times[i..end],
            &mut volatility[i..end],
            &mut regime[i..end],
        ) {
            if k == 0 {
                return Err(at_index(e, i));
            }
            self.end = i + k;
            volatility.truncate(i + k);
            regime.truncate(i + k);
            self.refused = Some((i + k, e));
        }
        Ok(())
    }
}

/// Prefixes an estimator error with the bar index when it lacks one.
fn at_index(e: ElsonError, i: usize) -> ElsonError {
    match e {
        ElsonError::InvalidInput { field, reason } if !reason.contains("index") => {
            ElsonError::InvalidInput { field, reason: format!("index {i}: {reason}") }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_ties_even_matches_std_bit_for_bit() {
        let mut cases = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -0.5,
            -0.3,
            -2.5,
            0.49999999999999994,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9.0e15 + 1.0,
            1e300,
            -1e300,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cases.push(f64::from_bits(x));
            cases.push((x % 2_000_000) as f64 / 4.0 - 250_000.0);
            cases.push((x >> 11) as f64 / (1u64 << 53) as f64 * 1e6 * 100.0);
        }
        for y in cases {
            let (got, want) = (round_ties_even(y), y.round_ties_even());
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{y:e}: {got:e} vs {want:e}"
            );
        }
    }
}
