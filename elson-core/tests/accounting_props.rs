//! Property tests: random sequences of deposits, withdrawals, buys, sells
//! (MARKET and LIMIT), price updates, cancellations, rejections and approval
//! changes, checked after every step against the book's invariants and
//! against a separate, deliberately naive reference model written with plain
//! `Decimal` arithmetic (STYLE §13).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use elson_core::accounting::{Book, Execution, FeeSchedule, Outcome};
use elson_core::entities::{NewPortfolio, NewTrade, Portfolio, Trade};
use elson_core::enums::{AssetType, GuardianApproval, OrderType, TradeSide, TradeStatus};
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

const PORTFOLIO: Uuid = Uuid::from_u128(0xB00C);
/// Two symbols share their first 16 bytes, the length of the book's inline
/// symbol key, so the long-symbol path of the index is exercised too.
const SYMBOLS: [&str; 5] = ["AAPL", "MSFT", "BRK.B", "LONGSYMBOLPREFIX-A", "LONGSYMBOLPREFIX-B"];

// ------------------------------------------------------------ reference model

fn r2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

#[derive(Debug, Clone, Copy)]
struct ModelFees {
    rate: Decimal,
    minimum: Decimal,
    maximum: Option<Decimal>,
}

impl ModelFees {
    fn fee(&self, notional: Decimal) -> Decimal {
        let mut fee = r2(notional * self.rate).max(self.minimum);
        if let Some(max) = self.maximum {
            fee = fee.min(max);
        }
        fee.min(notional)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct ModelPosition {
    qty: Decimal,
    avg: Decimal,
    price: Decimal,
}

impl ModelPosition {
    fn value(&self) -> Decimal {
        r2(self.qty * self.price)
    }
    fn basis(&self) -> Decimal {
        r2(self.qty * self.avg)
    }
    fn gain_loss(&self) -> Decimal {
        self.value() - self.basis()
    }
    fn gain_loss_percent(&self) -> Decimal {
        if self.basis().is_zero() {
            Decimal::ZERO
        } else {
            r2(Decimal::ONE_HUNDRED * self.gain_loss() / self.basis())
        }
    }
}

#[derive(Debug, Default)]
struct Model {
    cash: Decimal,
    positions: BTreeMap<&'static str, ModelPosition>,
}

#[derive(Debug, Clone)]
struct ModelTrade {
    symbol: &'static str,
    side: TradeSide,
    qty: Decimal,
    limit: Option<Decimal>,
    status: TradeStatus,
    approval: GuardianApproval,
}

impl Model {
    fn total(&self) -> Decimal {
        self.cash + self.positions.values().map(ModelPosition::value).sum::<Decimal>()
    }

    /// Ok(Some(realized)) filled, Ok(None) still pending, Err(code).
    fn execute(
        &mut self,
        t: &mut ModelTrade,
        price: Decimal,
        fees: &ModelFees,
    ) -> Result<Option<Option<Decimal>>, &'static str> {
        if t.status != TradeStatus::Pending {
            return Err("INVALID_TRANSITION");
        }
        if matches!(t.approval, GuardianApproval::Pending | GuardianApproval::Rejected) {
            return Err("APPROVAL_REQUIRED");
        }
        if let Some(limit) = t.limit {
            let reachable = match t.side {
                TradeSide::Buy => price <= limit,
                TradeSide::Sell => price >= limit,
            };
            if !reachable {
                return Ok(None);
            }
        }
        let notional = r2(t.qty * price);
        if notional.is_zero() {
            return Err("INVALID_INPUT");
        }
        let fee = fees.fee(notional);
        let realized = match t.side {
            TradeSide::Buy => {
                if notional + fee > self.cash {
                    return Err("INSUFFICIENT_FUNDS");
                }
                self.cash -= notional + fee;
                let p = self.positions.entry(t.symbol).or_insert(ModelPosition {
                    qty: Decimal::ZERO,
                    avg: Decimal::ZERO,
                    price,
                });
                p.avg = r2((p.qty * p.avg + notional) / (p.qty + t.qty));
                p.qty += t.qty;
                p.price = price;
                None
            }
            TradeSide::Sell => {
                let held = self.positions.get(t.symbol).map_or(Decimal::ZERO, |p| p.qty);
                if t.qty > held {
                    return Err("INSUFFICIENT_QUANTITY");
                }
                let p = self.positions.get_mut(t.symbol).unwrap();
                let realized = notional - fee - r2(t.qty * p.avg);
                self.cash += notional - fee;
                p.qty -= t.qty;
                p.price = price;
                if p.qty.is_zero() {
                    self.positions.remove(t.symbol);
                }
                Some(realized)
            }
        };
        t.status = TradeStatus::Executed;
        Ok(Some(realized))
    }
}

// ------------------------------------------------------------ operations

#[derive(Debug, Clone)]
enum Op {
    Deposit(i64),
    Withdraw(i64),
    Place {
        sym: usize,
        sell: bool,
        qty_micros: i64,
        limit_offset: Option<i64>,
        approval: usize,
        price: i64,
    },
    SellAll {
        sym: usize,
        price: i64,
    },
    SellSome {
        sym: usize,
        permille: i64,
        price: i64,
    },
    Retry {
        idx: usize,
        price: i64,
    },
    Cancel {
        idx: usize,
    },
    Reject {
        idx: usize,
    },
    Approve {
        idx: usize,
    },
    Deny {
        idx: usize,
    },
    Mark {
        sym: usize,
        price: i64,
    },
}

fn qty_micros() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => (1i64..=30).prop_map(|q| q * 1_000_000),
        3 => 1i64..=30_000_000,
        1 => 1i64..=20,
    ]
}

