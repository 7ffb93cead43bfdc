//! `VolatilityRegime::new` (exact decimals) and `from_reading` (f64 from the
//! regime engine, rounded; NaN and infinities refused).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::entities::{NewVolatilityRegime, VolatilityReading, VolatilityRegime};
use elson_core::enums::{CircuitBreakerState, VolatilityLevel, VolatilityMethod};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal_macros::dec;
use uuid::Uuid;

fn bar_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 20, 0, 0).unwrap()
}

fn base() -> NewVolatilityRegime {
    NewVolatilityRegime {
        symbol: "AAPL".into(),
        timestamp: bar_time(),
        volatility_value: dec!(0.1834),
        volatility_level: VolatilityLevel::Normal,
        lookback_period: 20,
        calculation_method: VolatilityMethod::CloseToClose,
        circuit_breaker_state: Some(CircuitBreakerState::Cautious),
        confidence_score: dec!(0.83),
        stabilization_count: 1,
    }
}

fn reading() -> VolatilityReading {
    VolatilityReading {
        symbol: "AAPL".into(),
        timestamp: bar_time(),
        volatility_value: 0.183_449,
        volatility_level: VolatilityLevel::Normal,
        lookback_period: 20,
        calculation_method: VolatilityMethod::Ewma,
        circuit_breaker_state: None,
        confidence_score: 0.834_9,
        stabilization_count: 3,
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

fn make(p: NewVolatilityRegime) -> elson_core::Result<VolatilityRegime> {
    VolatilityRegime::new(p, None)
}

#[test]
fn happy_path() {
    let id = Uuid::new_v4();
    let r = VolatilityRegime::new(base(), Some(id)).unwrap();
    assert_eq!(r.id, id);
    assert_eq!(r.symbol, "AAPL");
    assert_eq!(r.timestamp, bar_time());
    assert_eq!(r.volatility_value, dec!(0.1834));
    assert_eq!(r.volatility_level, VolatilityLevel::Normal);
    assert_eq!(r.lookback_period, 20);
    assert_eq!(r.calculation_method, VolatilityMethod::CloseToClose);
    assert_eq!(r.circuit_breaker_state, Some(CircuitBreakerState::Cautious));
    assert_eq!(r.confidence_score, dec!(0.83));
    assert_eq!(r.stabilization_count, 1);
    assert_eq!(make(base()).unwrap().id.get_version_num(), 4);
    // The level is not re-derived from the value (hysteresis may lag it).
    assert!(make(NewVolatilityRegime { volatility_level: VolatilityLevel::Low, ..base() }).is_ok());
}

#[test]
fn symbol_limits() {
    let sym = |s: String| make(NewVolatilityRegime { symbol: s, ..base() });
    assert!(sym("S".repeat(20)).is_ok());
    invalid_field(sym("S".repeat(21)), "symbol");
    invalid_field(sym(String::new()), "symbol");
}

#[test]
fn volatility_value_limits() {
    let v = |x: Decimal| make(NewVolatilityRegime { volatility_value: x, ..base() });
    assert!(v(Decimal::ZERO).is_ok());
    assert!(v(dec!(999999.9999)).is_ok());
    assert!(invalid_field(v(dec!(-0.0001)), "volatility_value").contains("negative"));
    invalid_field(v(dec!(0.18345)), "volatility_value");
    invalid_field(v(dec!(1000000)), "volatility_value");
}

#[test]
fn integer_limits() {
    let lb = |n: i32| make(NewVolatilityRegime { lookback_period: n, ..base() });
    assert!(lb(1).is_ok());
    invalid_field(lb(0), "lookback_period");
    invalid_field(lb(-20), "lookback_period");
    let sc = |n: i32| make(NewVolatilityRegime { stabilization_count: n, ..base() });
    assert!(sc(1).is_ok());
    invalid_field(sc(0), "stabilization_count");
    invalid_field(sc(-1), "stabilization_count");
}

#[test]
fn confidence_limits() {
    let c = |x: Decimal| make(NewVolatilityRegime { confidence_score: x, ..base() });
    assert!(c(Decimal::ZERO).is_ok());
    assert!(c(Decimal::ONE).is_ok());
    invalid_field(c(dec!(1.01)), "confidence_score");
    invalid_field(c(dec!(-0.01)), "confidence_score");
    invalid_field(c(dec!(0.555)), "confidence_score");
}

#[test]
fn from_reading_rounds_into_the_columns() {
    let r = VolatilityRegime::from_reading(reading(), None).unwrap();
    assert_eq!(r.volatility_value, dec!(0.1834));
    assert_eq!(r.confidence_score, dec!(0.83));
    assert_eq!(r.calculation_method, VolatilityMethod::Ewma);
    assert_eq!(r.stabilization_count, 3);
    assert_eq!(r.circuit_breaker_state, None);

    let r = VolatilityRegime::from_reading(
        VolatilityReading { volatility_value: 0.25, confidence_score: 1.004, ..reading() },
        None,
    )
    .unwrap();
    assert_eq!((r.volatility_value, r.confidence_score), (dec!(0.25), dec!(1.00)));

    let r = VolatilityRegime::from_reading(
        VolatilityReading { volatility_value: -0.0, confidence_score: 0.0, ..reading() },
        None,
    )
    .unwrap();
    assert!(r.volatility_value.is_zero() && r.volatility_value.is_sign_positive());
    assert_eq!(serde_json::to_value(r.volatility_value).unwrap(), serde_json::json!("0"));
}

#[test]
fn from_reading_refuses_non_finite_and_out_of_range() {
    let v = |x: f64| {
        VolatilityRegime::from_reading(VolatilityReading { volatility_value: x, ..reading() }, None)
    };
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(invalid_field(v(bad), "volatility_value").contains("finite"));
    }
    invalid_field(v(-0.01), "volatility_value");
    invalid_field(v(1e6), "volatility_value");
    invalid_field(v(1e30), "volatility_value");

    let c = |x: f64| {
        VolatilityRegime::from_reading(VolatilityReading { confidence_score: x, ..reading() }, None)
    };
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(invalid_field(c(bad), "confidence_score").contains("finite"));
    }
    invalid_field(c(1.006), "confidence_score");
    invalid_field(c(-0.01), "confidence_score");

    let bad_lookback = VolatilityReading { lookback_period: 0, ..reading() };
    invalid_field(VolatilityRegime::from_reading(bad_lookback, None), "lookback_period");
    let bad_symbol = VolatilityReading { symbol: String::new(), ..reading() };
    invalid_field(VolatilityRegime::from_reading(bad_symbol, None), "symbol");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Every finite reading in range is accepted and lands within half a
    /// unit of the last stored decimal place.
    #[test]
    fn in_range_readings_round_trip(vol in 0.0f64..100_000.0, conf in 0.0f64..=1.0) {
        let r = VolatilityRegime::from_reading(
            VolatilityReading { volatility_value: vol, confidence_score: conf, ..reading() },
            None,
        ).unwrap();
        prop_assert!(r.volatility_value.scale() <= 4);
        prop_assert!(r.confidence_score.scale() <= 2);
        prop_assert!((r.volatility_value.to_f64().unwrap() - vol).abs() <= 0.000_050_01);
        prop_assert!((r.confidence_score.to_f64().unwrap() - conf).abs() <= 0.005_000_1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Any f64 at all (NaN, infinities, subnormals, huge values) gives a row
    /// or an `InvalidInput` naming one of the two float fields; never a panic.
    #[test]
    fn any_f64_is_a_row_or_an_input_error(vol in any::<f64>(), conf in any::<f64>()) {
        match VolatilityRegime::from_reading(
            VolatilityReading { volatility_value: vol, confidence_score: conf, ..reading() },
            None,
        ) {
            Ok(r) => {
                prop_assert!(r.volatility_value >= Decimal::ZERO);
                prop_assert!(r.confidence_score >= Decimal::ZERO && r.confidence_score <= Decimal::ONE);
            }
            Err(ElsonError::InvalidInput { field, .. }) => {
                prop_assert!(field == "volatility_value" || field == "confidence_score", "{}", field);
            }
            Err(other) => prop_assert!(false, "unexpected {:?}", other),
        }
    }
}
