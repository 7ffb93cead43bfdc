//! Runs `testdata/vectors/accounting.json` (shared with the Python and Kotlin
//! bindings). The ops are documented in `testdata/vectors/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;

use chrono::DateTime;
use elson_core::ElsonError;
use elson_core::accounting::{Book, Execution, FeeSchedule, Outcome, notional};
use elson_core::entities::{NewPortfolio, NewTrade, Portfolio, Position, Trade};
use elson_core::enums::{AssetType, GuardianApproval, OrderType, TradeSide, TradeStatus};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use uuid::Uuid;

const PORTFOLIO: Uuid = Uuid::from_u128(0xACC0);

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("expected a decimal string, got {v}")))
        .unwrap()
}

fn opt_dec(v: &Value) -> Option<Decimal> {
    if v.is_null() { None } else { Some(dec(v)) }
}

fn parse<T: FromStr>(v: &Value) -> T
where
    T::Err: std::fmt::Debug,
{
    v.as_str().unwrap().parse().unwrap()
}

fn book(input: &Value) -> Result<Book, ElsonError> {
    let mut portfolio = Portfolio::new(
        NewPortfolio::standard(Uuid::nil(), "vectors"),
        PORTFOLIO,
        DateTime::UNIX_EPOCH,
    )
    .unwrap();
    portfolio.cash_balance = dec(&input["cash_balance"]);
    portfolio.total_value = dec(&input["total_value"]);
    let positions = input["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Position {
            id: Uuid::new_v4(),
            portfolio_id: PORTFOLIO,
            symbol: p["symbol"].as_str().unwrap().to_owned(),
            quantity: dec(&p["quantity"]),
            average_price: dec(&p["average_price"]),
            current_price: dec(&p["current_price"]),
            current_value: dec(&p["current_value"]),
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
            last_price_update: None,
            gain_loss: dec(&p["gain_loss"]),
            gain_loss_percent: dec(&p["gain_loss_percent"]),
            asset_type: parse(&p["asset_type"]),
            sector: None,
        })
        .collect();
    Book::from_rows(portfolio, positions)
}

fn position_json(p: Option<&Position>) -> Value {
    match p {
        None => Value::Null,
        Some(p) => json!({
            "quantity": p.quantity, "average_price": p.average_price, "current_price": p.current_price,
            "current_value": p.current_value, "gain_loss": p.gain_loss, "gain_loss_percent": p.gain_loss_percent,
        }),
    }
}

fn pending_trade(input: &Value, status: TradeStatus) -> Trade {
    let side: TradeSide = parse(&input["side"]);
    let order_type: OrderType = parse(&input["order_type"]);
    let symbol = input["symbol"].as_str().unwrap();
    let quantity = dec(&input["quantity"]);
    // Build the row directly: the vectors also cover rows a caller could
    // hand to `execute` without `Trade::new` (e.g. a LIMIT without a price).
    let mut trade = Trade::new(
        NewTrade::market(Uuid::from_u128(1), PORTFOLIO, symbol, side, Decimal::ONE),
        DateTime::UNIX_EPOCH,
    )
    .unwrap();
    trade.order_type = order_type;
    trade.quantity = quantity;
    trade.price = opt_dec(&input["limit_price"]);
    trade.status = status;
    trade.guardian_approval =
        input.get("guardian_approval").map_or(GuardianApproval::NotRequired, parse);
    trade
}

