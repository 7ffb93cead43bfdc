//! Every rule and every error path of the book, one test each, plus a ledger
//! scenario as a table (STYLE §13).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, Utc};
use elson_core::ElsonError;
use elson_core::accounting::{Book, Execution, FeeSchedule, Fill, Outcome};
use elson_core::entities::{NewPortfolio, NewTrade, Portfolio, Position, Trade};
use elson_core::enums::{AssetType, GuardianApproval, OrderType, TradeSide, TradeStatus};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

const PORTFOLIO: Uuid = Uuid::from_u128(0x100);
static FEES: FeeSchedule = FeeSchedule::DEFAULT;
static NO_FEES: FeeSchedule = FeeSchedule::zero();

fn t(minutes: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + Duration::minutes(minutes)
}

fn book(cash: Decimal) -> Book {
    let p = Portfolio::new(NewPortfolio::standard(Uuid::from_u128(1), "Main"), PORTFOLIO, t(0))
        .unwrap();
    let mut b = Book::new(p).unwrap();
    if cash > Decimal::ZERO {
        b.deposit(cash, t(0)).unwrap();
    }
    b
}

fn market(side: TradeSide, symbol: &str, qty: Decimal) -> Trade {
    Trade::new(NewTrade::market(Uuid::new_v4(), PORTFOLIO, symbol, side, qty), t(0)).unwrap()
}

fn limit(side: TradeSide, symbol: &str, qty: Decimal, limit: Decimal) -> Trade {
    Trade::new(NewTrade::limit(Uuid::new_v4(), PORTFOLIO, symbol, side, qty, limit), t(0)).unwrap()
}

fn at(price: Decimal) -> Execution<'static> {
    Execution { market_price: price, asset_type: AssetType::Stock, fees: &FEES, now: t(5) }
}

fn filled(outcome: Outcome) -> Fill {
    match outcome {
        Outcome::Executed(fill) => fill,
        Outcome::StillPending => panic!("expected a fill"),
    }
}

fn buy(b: &mut Book, symbol: &str, qty: Decimal, price: Decimal) -> Fill {
    filled(b.execute(&mut market(TradeSide::Buy, symbol, qty), at(price)).unwrap())
}

/// Runs `execute`, expects an error, and checks that nothing changed.
fn refused(b: &mut Book, trade: &mut Trade, exec: Execution<'_>) -> ElsonError {
    let (book_before, trade_before) = (b.clone(), trade.clone());
    let preview = b.preview(trade, exec);
    let err = b.execute(trade, exec).unwrap_err();
    assert_eq!(preview, Err(err.clone()), "preview and execute agree");
    assert_eq!(*b, book_before, "a refused execution leaves the book untouched");
    assert_eq!(*trade, trade_before, "a refused execution leaves the trade untouched");
    err
}

