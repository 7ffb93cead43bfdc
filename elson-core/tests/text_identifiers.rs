//! Issue 15 item 12: identifiers (symbols, flag names, sectors, parameter
//! types and names, model versions) with NUL, control characters or
//! Unicode bidirectional controls are refused by the core's constructors
//! as `InvalidInput` naming the field, so every backend and binding
//! refuses them alike; free text keeps newlines and direction marks but
//! never NUL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::backtest::BacktestConfig;
use elson_core::breaker::Scope;
use elson_core::entities::{ModelParameter, NewModelParameter, NewTrade, Trade};
use elson_core::enums::{TradeSide, VolatilityLevel};
use rust_decimal_macros::dec;
use uuid::Uuid;

const BAD: [&str; 9] = [
    "AA\0PL",
    "AAPL\u{1b}",
    "AA\tPL",
    "AA\u{202e}LPA",
    "AA\u{202a}PL",
    "AAPL\u{2069}",
    "\u{200e}AAPL",
    "AA\u{61c}PL",
    "AAPL\u{7f}",
];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 10, 30, 0).unwrap()
}

fn field_of<T: std::fmt::Debug>(r: elson_core::Result<T>) -> String {
    match r {
        Err(ElsonError::InvalidInput { field, .. }) => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn trades_refuse_such_symbols() {
    for bad in BAD {
        let new = NewTrade::market(Uuid::now_v7(), Uuid::new_v4(), bad, TradeSide::Buy, dec!(1));
        assert_eq!(field_of(Trade::new(new, now())), "symbol", "{bad:?}");
    }
    let new = NewTrade::market(Uuid::now_v7(), Uuid::new_v4(), "BRK.B", TradeSide::Buy, dec!(1));
    assert!(Trade::new(new, now()).is_ok());
}

#[test]
fn parameters_backtests_and_breaker_scopes_refuse_them() {
    for bad in BAD {
        let param = |ptype: String, name: String| {
            let p = NewModelParameter {
                volatility_level: VolatilityLevel::Low,
                parameter_type: ptype,
                parameter_name: name,
                parameter_value: dec!(0.1),
                effective_from: now(),
                effective_to: None,
                created_by: "quant".into(),
                description: None,
            };
            ModelParameter::new(p, None, now())
        };
        let (ptype, name) = (format!("sizing{bad}"), "max".to_string());
        assert_eq!(field_of(param(ptype, name)), "parameter_type", "{bad:?}");
        let (ptype, name) = ("sizing".to_string(), format!("max{bad}"));
        assert_eq!(field_of(param(ptype, name)), "parameter_name", "{bad:?}");
        assert_eq!(field_of(BacktestConfig::new(bad).validate()), "symbol", "{bad:?}");
        assert_eq!(field_of(Scope::Symbol(bad.into()).validate()), "scope", "{bad:?}");
    }
}
