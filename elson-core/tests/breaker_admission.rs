#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! What each breaker state allows (DESIGN §6), as a full table.

use chrono::{TimeZone, Utc};
use elson_core::breaker::{BreakerConfig, BreakerEvent, Breakers, OrderIntent, Scope, admit};
use elson_core::enums::{CircuitBreakerState as S, TradeSide, UserRole, VolatilityLevel};
use elson_core::error::ElsonError;
use rust_decimal_macros::dec;
use uuid::Uuid;

fn order(side: TradeSide, is_cancel: bool, within_sizing_limit: bool) -> OrderIntent {
    OrderIntent { side, is_cancel, notional: dec!(250.00), within_sizing_limit }
}

#[test]
fn admission_table() {
    use TradeSide::{Buy, Sell};
    // (state, side, cancel, within limit) → admitted
    #[rustfmt::skip]
    let rows = [
        (S::Closed, Buy, false, false, true),
        (S::Closed, Buy, false, true, true),
        (S::Closed, Sell, false, false, true),
        (S::Closed, Sell, false, true, true),
        (S::Cautious, Buy, false, true, true),
        (S::Cautious, Buy, false, false, false),
        (S::Cautious, Sell, false, true, true),
        (S::Cautious, Sell, false, false, false),
        (S::Restricted, Buy, false, true, true),
        (S::Restricted, Buy, false, false, false),
        (S::Restricted, Sell, false, true, true),
        (S::Restricted, Sell, false, false, true),
        (S::Open, Buy, false, true, false),
        (S::Open, Buy, false, false, false),
        (S::Open, Sell, false, true, false),
        (S::Open, Sell, false, false, false),
    ];
    for (state, side, cancel, within, admitted) in rows {
        let result = admit(state, &order(side, cancel, within));
        assert_eq!(result.is_ok(), admitted, "{state} {side} within={within}");
        if let Err(e) = result {
            match e {
                ElsonError::TradingHalted { state: s, reason } => {
                    assert_eq!(s, state.as_str());
                    assert!(reason.contains("250.00"), "{reason}");
                    assert!(reason.contains(side.as_str()), "{reason}");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn cancelling_is_allowed_in_every_state() {
    for &state in S::ALL {
        for side in [TradeSide::Buy, TradeSide::Sell] {
            for within in [true, false] {
                assert!(admit(state, &order(side, true, within)).is_ok(), "{state}");
            }
        }
    }
}

#[test]
fn a_bad_notional_is_an_input_error_not_a_halt() {
    let mut o = order(TradeSide::Buy, false, true);
    o.notional = dec!(-1.00);
    assert_eq!(admit(S::Closed, &o).unwrap_err().code(), "INVALID_INPUT");
    o.notional = dec!(1.001);
    assert_eq!(admit(S::Open, &o).unwrap_err().code(), "INVALID_INPUT");
}

#[test]
fn order_intent_has_a_flat_json_form() {
    let o: OrderIntent = serde_json::from_str(
        r#"{"side":"SELL","is_cancel":false,"notional":"10.00","within_sizing_limit":true}"#,
    )
    .unwrap();
    assert_eq!(o, OrderIntent { notional: dec!(10.00), ..order(TradeSide::Sell, false, true) });
    assert!(
        serde_json::from_str::<OrderIntent>(
            r#"{"side":"SELL","is_cancel":false,"notional":"1","within_sizing_limit":true,"x":0}"#
        )
        .is_err()
    );
}

#[test]
fn the_registry_names_the_blocking_scope() {
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap();
    let p = Uuid::from_u128(9);
    let mut r = Breakers::new(BreakerConfig::default()).unwrap();
    r.step(
        &Scope::Symbol("GME".into()),
        &BreakerEvent::Regime { level: VolatilityLevel::Extreme },
        now,
    )
    .unwrap();
    let buy = order(TradeSide::Buy, false, true);
    match r.admit("GME", p, &buy).unwrap_err() {
        ElsonError::TradingHalted { state, reason } => {
            assert_eq!(state, "OPEN");
            assert!(reason.contains("SYMBOL:GME"), "{reason}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(r.admit("AAPL", p, &buy).is_ok());
    assert!(r.admit("GME", p, &order(TradeSide::Sell, true, false)).is_ok());
    r.step(
        &Scope::Global,
        &BreakerEvent::ManualTrip { actor_role: UserRole::Admin, level: S::Cautious },
        now,
    )
    .unwrap();
    assert!(r.admit("AAPL", p, &order(TradeSide::Buy, false, false)).is_err());
    let mut bad = buy;
    bad.notional = dec!(-3);
    assert_eq!(r.admit("AAPL", p, &bad).unwrap_err().code(), "INVALID_INPUT");
}