fn field(err: &ElsonError) -> &str {
    match err {
        ElsonError::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

// ---------------------------------------------------------------- cash

#[test]
fn deposit_and_withdraw_move_cash_and_total() {
    let mut b = book(dec!(0));
    b.deposit(dec!(100.5), t(1)).unwrap();
    assert_eq!(b.portfolio().cash_balance.to_string(), "100.50");
    assert_eq!(b.portfolio().total_value, dec!(100.50));
    assert_eq!(b.portfolio().updated_at, t(1));
    b.withdraw(dec!(100.50), t(2)).unwrap();
    assert_eq!(b.portfolio().cash_balance, dec!(0));
    assert_eq!(b.portfolio().total_value, dec!(0));
}

#[test]
fn deposit_refuses_bad_amounts() {
    let mut b = book(dec!(10));
    let before = b.clone();
    for amount in [dec!(0), dec!(-1), dec!(1.001)] {
        assert_eq!(field(&b.deposit(amount, t(1)).unwrap_err()), "amount", "{amount}");
    }
    b.deposit(dec!(9999999999989.99), t(1)).unwrap();
    assert_eq!(field(&b.deposit(dec!(0.01), t(1)).unwrap_err()), "cash_balance");
    assert_eq!(before.portfolio().cash_balance, dec!(10));
}

#[test]
fn withdraw_refuses_more_than_cash() {
    let mut b = book(dec!(10));
    let err = b.withdraw(dec!(10.01), t(1)).unwrap_err();
    assert_eq!(err, ElsonError::InsufficientFunds { needed: dec!(10.01), available: dec!(10.00) });
    assert_eq!(field(&b.withdraw(dec!(0), t(1)).unwrap_err()), "amount");
    assert_eq!(field(&b.withdraw(dec!(0.001), t(1)).unwrap_err()), "amount");
    assert_eq!(b.portfolio().cash_balance, dec!(10));
}

#[test]
fn withdraw_keeps_position_value_in_total() {
    let mut b = book(dec!(1000));
    buy(&mut b, "AAPL", dec!(1), dec!(100));
    b.withdraw(dec!(899.50), t(6)).unwrap();
    assert_eq!(b.portfolio().cash_balance, dec!(0));
    assert_eq!(b.portfolio().total_value, dec!(100.00));
}

// ---------------------------------------------------------------- buys

#[test]
fn market_buy_fills_and_stamps_the_trade() {
    let mut b = book(dec!(1000));
    let mut trade = market(TradeSide::Buy, "AAPL", dec!(2.5));
    let preview = b.preview(&trade, at(dec!(150))).unwrap();
    let before = b.clone();
    assert_eq!(b, before, "preview does not mutate");
    let fill = filled(b.execute(&mut trade, at(dec!(150))).unwrap());
    assert_eq!(Outcome::Executed(fill), preview);
    assert_eq!(fill.notional, dec!(375.00));
    assert_eq!(fill.fees, dec!(1.31)); // 1.3125 → 1.31
    assert_eq!(fill.total_amount, dec!(376.31));
    assert_eq!(fill.realized_pnl, None);
    assert!(fill.position_opened && !fill.position_closed);
    assert_eq!(fill.position_quantity, dec!(2.5));
    assert_eq!((fill.cash_balance, fill.total_value), (dec!(623.69), dec!(998.69)));

    assert_eq!(trade.status, TradeStatus::Executed);
    assert_eq!(trade.price.unwrap().to_string(), "150.00");
    assert_eq!(trade.fees, Some(dec!(1.31)));
    assert_eq!(trade.total_amount, Some(dec!(376.31)));
    assert_eq!(trade.executed_at, Some(t(5)));

    let p = b.position("AAPL").unwrap();
    assert_eq!((p.quantity, p.average_price, p.current_price), (dec!(2.5), dec!(150), dec!(150)));
    assert_eq!((p.current_value, p.gain_loss, p.gain_loss_percent), (dec!(375), dec!(0), dec!(0)));
    assert_eq!((p.portfolio_id, p.asset_type, p.created_at), (PORTFOLIO, AssetType::Stock, t(5)));
    assert_eq!(p.last_price_update, Some(t(5)));
    assert_eq!(b.portfolio().cash_balance, dec!(623.69));
    assert_eq!(b.portfolio().total_value, dec!(998.69));
}

#[test]
fn second_buy_averages_the_price_half_even() {
    let mut b = book(dec!(10000));
    buy(&mut b, "AAPL", dec!(10), dec!(150.00));
    let fill = buy(&mut b, "AAPL", dec!(5), dec!(160.33));
    assert!(!fill.position_opened);
    let p = b.position("AAPL").unwrap();
    // (10 × 150.00 + 801.65) / 15 = 153.443… → 153.44
    assert_eq!(p.average_price, dec!(153.44));
    assert_eq!(p.current_value, dec!(2404.95));
    assert_eq!(p.gain_loss, dec!(103.35)); // 2404.95 − 2301.60
    assert_eq!(p.gain_loss_percent, dec!(4.49));
    // Exact ties go to the even cent: (1 × 0.01 + 0.02) / 2 = 0.015 → 0.02;
    // (1 × 0.02 + 0.03) / 2 = 0.025 → 0.02.
    let mut b = book(dec!(100));
    let zero = |price| Execution { fees: &NO_FEES, ..at(price) };
    b.execute(&mut market(TradeSide::Buy, "A", dec!(1)), zero(dec!(0.01))).unwrap();
    b.execute(&mut market(TradeSide::Buy, "A", dec!(1)), zero(dec!(0.02))).unwrap();
    assert_eq!(b.position("A").unwrap().average_price, dec!(0.02));
    b.execute(&mut market(TradeSide::Buy, "B", dec!(1)), zero(dec!(0.02))).unwrap();
    b.execute(&mut market(TradeSide::Buy, "B", dec!(1)), zero(dec!(0.03))).unwrap();
    assert_eq!(b.position("B").unwrap().average_price, dec!(0.02));
}

#[test]
fn buy_needs_notional_plus_fees() {
    let mut b = book(dec!(100.34));
    // 100.00 + 0.35 → minimum 0.50 → needs 100.50
    let err = refused(&mut b, &mut market(TradeSide::Buy, "AAPL", dec!(1)), at(dec!(100)));
    assert_eq!(
        err,
        ElsonError::InsufficientFunds { needed: dec!(100.50), available: dec!(100.34) }
    );
    // exactly enough is enough, and leaves cash at 0
    let mut b = book(dec!(100.50));
    buy(&mut b, "AAPL", dec!(1), dec!(100));
    assert_eq!(b.portfolio().cash_balance, dec!(0));
}

#[test]
fn fees_are_capped_at_the_notional() {
    let mut b = book(dec!(1));
    let fill = buy(&mut b, "PENNY", dec!(1), dec!(0.30));
    assert_eq!((fill.notional, fill.fees, fill.total_amount), (dec!(0.30), dec!(0.30), dec!(0.60)));
    b.withdraw(dec!(0.40), t(6)).unwrap();
    // A sell of 0.30 with cash 0 pays 0.30 of fees and cash stays at 0, never below.
    let mut sell = market(TradeSide::Sell, "PENNY", dec!(1));
    let fill = filled(b.execute(&mut sell, at(dec!(0.30))).unwrap());
    assert_eq!((fill.total_amount, fill.realized_pnl), (dec!(0.00), Some(dec!(-0.30))));
    assert_eq!(b.portfolio().cash_balance, dec!(0));
    assert_eq!(b.portfolio().total_value, dec!(0));
}

// ---------------------------------------------------------------- sells

#[test]
fn partial_sell_realizes_against_the_average_price() {
    let mut b = book(dec!(10000));
    buy(&mut b, "AAPL", dec!(10), dec!(150.00));
    buy(&mut b, "AAPL", dec!(5), dec!(160.33));
    let cash = b.portfolio().cash_balance;
    let mut sell = market(TradeSide::Sell, "AAPL", dec!(4));
    let fill = filled(b.execute(&mut sell, at(dec!(170))).unwrap());
    assert_eq!(
        (fill.notional, fill.fees, fill.total_amount),
        (dec!(680.00), dec!(2.38), dec!(677.62))
    );
    // 677.62 − round2(4 × 153.44) = 677.62 − 613.76
    assert_eq!(fill.realized_pnl, Some(dec!(63.86)));
    assert_eq!(b.portfolio().cash_balance, cash + dec!(677.62));
    assert_eq!(sell.total_amount, Some(dec!(677.62)));
    let p = b.position("AAPL").unwrap();
    assert_eq!((p.quantity, p.average_price, p.current_price), (dec!(11), dec!(153.44), dec!(170)));
    assert_eq!(fill.position_quantity, dec!(11));
    assert!(!fill.position_closed);
}

#[test]
fn selling_everything_removes_the_position() {
    let mut b = book(dec!(1000));
    buy(&mut b, "AAPL", dec!(3), dec!(100));
    buy(&mut b, "MSFT", dec!(1), dec!(100));
    let mut sell = market(TradeSide::Sell, "AAPL", dec!(3.000000));
    let fill = filled(b.execute(&mut sell, at(dec!(90))).unwrap());
    assert!(fill.position_closed);
    assert_eq!(fill.position_quantity, dec!(0));
    // 270.00 − 0.945→0.94 … 0.945 is a tie → 0.94; − 300.00
    assert_eq!(fill.fees, dec!(0.94));
    assert_eq!(fill.realized_pnl, Some(dec!(-30.94)));
    assert!(b.position("AAPL").is_none());
    assert_eq!(b.positions().len(), 1);
    assert_eq!(b.portfolio().total_value, b.portfolio().cash_balance + dec!(100));
}

#[test]
fn sell_needs_the_quantity() {
    let mut b = book(dec!(1000));
    buy(&mut b, "AAPL", dec!(2), dec!(100));
    let err = refused(&mut b, &mut market(TradeSide::Sell, "AAPL", dec!(2.000001)), at(dec!(100)));
    assert_eq!(
        err,
        ElsonError::InsufficientQuantity {
            symbol: "AAPL".into(),
            requested: dec!(2.000001),
            held: dec!(2)
        }
    );
    let err = refused(&mut b, &mut market(TradeSide::Sell, "TSLA", dec!(1)), at(dec!(100)));
    assert_eq!(
        err,
        ElsonError::InsufficientQuantity {
            symbol: "TSLA".into(),
            requested: dec!(1),
            held: dec!(0)
        }
    );
}

// ---------------------------------------------------------------- LIMIT orders

#[test]
fn limit_buy_fills_only_at_or_below_the_limit() {
    let mut b = book(dec!(1000));
    let mut order = limit(TradeSide::Buy, "AAPL", dec!(1), dec!(100));
    let before = (b.clone(), order.clone());
    assert_eq!(b.execute(&mut order, at(dec!(100.01))).unwrap(), Outcome::StillPending);
    assert_eq!((b.clone(), order.clone()), before, "StillPending changes nothing");
    assert_eq!(order.status, TradeStatus::Pending);
    let fill = filled(b.execute(&mut order, at(dec!(99.5))).unwrap());
    assert_eq!(fill.price, dec!(99.50), "fills at the market price, not the limit");
    assert_eq!(order.price, Some(dec!(99.50)));
    let mut at_limit = limit(TradeSide::Buy, "AAPL", dec!(1), dec!(100));
    assert!(matches!(b.execute(&mut at_limit, at(dec!(100))).unwrap(), Outcome::Executed(_)));
}

#[test]
fn limit_sell_fills_only_at_or_above_the_limit() {
    let mut b = book(dec!(1000));
    buy(&mut b, "AAPL", dec!(2), dec!(100));
    let mut order = limit(TradeSide::Sell, "AAPL", dec!(1), dec!(120));
    assert_eq!(b.execute(&mut order, at(dec!(119.99))).unwrap(), Outcome::StillPending);
    let fill = filled(b.execute(&mut order, at(dec!(120))).unwrap());
    assert_eq!(fill.price, dec!(120));
    let mut above = limit(TradeSide::Sell, "AAPL", dec!(1), dec!(120));
    assert_eq!(filled(b.execute(&mut above, at(dec!(125))).unwrap()).price, dec!(125));
}

#[test]
fn unreachable_limit_is_pending_even_without_funds() {
    let mut b = book(dec!(0));
    let mut order = limit(TradeSide::Buy, "AAPL", dec!(1), dec!(100));
    assert_eq!(b.execute(&mut order, at(dec!(101))).unwrap(), Outcome::StillPending);
    let err = refused(&mut b, &mut order, at(dec!(99)));
    assert_eq!(err.code(), "INSUFFICIENT_FUNDS");
}

#[test]
fn order_type_and_price_must_agree() {
    let mut b = book(dec!(1000));
    let mut m = market(TradeSide::Buy, "AAPL", dec!(1));
    m.price = Some(dec!(10));
    assert_eq!(field(&refused(&mut b, &mut m, at(dec!(10)))), "price");
    let mut l = limit(TradeSide::Buy, "AAPL", dec!(1), dec!(10));
    l.price = None;
    assert_eq!(field(&refused(&mut b, &mut l, at(dec!(10)))), "price");
    l.price = Some(dec!(10.001));
    assert_eq!(field(&refused(&mut b, &mut l, at(dec!(10)))), "price");
    l.order_type = OrderType::Market;
    assert_eq!(field(&refused(&mut b, &mut l, at(dec!(10)))), "price");
}

// ---------------------------------------------------------------- guards

#[test]
fn approval_gates_execution() {
    for (approval, ok) in [
        (GuardianApproval::NotRequired, true),
        (GuardianApproval::Approved, true),
        (GuardianApproval::Pending, false),
        (GuardianApproval::Rejected, false),
    ] {
        let mut b = book(dec!(1000));
        let mut trade = market(TradeSide::Buy, "AAPL", dec!(1));
        trade.guardian_approval = approval;
        if ok {
            assert!(b.execute(&mut trade, at(dec!(10))).is_ok(), "{approval}");
        } else {
            let err = refused(&mut b, &mut trade, at(dec!(10)));
            assert_eq!(err, ElsonError::ApprovalRequired { trade_id: trade.id }, "{approval}");
        }
    }
}

#[test]
fn approval_is_checked_even_for_unreachable_limits() {
    let mut b = book(dec!(1000));
    let mut order = limit(TradeSide::Buy, "AAPL", dec!(1), dec!(1));
    order.guardian_approval = GuardianApproval::Pending;
    assert_eq!(refused(&mut b, &mut order, at(dec!(50))).code(), "APPROVAL_REQUIRED");
}

#[test]
fn only_pending_trades_execute() {
    let mut b = book(dec!(1000));
    let mut done = market(TradeSide::Buy, "AAPL", dec!(1));
    b.execute(&mut done, at(dec!(10))).unwrap();
    let err = refused(&mut b, &mut done, at(dec!(10)));
    assert_eq!(
        err,
        ElsonError::InvalidTransition {
            entity: "trade".into(),
            from: "EXECUTED".into(),
            to: "EXECUTED".into()
        }
    );
    let mut cancelled = market(TradeSide::Buy, "AAPL", dec!(1));
    cancelled.cancel().unwrap();
    assert_eq!(refused(&mut b, &mut cancelled, at(dec!(10))).code(), "INVALID_TRANSITION");
    let mut rejected = market(TradeSide::Buy, "AAPL", dec!(1));
    rejected.reject("too risky").unwrap();
    assert_eq!(refused(&mut b, &mut rejected, at(dec!(10))).code(), "INVALID_TRANSITION");
}

#[test]
fn trade_of_another_portfolio_is_refused() {
    let mut b = book(dec!(1000));
    let mut trade = market(TradeSide::Buy, "AAPL", dec!(1));
    trade.portfolio_id = Uuid::from_u128(0x999);
    assert_eq!(field(&refused(&mut b, &mut trade, at(dec!(10)))), "portfolio_id");
}

#[test]
fn bad_prices_and_quantities_are_refused() {
    let mut b = book(dec!(1000));
    let mut trade = market(TradeSide::Buy, "AAPL", dec!(1));
    for price in [dec!(0), dec!(-1), dec!(1.001), dec!(10000000000000)] {
        assert_eq!(field(&refused(&mut b, &mut trade, at(price))), "market_price", "{price}");
    }
    for qty in [dec!(0), dec!(-1), dec!(0.0000001)] {
        let mut bad = trade.clone();
        bad.quantity = qty;
        assert_eq!(field(&refused(&mut b, &mut bad, at(dec!(10)))), "quantity", "{qty}");
    }
    let mut bad = trade.clone();
    bad.symbol = String::new();
    assert_eq!(field(&refused(&mut b, &mut bad, at(dec!(10)))), "symbol");
    // 0.000001 × 1.00 = 0.000001 → 0.00: worth nothing, refused.
    let mut dust = market(TradeSide::Buy, "AAPL", dec!(0.000001));
    assert_eq!(field(&refused(&mut b, &mut dust, at(dec!(1)))), "quantity");
}

#[test]
fn oversized_results_are_refused_not_truncated() {
    let mut b = book(dec!(9999999999999.99));
    // 0.35 % of 5e12 does not fit fees DECIMAL(10,2).
    let err = refused(&mut b, &mut market(TradeSide::Buy, "BIG", dec!(5000)), at(dec!(1000000000)));
    assert_eq!(field(&err), "fees");
    let err = refused(
        &mut b,
        &mut market(TradeSide::Buy, "BIG", dec!(999999999)),
        at(dec!(999999999999)),
    );
    assert_eq!(field(&err), "notional");
}

// ---------------------------------------------------------------- mark to market

#[test]
fn mark_to_market_revalues_position_and_total() {
    let mut b = book(dec!(10000));
    buy(&mut b, "AAPL", dec!(11), dec!(153.44));
    let cash = b.portfolio().cash_balance;
    b.mark_to_market("AAPL", dec!(140), t(9)).unwrap();
    let p = b.position("AAPL").unwrap();
    assert_eq!((p.current_price, p.current_value), (dec!(140), dec!(1540.00)));
    assert_eq!(p.gain_loss, dec!(-147.84)); // 1540.00 − 1687.84
    assert_eq!(p.gain_loss_percent, dec!(-8.76)); // −8.759…
    assert_eq!((p.last_price_update, p.updated_at), (Some(t(9)), t(9)));
    assert_eq!(b.portfolio().total_value, cash + dec!(1540));
    assert_eq!(b.portfolio().updated_at, t(9));
    b.mark_to_market("AAPL", dec!(0), t(10)).unwrap();
    let p = b.position("AAPL").unwrap();
    assert_eq!((p.current_value, p.gain_loss_percent), (dec!(0), dec!(-100)));
    assert_eq!(b.portfolio().total_value, cash);
}

#[test]
fn mark_to_market_errors() {
    let mut b = book(dec!(1000));
    buy(&mut b, "AAPL", dec!(1), dec!(10));
    let before = b.clone();
    assert_eq!(
        b.mark_to_market("MSFT", dec!(1), t(1)).unwrap_err(),
        ElsonError::NotFound { entity: "position".into(), id: "MSFT".into() }
    );
    assert_eq!(field(&b.mark_to_market("AAPL", dec!(-1), t(1)).unwrap_err()), "price");
    assert_eq!(field(&b.mark_to_market("AAPL", dec!(1.234), t(1)).unwrap_err()), "price");
    assert_eq!(b, before);
}

// ---------------------------------------------------------------- rows

fn row(symbol: &str, qty: Decimal, avg: Decimal, price: Decimal) -> Position {
    let mut b = book(dec!(0));
    b.deposit(dec!(9999999999), t(0)).unwrap();
    let zero = Execution { fees: &NO_FEES, ..at(avg) };
    b.execute(&mut market(TradeSide::Buy, symbol, qty), zero).unwrap();
    b.mark_to_market(symbol, price, t(0)).unwrap();
    b.position(symbol).unwrap().clone()
}

#[test]
fn rows_round_trip() {
    let mut b = book(dec!(5000));
    buy(&mut b, "MSFT", dec!(2), dec!(300));
    buy(&mut b, "AAPL", dec!(3), dec!(100));
    b.mark_to_market("AAPL", dec!(111.11), t(7)).unwrap();
    assert_eq!(
        b.positions().iter().map(|p| p.symbol.as_str()).collect::<Vec<_>>(),
        ["AAPL", "MSFT"]
    );
    let (portfolio, mut positions) = b.clone().into_rows();
    positions.reverse(); // order of the rows does not matter
    assert_eq!(Book::from_rows(portfolio, positions).unwrap(), b);
}

#[test]
fn inconsistent_rows_are_refused() {
    let p = book(dec!(100)).portfolio().clone();
    let aapl = row("AAPL", dec!(2), dec!(10), dec!(12));
    let mut total = p.clone();
    total.total_value = dec!(124); // cash 100 + 24
    assert!(Book::from_rows(total.clone(), vec![aapl.clone()]).is_ok());

    type Corrupt = Box<dyn Fn(&mut Portfolio, &mut Vec<Position>)>;
    let cases: Vec<(&str, Corrupt)> = vec![
        ("total_value", Box::new(|p, _| p.total_value = dec!(125))),
        ("cash_balance", Box::new(|p, _| p.cash_balance = dec!(-1))),
        ("cash_balance", Box::new(|p, _| p.cash_balance = dec!(0.001))),
        ("current_value", Box::new(|_, v| v[0].current_value = dec!(25))),
        ("gain_loss", Box::new(|_, v| v[0].gain_loss = dec!(5))),
        ("gain_loss_percent", Box::new(|_, v| v[0].gain_loss_percent = dec!(21))),
        ("quantity", Box::new(|_, v| v[0].quantity = dec!(0))),
        ("quantity", Box::new(|_, v| v[0].quantity = dec!(0.0000001))),
        ("average_price", Box::new(|_, v| v[0].average_price = dec!(-1))),
        ("current_price", Box::new(|_, v| v[0].current_price = dec!(1.001))),
        ("symbol", Box::new(|_, v| v[0].symbol = String::new())),
        ("sector", Box::new(|_, v| v[0].sector = Some("x".repeat(101)))),
        ("portfolio_id", Box::new(|_, v| v[0].portfolio_id = Uuid::nil())),
        (
            "symbol",
            Box::new(|p, v| {
                let dup = v[0].clone();
                p.total_value += dup.current_value;
                v.push(dup);
            }),
        ),
    ];
    for (expected, corrupt) in cases {
        let (mut p, mut v) = (total.clone(), vec![aapl.clone()]);
        corrupt(&mut p, &mut v);
        let err = Book::from_rows(p, v).unwrap_err();
        assert_eq!(field(&err), expected, "{err}");
    }
}

// ---------------------------------------------------------------- lifecycle

#[test]
fn cancel_and_reject_only_from_pending() {
    let mut trade = market(TradeSide::Buy, "AAPL", dec!(1));
    trade.cancel().unwrap();
    assert_eq!(trade.status, TradeStatus::Cancelled);
    assert_eq!(trade.cancel().unwrap_err().code(), "INVALID_TRANSITION");
    assert_eq!(trade.reject("late").unwrap_err().code(), "INVALID_TRANSITION");

    let mut trade = market(TradeSide::Buy, "AAPL", dec!(1));
    assert_eq!(field(&trade.reject(" ").unwrap_err()), "reason");
    assert_eq!(field(&trade.reject(&"x".repeat(65_537)).unwrap_err()), "reason");
    assert_eq!(trade.status, TradeStatus::Pending);
    trade.reject("guardian said no").unwrap();
    assert_eq!(
        (trade.status, trade.notes.as_deref()),
        (TradeStatus::Rejected, Some("guardian said no"))
    );
    assert_eq!(
        trade.cancel().unwrap_err(),
        ElsonError::InvalidTransition {
            entity: "trade".into(),
            from: "REJECTED".into(),
            to: "CANCELLED".into()
        }
    );

    let mut b = book(dec!(100));
    let mut trade = market(TradeSide::Buy, "AAPL", dec!(1));
    b.execute(&mut trade, at(dec!(10))).unwrap();
    let err = trade.cancel().unwrap_err();
    assert_eq!(
        err,
        ElsonError::InvalidTransition {
            entity: "trade".into(),
            from: "EXECUTED".into(),
            to: "CANCELLED".into()
        }
    );
    assert_eq!(trade.status, TradeStatus::Executed);
}

// ---------------------------------------------------------------- ledger scenario (STYLE §13)

#[derive(Debug)]
enum Op {
    Deposit(Decimal),
    Withdraw(Decimal),
    Buy(&'static str, Decimal, Decimal),
    Sell(&'static str, Decimal, Decimal),
    LimitBuy(&'static str, Decimal, Decimal, Decimal),
    Mark(&'static str, Decimal),
}

#[derive(Debug)]
enum Expect {
    /// cash, total value, and realized P/L of a sell.
    Ok(Decimal, Decimal, Option<Decimal>),
    Pending,
    Err(&'static str),
}

#[test]
fn ledger_scenario() {
    use Expect::*;
    use Op::*;
    let table: &[(Op, Expect)] = &[
        (Deposit(dec!(10000)), Ok(dec!(10000.00), dec!(10000.00), None)),
        // 1500.00 + 5.25 fees
        (Buy("AAPL", dec!(10), dec!(150)), Ok(dec!(8494.75), dec!(9994.75), None)),
        // 801.65 + 2.81 fees; 15 @ 160.33 = 2404.95
        (Buy("AAPL", dec!(5), dec!(160.33)), Ok(dec!(7690.29), dec!(10095.24), None)),
        // 680.00 − 2.38; realized 677.62 − 613.76; 11 @ 170 = 1870.00
        (Sell("AAPL", dec!(4), dec!(170)), Ok(dec!(8367.91), dec!(10237.91), Some(dec!(63.86)))),
        (Mark("AAPL", dec!(140)), Ok(dec!(8367.91), dec!(9907.91), None)),
        (Sell("AAPL", dec!(12), dec!(140)), Err("INSUFFICIENT_QUANTITY")),
        (Withdraw(dec!(9000)), Err("INSUFFICIENT_FUNDS")),
        (LimitBuy("MSFT", dec!(2), dec!(300), dec!(310)), Pending),
        // 591.00 + 2.07 (2.0685)
        (
            LimitBuy("MSFT", dec!(2), dec!(300), dec!(295.50)),
            Ok(dec!(7774.84), dec!(9905.84), None),
        ),
        // 1551.00 − 5.43 (5.4285); realized 1545.57 − 1687.84; AAPL closed
        (Sell("AAPL", dec!(11), dec!(141)), Ok(dec!(9320.41), dec!(9911.41), Some(dec!(-142.27)))),
        (Withdraw(dec!(9320.41)), Ok(dec!(0), dec!(591.00), None)),
        (Buy("MSFT", dec!(1), dec!(1)), Err("INSUFFICIENT_FUNDS")),
        (Mark("AAPL", dec!(1)), Err("NOT_FOUND")),
        (Deposit(dec!(0.001)), Err("INVALID_INPUT")),
    ];
    let mut b = book(dec!(0));
    for (step, (op, expect)) in table.iter().enumerate() {
        let result: Result<Option<Option<Decimal>>, ElsonError> = match *op {
            Deposit(a) => b.deposit(a, t(1)).map(|()| Some(None)),
            Withdraw(a) => b.withdraw(a, t(1)).map(|()| Some(None)),
            Buy(s, q, p) => b.execute(&mut market(TradeSide::Buy, s, q), at(p)).map(realized),
            Sell(s, q, p) => b.execute(&mut market(TradeSide::Sell, s, q), at(p)).map(realized),
            LimitBuy(s, q, l, p) => {
                b.execute(&mut limit(TradeSide::Buy, s, q, l), at(p)).map(realized)
            }
            Mark(s, p) => b.mark_to_market(s, p, t(1)).map(|()| Some(None)),
        };
        let pf = b.portfolio();
        match (expect, result) {
            (Ok(cash, total, pnl), Result::Ok(Some(got_pnl))) => {
                assert_eq!(
                    (pf.cash_balance, pf.total_value, got_pnl),
                    (*cash, *total, *pnl),
                    "step {step}: {op:?}"
                );
            }
            (Pending, Result::Ok(None)) => {}
            (Err(code), Result::Err(e)) => assert_eq!(e.code(), *code, "step {step}: {op:?}"),
            (expect, got) => panic!("step {step}: {op:?}: expected {expect:?}, got {got:?}"),
        }
        let sum: Decimal = b.positions().iter().map(|p| p.current_value).sum();
        assert_eq!(pf.total_value, pf.cash_balance + sum, "step {step}");
    }
    assert_eq!(b.positions().len(), 1);
    assert!(b.position("AAPL").is_none());
}

fn realized(outcome: Outcome) -> Option<Option<Decimal>> {
    match outcome {
        Outcome::Executed(fill) => Some(fill.realized_pnl),
        Outcome::StillPending => None,
    }
}

#[test]
fn long_and_non_ascii_symbols_are_found() {
    // The book indexes symbols by their first 16 bytes; these share them.
    let symbols = [
        "ABCDEFGHIJKLMNOPR",
        "ABCDEFGHIJKLMNOP",
        "ABCDEFGHIJKLMNOPQ",
        "ÉLAN",
        "A",
        "ABCDEFGHIJKLMNOPQRST",
    ];
    let mut b = book(dec!(100000));
    for (i, s) in symbols.iter().enumerate() {
        buy(&mut b, s, Decimal::from(i + 1), dec!(10));
    }
    let mut sorted = symbols;
    sorted.sort_unstable();
    assert_eq!(b.positions().iter().map(|p| p.symbol.as_str()).collect::<Vec<_>>(), sorted);
    for (i, s) in symbols.iter().enumerate() {
        assert_eq!(b.position(s).unwrap().quantity, Decimal::from(i + 1), "{s}");
    }
    assert!(b.position("ABCDEFGHIJKLMNOPS").is_none());
    assert!(b.position("ABCDEFGHIJKLMNO").is_none());
    // Selling everything of each, in another order, empties the book.
    for (i, s) in symbols.iter().enumerate().rev() {
        let fill = filled(
            b.execute(&mut market(TradeSide::Sell, s, Decimal::from(i + 1)), at(dec!(10))).unwrap(),
        );
        assert!(fill.position_closed, "{s}");
    }
    assert!(b.positions().is_empty());
    assert_eq!(b.portfolio().total_value, b.portfolio().cash_balance);
}

#[test]
fn sector_can_be_set_and_cleared() {
    let mut b = book(dec!(100));
    buy(&mut b, "VTI", dec!(1), dec!(10));
    assert_eq!(b.position("VTI").unwrap().sector, None);
    b.set_sector("VTI", Some("Broad market"), t(8)).unwrap();
    let p = b.position("VTI").unwrap();
    assert_eq!((p.sector.as_deref(), p.updated_at), (Some("Broad market"), t(8)));
    assert_eq!(field(&b.set_sector("VTI", Some(&"x".repeat(101)), t(9)).unwrap_err()), "sector");
    assert_eq!(b.set_sector("SPY", None, t(9)).unwrap_err().code(), "NOT_FOUND");
    b.set_sector("VTI", None, t(9)).unwrap();
    assert_eq!(b.position("VTI").unwrap().sector, None);
    let (p, rows) = b.clone().into_rows();
    assert_eq!(Book::from_rows(p, rows).unwrap(), b);
}