/// Runs one case: `Ok(actual expected-object)` or the error.
fn run(op: &str, input: &Value) -> Result<Value, ElsonError> {
    let now = DateTime::UNIX_EPOCH;
    match op {
        "fee" => {
            let schedule = FeeSchedule::new(
                dec(&input["rate"]),
                dec(&input["minimum"]),
                opt_dec(&input["maximum"]),
            )?;
            Ok(json!({ "fee": schedule.fee(dec(&input["notional"]))? }))
        }
        "notional" => {
            Ok(json!({ "notional": notional(dec(&input["quantity"]), dec(&input["price"]))? }))
        }
        "execute" => {
            let mut b = book(input)?;
            let fees = FeeSchedule::new(
                dec(&input["fee_rate"]),
                dec(&input["fee_minimum"]),
                opt_dec(&input["fee_maximum"]),
            )?;
            let mut trade = pending_trade(input, parse(&input["status"]));
            let exec = Execution {
                market_price: dec(&input["market_price"]),
                asset_type: AssetType::Stock,
                fees: &fees,
                now,
            };
            let preview = b.preview(&trade, exec);
            let outcome = b.execute(&mut trade, exec);
            assert_eq!(preview, outcome, "preview agrees with execute");
            Ok(match outcome? {
                Outcome::StillPending => {
                    assert_eq!(trade.status, TradeStatus::Pending);
                    json!({ "outcome": "PENDING", "cash_balance": b.portfolio().cash_balance, "total_value": b.portfolio().total_value })
                }
                Outcome::Executed(fill) => {
                    assert_eq!(trade.status, TradeStatus::Executed);
                    assert_eq!(trade.fees, Some(fill.fees));
                    assert_eq!(trade.total_amount, Some(fill.total_amount));
                    assert_eq!(trade.price, Some(dec(&input["market_price"])));
                    assert_eq!(
                        (fill.cash_balance, fill.total_value),
                        (b.portfolio().cash_balance, b.portfolio().total_value)
                    );
                    json!({
                        "outcome": "EXECUTED", "notional": fill.notional, "fees": fill.fees,
                        "total_amount": fill.total_amount, "realized_pnl": fill.realized_pnl,
                        "cash_balance": b.portfolio().cash_balance, "total_value": b.portfolio().total_value,
                        "position": position_json(b.position(&trade.symbol)),
                    })
                }
            })
        }
        "mark_to_market" => {
            let mut b = book(input)?;
            let symbol = input["symbol"].as_str().unwrap();
            b.mark_to_market(symbol, dec(&input["price"]), now)?;
            Ok(
                json!({ "total_value": b.portfolio().total_value, "position": position_json(b.position(symbol)) }),
            )
        }
        "deposit" | "withdraw" => {
            let mut b = book(input)?;
            let amount = dec(&input["amount"]);
            if op == "deposit" {
                b.deposit(amount, now)?
            } else {
                b.withdraw(amount, now)?
            }
            Ok(
                json!({ "cash_balance": b.portfolio().cash_balance, "total_value": b.portfolio().total_value }),
            )
        }
        "from_rows" => book(input).map(|_| json!({})),
        "cancel" | "reject" => {
            let mut trade = pending_trade(
                &json!({"side": "BUY", "order_type": "MARKET", "symbol": "X", "quantity": "1", "limit_price": null}),
                parse(&input["status"]),
            );
            if op == "cancel" {
                trade.cancel()?;
                Ok(json!({ "status": trade.status }))
            } else {
                trade.reject(input["reason"].as_str().unwrap())?;
                Ok(json!({ "status": trade.status, "notes": trade.notes }))
            }
        }
        "new_trade" => {
            let new = NewTrade {
                id: Uuid::from_u128(2),
                portfolio_id: PORTFOLIO,
                symbol: input["symbol"].as_str().unwrap().to_owned(),
                order_type: parse(&input["order_type"]),
                side: parse(&input["side"]),
                quantity: dec(&input["quantity"]),
                limit_price: opt_dec(&input["limit_price"]),
                confidence_score: opt_dec(&input["confidence_score"]),
                position_sizing: None,
                circuit_breaker_state: None,
                volatility_level: None,
                notes: None,
            };
            let t = Trade::new(new, now)?;
            Ok(
                json!({ "status": t.status, "guardian_approval": t.guardian_approval, "price": t.price }),
            )
        }
        other => panic!("unknown op {other}"),
    }
}

/// Compares expected with actual: decimal strings by value (`"2.5"` equals
/// `"2.50"`), objects key by key (only the keys the vector lists).
fn same(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let av =
                    a.get(k).ok_or_else(|| format!("{path}.{k}: missing in actual {actual}"))?;
                same(ev, av, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::String(e), Value::String(a)) => {
            match (Decimal::from_str(e), Decimal::from_str(a)) {
                (Ok(e), Ok(a)) if e == a => Ok(()),
                _ if e == a => Ok(()),
                _ => Err(format!("{path}: expected {e}, got {a}")),
            }
        }
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{path}: expected {e}, got {a}")),
    }
}

#[test]
fn accounting_vectors() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors/accounting.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(doc["area"], "accounting");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 15, "at least 15 cases, got {}", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let case: &Map<String, Value> = case.as_object().unwrap();
        let name = case["name"].as_str().unwrap();
        let result = run(case["op"].as_str().unwrap(), &case["input"]);
        let verdict = match (case.get("expected"), case.get("error"), result) {
            (Some(expected), None, Ok(actual)) => same(expected, &actual, ""),
            (None, Some(code), Err(e)) if e.code() == code => Ok(()),
            (None, Some(code), got) => Err(format!("expected error {code}, got {got:?}")),
            (Some(_), None, Err(e)) => Err(format!("unexpected error {e}")),
            _ => Err("a case needs exactly one of `expected` and `error`".into()),
        };
        if let Err(why) = verdict {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{} failing vectors:\n{}", failures.len(), failures.join("\n"));
}
