//! `ModelParameter::new` and every column limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::entities::{ModelParameter, NewModelParameter};
use elson_core::enums::VolatilityLevel;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 10, 30, 0).unwrap()
}

fn base() -> NewModelParameter {
    NewModelParameter {
        volatility_level: VolatilityLevel::High,
        parameter_type: "confidence_threshold".into(),
        parameter_name: "min_confidence".into(),
        parameter_value: dec!(0.65),
        effective_from: now(),
        effective_to: None,
        created_by: "quant@elson".into(),
        description: None,
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

fn make(p: NewModelParameter) -> elson_core::Result<ModelParameter> {
    ModelParameter::new(p, None, now())
}

#[test]
fn happy_path() {
    let id = Uuid::new_v4();
    let to = now() + Duration::days(7);
    let p = NewModelParameter {
        effective_to: Some(to),
        description: Some("tighter in HIGH".into()),
        ..base()
    };
    let m = ModelParameter::new(p, Some(id), now() + Duration::seconds(5)).unwrap();
    assert_eq!(m.id, id);
    assert_eq!(m.volatility_level, VolatilityLevel::High);
    assert_eq!(m.parameter_type, "confidence_threshold");
    assert_eq!(m.parameter_name, "min_confidence");
    assert_eq!(m.parameter_value, dec!(0.65));
    assert_eq!((m.effective_from, m.effective_to), (now(), Some(to)));
    assert_eq!(m.created_by, "quant@elson");
    assert_eq!(m.created_at, now() + Duration::seconds(5));
    assert_eq!(m.updated_at, m.created_at);
    assert_eq!(m.description.as_deref(), Some("tighter in HIGH"));
    assert_eq!(make(base()).unwrap().id.get_version_num(), 4);
}

#[test]
fn text_limits() {
    let ty = |t: String| make(NewModelParameter { parameter_type: t, ..base() });
    assert!(ty("t".repeat(50)).is_ok());
    invalid_field(ty("t".repeat(51)), "parameter_type");
    invalid_field(ty(String::new()), "parameter_type");
    let name = |n: String| make(NewModelParameter { parameter_name: n, ..base() });
    assert!(name("n".repeat(100)).is_ok());
    invalid_field(name("n".repeat(101)), "parameter_name");
    invalid_field(name(String::new()), "parameter_name");
    let by = |b: String| make(NewModelParameter { created_by: b, ..base() });
    invalid_field(by("b".repeat(101)), "created_by");
    invalid_field(by(String::new()), "created_by");
    let desc = |d: String| make(NewModelParameter { description: Some(d), ..base() });
    invalid_field(desc("d".repeat(65_537)), "description");
}

#[test]
fn parameter_value_is_decimal_15_6_signed_and_never_rounded() {
    let v = |x: Decimal| make(NewModelParameter { parameter_value: x, ..base() });
    assert!(v(dec!(999999999.999999)).is_ok());
    assert!(v(dec!(-999999999.999999)).is_ok(), "signed");
    assert!(v(dec!(0.000001)).is_ok());
    assert_eq!(v(dec!(0.5000000)).unwrap().parameter_value, dec!(0.5000000), "trailing zeros fit");
    invalid_field(v(dec!(0.0000001)), "parameter_value");
    invalid_field(v(dec!(1000000000)), "parameter_value");
}

#[test]
fn effective_interval_must_not_be_empty() {
    let to = |t: DateTime<Utc>| make(NewModelParameter { effective_to: Some(t), ..base() });
    assert!(to(now() + Duration::milliseconds(1)).is_ok());
    assert!(invalid_field(to(now()), "effective_to").contains("effective_from"));
    invalid_field(to(now() - Duration::days(1)), "effective_to");
}