fn price_cents() -> impl Strategy<Value = i64> {
    prop_oneof![4 => 100i64..=60_000, 1 => 1i64..=200]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1i64..=2_000_000).prop_map(Op::Deposit),
        1 => (1i64..=500_000).prop_map(Op::Withdraw),
        8 => (0..SYMBOLS.len(), any::<bool>(), qty_micros(), proptest::option::weighted(0.4, -3_000i64..=3_000), 0usize..6, price_cents())
            .prop_map(|(sym, sell, qty_micros, limit_offset, approval, price)| Op::Place { sym, sell, qty_micros, limit_offset, approval, price }),
        2 => (0..SYMBOLS.len(), price_cents()).prop_map(|(sym, price)| Op::SellAll { sym, price }),
        3 => (0..SYMBOLS.len(), 1i64..=999, price_cents()).prop_map(|(sym, permille, price)| Op::SellSome { sym, permille, price }),
        2 => (any::<usize>(), price_cents()).prop_map(|(idx, price)| Op::Retry { idx, price }),
        1 => any::<usize>().prop_map(|idx| Op::Cancel { idx }),
        1 => any::<usize>().prop_map(|idx| Op::Reject { idx }),
        1 => any::<usize>().prop_map(|idx| Op::Approve { idx }),
        1 => any::<usize>().prop_map(|idx| Op::Deny { idx }),
        2 => (0..SYMBOLS.len(), 0i64..=60_000).prop_map(|(sym, price)| Op::Mark { sym, price }),
    ]
}

fn fee_schedule() -> impl Strategy<Value = (FeeSchedule, ModelFees)> {
    let d = |ppm: i64| Decimal::new(ppm, 6);
    prop_oneof![
        Just((
            FeeSchedule::default(),
            ModelFees { rate: Decimal::new(35, 4), minimum: Decimal::new(50, 2), maximum: None }
        )),
        Just((
            FeeSchedule::zero(),
            ModelFees { rate: Decimal::ZERO, minimum: Decimal::ZERO, maximum: None }
        )),
        (0i64..=20_000, 0i64..=300, proptest::option::of(300i64..=2_000)).prop_map(
            move |(ppm, min, max)| {
                let m = ModelFees {
                    rate: d(ppm),
                    minimum: Decimal::new(min, 2),
                    maximum: max.map(|c| Decimal::new(c, 2)),
                };
                (FeeSchedule::new(m.rate, m.minimum, m.maximum).unwrap(), m)
            }
        ),
    ]
}

const APPROVALS: [GuardianApproval; 6] = [
    GuardianApproval::NotRequired,
    GuardianApproval::NotRequired,
    GuardianApproval::NotRequired,
    GuardianApproval::Approved,
    GuardianApproval::Pending,
    GuardianApproval::Rejected,
];

fn code<T>(r: &Result<T, elson_core::ElsonError>) -> Option<&'static str> {
    r.as_ref().err().map(elson_core::ElsonError::code)
}

