//! `BacktestResultRow::new`: rounding of computed figures and every limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::entities::{BacktestResultRow, NewBacktestResult};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 10, 30, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn base() -> NewBacktestResult {
    NewBacktestResult {
        model_version: "momentum-v2".into(),
        symbol: "SPY".into(),
        start_date: date(2024, 1, 2),
        end_date: date(2025, 12, 31),
        total_trades: 42,
        win_rate: dec!(55.5),
        profit_loss: dec!(1234.56),
        sharpe_ratio: dec!(1.2345),
        drawdown_max: dec!(0.1234),
        volatility_breakdown: serde_json::json!({"LOW": {"bars": 300}}),
        parameters_used: serde_json::json!({"initial_cash": "10000.00"}),
        notes: None,
    }
}

fn invalid_field<T: std::fmt::Debug>(result: elson_core::Result<T>, field: &str) -> String {
    match result {
        Err(ElsonError::InvalidInput { field: f, reason }) => {
            assert_eq!(f, field, "wrong field; reason: {reason}");
            reason
        }
        other => panic!("expected InvalidInput on {field}, got {other:?}"),
    }
}

fn make(p: NewBacktestResult) -> elson_core::Result<BacktestResultRow> {
    BacktestResultRow::new(p, None, now())
}

#[test]
fn happy_path() {
    let id = Uuid::new_v4();
    let r = BacktestResultRow::new(
        NewBacktestResult { notes: Some("baseline".into()), ..base() },
        Some(id),
        now(),
    )
    .unwrap();
    assert_eq!(r.id, id);
    assert_eq!((r.model_version.as_str(), r.symbol.as_str()), ("momentum-v2", "SPY"));
    assert_eq!((r.start_date, r.end_date), (date(2024, 1, 2), date(2025, 12, 31)));
    assert_eq!(r.total_trades, 42);
    assert_eq!(r.win_rate, dec!(55.5));
    assert_eq!(r.profit_loss, dec!(1234.56));
    assert_eq!(r.sharpe_ratio, dec!(1.2345));
    assert_eq!(r.drawdown_max, dec!(0.1234));
    assert_eq!(r.volatility_breakdown, serde_json::json!({"LOW": {"bars": 300}}));
    assert_eq!(r.created_at, now());
    assert_eq!(r.notes.as_deref(), Some("baseline"));
    assert_eq!(make(base()).unwrap().id.get_version_num(), 4);
}

#[test]
fn computed_figures_are_rounded_half_even() {
    let r = make(NewBacktestResult {
        win_rate: dec!(66.666666),
        profit_loss: dec!(10.005),
        sharpe_ratio: dec!(1.23455),
        drawdown_max: dec!(0.12345),
        ..base()
    })
    .unwrap();
    assert_eq!(r.win_rate, dec!(66.67));
    assert_eq!(r.profit_loss, dec!(10.00));
    assert_eq!(r.sharpe_ratio, dec!(1.2346));
    assert_eq!(r.drawdown_max, dec!(0.1234));
    // Negative P/L and Sharpe are normal results.
    let loss =
        make(NewBacktestResult { profit_loss: dec!(-250.125), sharpe_ratio: dec!(-0.5), ..base() })
            .unwrap();
    assert_eq!(loss.profit_loss, dec!(-250.12));
    assert_eq!(loss.sharpe_ratio, dec!(-0.5));
}

#[test]
fn text_limits() {
    let mv = |v: String| make(NewBacktestResult { model_version: v, ..base() });
    assert!(mv("v".repeat(50)).is_ok());
    invalid_field(mv("v".repeat(51)), "model_version");
    invalid_field(mv(String::new()), "model_version");
    let sym = |s: String| make(NewBacktestResult { symbol: s, ..base() });
    assert!(sym("S".repeat(20)).is_ok());
    invalid_field(sym("S".repeat(21)), "symbol");
    invalid_field(sym(String::new()), "symbol");
    let notes = |n: String| make(NewBacktestResult { notes: Some(n), ..base() });
    invalid_field(notes("n".repeat(65_537)), "notes");
}

#[test]
fn dates_and_trade_count() {
    let one_day = make(NewBacktestResult { end_date: date(2024, 1, 2), ..base() });
    assert!(one_day.is_ok(), "end = start is a one-day run");
    assert!(
        invalid_field(make(NewBacktestResult { end_date: date(2024, 1, 1), ..base() }), "end_date")
            .contains("start_date")
    );
    assert!(make(NewBacktestResult { total_trades: 0, ..base() }).is_ok());
    invalid_field(make(NewBacktestResult { total_trades: -1, ..base() }), "total_trades");
}

#[test]
fn decimal_limits() {
    let win = |w: Decimal| make(NewBacktestResult { win_rate: w, ..base() });
    assert_eq!(win(dec!(100)).unwrap().win_rate, dec!(100));
    assert_eq!(win(dec!(100.004)).unwrap().win_rate, dec!(100.00), "rounds into range");
    invalid_field(win(dec!(100.006)), "win_rate");
    invalid_field(win(dec!(-0.01)), "win_rate");
    assert_eq!(win(dec!(-0.004)).unwrap().win_rate, dec!(0.00));

    let pl = |p: Decimal| make(NewBacktestResult { profit_loss: p, ..base() });
    assert!(pl(dec!(-9999999999999.99)).is_ok());
    invalid_field(pl(dec!(10000000000000)), "profit_loss");

    let sharpe = |s: Decimal| make(NewBacktestResult { sharpe_ratio: s, ..base() });
    assert!(sharpe(dec!(-999999.9999)).is_ok());
    invalid_field(sharpe(dec!(1000000)), "sharpe_ratio");
    invalid_field(sharpe(dec!(999999.99995)), "sharpe_ratio");

    let dd = |d: Decimal| make(NewBacktestResult { drawdown_max: d, ..base() });
    assert!(dd(Decimal::ZERO).is_ok());
    assert!(invalid_field(dd(dec!(-0.0001)), "drawdown_max").contains("negative"));
    invalid_field(dd(dec!(1000000)), "drawdown_max");
}