fn check_against_model(book: &Book, model: &Model, step: usize) {
    let p = book.portfolio();
    assert!(p.cash_balance >= Decimal::ZERO, "step {step}: cash ≥ 0");
    let sum: Decimal = book.positions().iter().map(|x| x.current_value).sum();
    assert_eq!(p.total_value, p.cash_balance + sum, "step {step}: total = cash + Σ current_value");
    assert_eq!(p.cash_balance, model.cash, "step {step}: cash vs model");
    assert_eq!(p.total_value, model.total(), "step {step}: total vs model");
    assert_eq!(book.positions().len(), model.positions.len(), "step {step}: positions vs model");
    for pos in book.positions() {
        assert!(pos.quantity > Decimal::ZERO, "step {step}: held quantity > 0");
        let m = model
            .positions
            .get(pos.symbol.as_str())
            .unwrap_or_else(|| panic!("step {step}: {} not in model", pos.symbol));
        assert_eq!(
            (pos.quantity, pos.average_price, pos.current_price),
            (m.qty, m.avg, m.price),
            "step {step}: {} quantity/average/price",
            pos.symbol
        );
        assert_eq!(
            (pos.current_value, pos.gain_loss, pos.gain_loss_percent),
            (m.value(), m.gain_loss(), m.gain_loss_percent()),
            "step {step}: {} valuation",
            pos.symbol
        );
    }
}

fn run(fees: &FeeSchedule, model_fees: &ModelFees, ops: &[Op]) {
    let t = |i: usize| DateTime::<Utc>::UNIX_EPOCH + Duration::seconds(i as i64);
    let portfolio =
        Portfolio::new(NewPortfolio::standard(Uuid::nil(), "P"), PORTFOLIO, t(0)).unwrap();
    let mut book = Book::new(portfolio).unwrap();
    let mut model = Model::default();
    let mut trades: Vec<(Trade, ModelTrade)> = Vec::new();
    let exec = |price: i64, now| Execution {
        market_price: Decimal::new(price, 2),
        asset_type: AssetType::Stock,
        fees,
        now,
    };

    for (step, op) in ops.iter().enumerate() {
        let now = t(step + 1);
        let final_before: Vec<TradeStatus> = trades.iter().map(|(tr, _)| tr.status).collect();
        let execute_one =
            |book: &mut Book, model: &mut Model, entry: &mut (Trade, ModelTrade), price: i64| {
                let (trade, mt) = entry;
                let before = book.clone();
                let got = book.execute(trade, exec(price, now));
                let want = model.execute(mt, Decimal::new(price, 2), model_fees);
                match (&got, &want) {
                    (Ok(Outcome::Executed(fill)), Ok(Some(realized))) => {
                        assert_eq!(fill.realized_pnl, *realized, "step {step}: realized P/L");
                        assert_eq!(trade.status, TradeStatus::Executed);
                        assert_eq!(trade.executed_at, Some(now));
                        assert_eq!(trade.price, Some(Decimal::new(price, 2)));
                        let fee = model_fees.fee(r2(mt.qty * Decimal::new(price, 2)));
                        assert_eq!(trade.fees, Some(fee), "step {step}: fees");
                    }
                    (Ok(Outcome::StillPending), Ok(None)) => assert_eq!(*book, before),
                    (Err(e), Err(c)) => {
                        assert_eq!(e.code(), *c, "step {step}: {e}");
                        assert_eq!(
                            *book, before,
                            "step {step}: refused execution must not change the book"
                        );
                    }
                    _ => panic!("step {step}: book {got:?} vs model {want:?}"),
                }
                if matches!(
                    trade.guardian_approval,
                    GuardianApproval::Pending | GuardianApproval::Rejected
                ) {
                    assert!(
                        !matches!(got, Ok(Outcome::Executed(_))),
                        "step {step}: executed without approval"
                    );
                }
            };
        match *op {
            Op::Deposit(c) => {
                let got = book.deposit(Decimal::new(c, 2), now);
                assert!(got.is_ok());
                model.cash += Decimal::new(c, 2);
            }
            Op::Withdraw(c) => {
                let amount = Decimal::new(c, 2);
                let got = book.withdraw(amount, now);
                if amount > model.cash {
                    assert_eq!(code(&got), Some("INSUFFICIENT_FUNDS"), "step {step}");
                } else {
                    assert!(got.is_ok(), "step {step}");
                    model.cash -= amount;
                }
            }
            Op::Place { sym, sell, qty_micros, limit_offset, approval, price } => {
                let symbol = SYMBOLS[sym];
                let side = if sell { TradeSide::Sell } else { TradeSide::Buy };
                let qty = Decimal::new(qty_micros, 6);
                let limit = limit_offset.map(|o| Decimal::new((price + o).max(1), 2));
                let new = match limit {
                    Some(l) => NewTrade::limit(Uuid::new_v4(), PORTFOLIO, symbol, side, qty, l),
                    None => NewTrade::market(Uuid::new_v4(), PORTFOLIO, symbol, side, qty),
                };
                let mut trade = Trade::new(new, now).unwrap();
                trade.guardian_approval = APPROVALS[approval];
                let mt = ModelTrade {
                    symbol,
                    side,
                    qty,
                    limit,
                    status: TradeStatus::Pending,
                    approval: APPROVALS[approval],
                };
                trades.push((trade, mt));
                execute_one(&mut book, &mut model, trades.last_mut().unwrap(), price);
            }
            Op::SellAll { sym, price } | Op::SellSome { sym, price, .. } => {
                let symbol = SYMBOLS[sym];
                let Some(mut held) = model.positions.get(symbol).map(|p| p.qty) else { continue };
                if let Op::SellSome { permille, .. } = *op {
                    held = (held * Decimal::new(permille, 3)).trunc_with_scale(6);
                    if held.is_zero() {
                        continue;
                    }
                }
                let trade = Trade::new(
                    NewTrade::market(Uuid::new_v4(), PORTFOLIO, symbol, TradeSide::Sell, held),
                    now,
                )
                .unwrap();
                let mt = ModelTrade {
                    symbol,
                    side: TradeSide::Sell,
                    qty: held,
                    limit: None,
                    status: TradeStatus::Pending,
                    approval: GuardianApproval::NotRequired,
                };
                trades.push((trade, mt));
                execute_one(&mut book, &mut model, trades.last_mut().unwrap(), price);
            }
            Op::Retry { idx, price } if !trades.is_empty() => {
                let n = trades.len();
                execute_one(&mut book, &mut model, &mut trades[idx % n], price);
            }
            Op::Cancel { idx } if !trades.is_empty() => {
                let n = trades.len();
                let (trade, mt) = &mut trades[idx % n];
                let got = trade.cancel();
                if mt.status == TradeStatus::Pending {
                    assert!(got.is_ok());
                    mt.status = TradeStatus::Cancelled;
                } else {
                    assert_eq!(code(&got), Some("INVALID_TRANSITION"));
                }
                assert_eq!(trade.status, mt.status);
            }
            Op::Reject { idx } if !trades.is_empty() => {
                let n = trades.len();
                let (trade, mt) = &mut trades[idx % n];
                let got = trade.reject("guardian declined");
                if mt.status == TradeStatus::Pending {
                    assert!(got.is_ok());
                    mt.status = TradeStatus::Rejected;
                } else {
                    assert_eq!(code(&got), Some("INVALID_TRANSITION"));
                }
                assert_eq!(trade.status, mt.status);
            }
            Op::Approve { idx } if !trades.is_empty() => {
                // What the families rules do when a guardian approves.
                let n = trades.len();
                let (trade, mt) = &mut trades[idx % n];
                if trade.guardian_approval == GuardianApproval::Pending {
                    trade.guardian_approval = GuardianApproval::Approved;
                    mt.approval = GuardianApproval::Approved;
                }
            }
            Op::Deny { idx } if !trades.is_empty() => {
                let n = trades.len();
                let (trade, mt) = &mut trades[idx % n];
                if trade.guardian_approval == GuardianApproval::Pending {
                    trade.guardian_approval = GuardianApproval::Rejected;
                    mt.approval = GuardianApproval::Rejected;
                }
            }
            Op::Mark { sym, price } => {
                let symbol = SYMBOLS[sym];
                let got = book.mark_to_market(symbol, Decimal::new(price, 2), now);
                match model.positions.get_mut(symbol) {
                    Some(p) => {
                        assert!(got.is_ok(), "step {step}: {got:?}");
                        p.price = Decimal::new(price, 2);
                    }
                    None => assert_eq!(code(&got), Some("NOT_FOUND")),
                }
            }
            Op::Retry { .. }
            | Op::Cancel { .. }
            | Op::Reject { .. }
            | Op::Approve { .. }
            | Op::Deny { .. } => {}
        }
        check_against_model(&book, &model, step);
        for ((trade, mt), before) in trades.iter().zip(&final_before) {
            assert_eq!(trade.status, mt.status, "step {step}: trade status vs model");
            if *before != TradeStatus::Pending {
                assert_eq!(trade.status, *before, "step {step}: final states stay final");
            }
            assert_eq!(
                trade.executed_at.is_some(),
                trade.status == TradeStatus::Executed,
                "executed_at iff EXECUTED"
            );
            if trade.order_type == OrderType::Limit && trade.status == TradeStatus::Pending {
                assert_eq!(trade.price, mt.limit, "a pending LIMIT order keeps its limit");
            }
        }
    }
    // The rows always load back into the same book.
    let (p, positions) = book.clone().into_rows();
    assert_eq!(Book::from_rows(p, positions).unwrap(), book);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn book_matches_reference_model((fees, model_fees) in fee_schedule(), ops in prop::collection::vec(op(), 1..48)) {
        run(&fees, &model_fees, &ops);
    }
}
