//! Position sizing and the confidence gate (DESIGN §7): factors, caps,
//! limits, reject/resize, dated overrides, every error path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::entities::ModelParameter;
use elson_core::enums::CircuitBreakerState::{self, Cautious, Closed, Open, Restricted};
use elson_core::enums::RiskProfile::{self, Aggressive, Low as LowRisk, Moderate};
use elson_core::enums::VolatilityLevel::{self, Extreme, High, Low, Normal};
use elson_core::params::ParameterSet;
use elson_core::params::defaults::{names, types};
use elson_core::sizing::{
    SizingContext, SizingDecision, SizingMode, check_buy, check_confidence, confidence_threshold,
    factor, max_buy_notional, max_position_pct,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 15, 30, 0).unwrap()
}

fn param(
    level: VolatilityLevel,
    ty: &str,
    name: &str,
    value: Decimal,
    from: DateTime<Utc>,
) -> ModelParameter {
    ModelParameter {
        id: Uuid::new_v4(),
        volatility_level: level,
        parameter_type: ty.to_owned(),
        parameter_name: name.to_owned(),
        parameter_value: value,
        effective_from: from,
        effective_to: None,
        created_by: "risk-team".to_owned(),
        created_at: from,
        updated_at: from,
        description: Some("test override".to_owned()),
    }
}

fn ctx(
    params: &ParameterSet,
    total_value: Decimal,
    risk_profile: RiskProfile,
    breaker_state: CircuitBreakerState,
    regime: VolatilityLevel,
) -> SizingContext<'_> {
    SizingContext { params, total_value, risk_profile, breaker_state, regime, at: now() }
}

#[test]
fn factor_table_is_design_7() {
    let p = ParameterSet::builtin();
    let expected = [
        (Open, [dec!(0), dec!(0), dec!(0), dec!(0)]),
        (Restricted, [dec!(0.60), dec!(0.40), dec!(0.10), dec!(0.03)]),
        (Cautious, [dec!(0.85), dec!(0.65), dec!(0.15), dec!(0.05)]),
        (Closed, [dec!(1.00), dec!(0.90), dec!(0.10), dec!(0.03)]),
    ];
    for (state, row) in expected {
        for (regime, want) in [Low, Normal, High, Extreme].into_iter().zip(row) {
            assert_eq!(factor(state, regime, &p, now()).unwrap(), want, "{state} {regime}");
        }
    }
}

#[test]
fn max_position_pct_by_risk_profile_in_every_regime() {
    let p = ParameterSet::builtin();
    for regime in VolatilityLevel::ALL {
        assert_eq!(max_position_pct(LowRisk, *regime, &p, now()).unwrap(), dec!(0.05));
        assert_eq!(max_position_pct(Moderate, *regime, &p, now()).unwrap(), dec!(0.10));
        assert_eq!(max_position_pct(Aggressive, *regime, &p, now()).unwrap(), dec!(0.20));
    }
}

#[test]
fn max_buy_notional_multiplies_and_rounds_half_even() {
    let p = ParameterSet::builtin();
    let m = |total, profile, state, regime| {
        max_buy_notional(total, profile, state, regime, &p, now()).unwrap()
    };
    assert_eq!(m(dec!(10000.00), Aggressive, Closed, Low), dec!(2000.00));
    assert_eq!(m(dec!(10000.00), Moderate, Restricted, High), dec!(100.00));
    assert_eq!(m(dec!(10000.00), LowRisk, Cautious, Extreme), dec!(25.00));
    assert_eq!(m(dec!(10000.00), Aggressive, Open, Low), dec!(0.00));
    assert_eq!(m(dec!(0), Aggressive, Closed, Low), dec!(0));
    // 0.05 × 12345.67 × 0.03 = 18.518505 → 18.52
    assert_eq!(m(dec!(12345.67), LowRisk, Closed, Extreme), dec!(18.52));
    // 0.05 × 50.50 × 0.10 = 0.2525 → 0.25 (half-even: the 2 stays)
    assert_eq!(m(dec!(50.50), LowRisk, Closed, High), dec!(0.25));
    // 0.05 × 51.50 × 0.10 = 0.2575 → 0.26 (…and a 7 rounds up)
    assert_eq!(m(dec!(51.50), LowRisk, Closed, High), dec!(0.26));
    // 0.10 × 0.25 × 1.00 = 0.025 → 0.02 (exact half, even neighbour)
    assert_eq!(m(dec!(0.25), Moderate, Closed, Low), dec!(0.02));
}

#[test]
fn bad_total_value_is_invalid_input() {
    let p = ParameterSet::builtin();
    for total in [dec!(-0.01), dec!(1.001), dec!(10000000000000)] {
        let err = max_buy_notional(total, Moderate, Closed, Low, &p, now()).unwrap_err();
        assert!(
            matches!(err, ElsonError::InvalidInput { ref field, .. } if field == "total_value"),
            "{total}: {err}"
        );
    }
}

#[test]
fn buy_within_limit_is_accepted_as_asked() {
    let p = ParameterSet::builtin();
    let c = ctx(&p, dec!(10000.00), Moderate, Closed, Normal); // limit 900.00
    for mode in [SizingMode::Reject, SizingMode::Resize] {
        let d = check_buy(dec!(9), dec!(100.00), &c, mode).unwrap();
        assert_eq!(
            d,
            SizingDecision::Accepted {
                quantity: dec!(9),
                notional: dec!(900.00),
                limit: dec!(900.00)
            }
        );
        assert!(!d.was_resized());
    }
}

#[test]
fn buy_over_limit_is_rejected_with_both_amounts() {
    let p = ParameterSet::builtin();
    let c = ctx(&p, dec!(10000.00), Moderate, Closed, Normal); // limit 900.00
    let err = check_buy(dec!(9.01), dec!(100.00), &c, SizingMode::Reject).unwrap_err();
    assert_eq!(
        err,
        ElsonError::PositionLimitExceeded { requested: dec!(901.00), limit: dec!(900.00) }
    );
    assert_eq!(err.code(), "POSITION_LIMIT_EXCEEDED");
}

#[test]
fn the_limit_applies_to_the_rounded_notional() {
    let p = ParameterSet::builtin();
    let c = ctx(&p, dec!(10000.00), Moderate, Closed, Normal); // limit 900.00
    // 9.000049 × 100 = 900.0049 → notional 900.00: within the limit.
    let d = check_buy(dec!(9.000049), dec!(100.00), &c, SizingMode::Reject).unwrap();
    assert_eq!(d.notional(), dec!(900.00));
    // 9.00005 × 100 = 900.005 → 900.00 (half-even); 9.00015 → 900.015 → 900.02.
    assert!(check_buy(dec!(9.00005), dec!(100.00), &c, SizingMode::Reject).is_ok());
    let err = check_buy(dec!(9.00015), dec!(100.00), &c, SizingMode::Reject).unwrap_err();
    assert_eq!(
        err,
        ElsonError::PositionLimitExceeded { requested: dec!(900.02), limit: dec!(900.00) }
    );
}

#[test]
fn resize_scales_down_truncating_to_six_decimals() {
    let p = ParameterSet::builtin();
    let c = ctx(&p, dec!(10000.00), LowRisk, Closed, Low); // limit 500.00
    let d = check_buy(dec!(2), dec!(300.00), &c, SizingMode::Resize).unwrap();
    assert_eq!(
        d,
        SizingDecision::Resized {
            requested_quantity: dec!(2),
            quantity: dec!(1.666666),
            notional: dec!(500.00),
            limit: dec!(500.00)
        }
    );
    assert!(d.was_resized());
    assert_eq!(
        (d.quantity(), d.notional(), d.limit()),
        (dec!(1.666666), dec!(500.00), dec!(500.00))
    );
    // Exact fit: 500 / 250 = 2.
    let d = check_buy(dec!(3), dec!(250.00), &c, SizingMode::Resize).unwrap();
    assert_eq!(d.quantity(), dec!(2));
    // 500 / 0.07 = 7142.857142857… → 7142.857142, notional 499.999999… → 500.00
    let d = check_buy(dec!(10000), dec!(0.07), &c, SizingMode::Resize).unwrap();
    assert_eq!(d.quantity(), dec!(7142.857142));
    assert!(d.quantity() * dec!(0.07) <= dec!(500.00));
    assert!((d.quantity() + dec!(0.000001)) * dec!(0.07) > dec!(500.00), "largest that fits");
}

#[test]
fn resize_to_nothing_is_position_limit_exceeded() {
    let p = ParameterSet::builtin();
    // OPEN: factor 0, limit 0.
    let c = ctx(&p, dec!(10000.00), Aggressive, Open, Low);
    let err = check_buy(dec!(1), dec!(10.00), &c, SizingMode::Resize).unwrap_err();
    assert_eq!(
        err,
        ElsonError::PositionLimitExceeded { requested: dec!(10.00), limit: dec!(0.00) }
    );
    // A limit of 0.01 cannot buy 0.000001 of a 100 000.00 share (0.1 cent): still over.
    let c = ctx(&p, dec!(0.20), LowRisk, Closed, Low); // 0.05 × 0.20 = 0.01
    let err = check_buy(dec!(1), dec!(100000.00), &c, SizingMode::Resize).unwrap_err();
    assert_eq!(
        err,
        ElsonError::PositionLimitExceeded { requested: dec!(100000.00), limit: dec!(0.01) }
    );
    // …but 0.000001 of a 10 000.00 share (exactly 0.01) fits.
    let d = check_buy(dec!(1), dec!(10000.00), &c, SizingMode::Resize).unwrap();
    assert_eq!(d.quantity(), dec!(0.000001));
}

#[test]
fn bad_quantity_or_price_is_invalid_input() {
    let p = ParameterSet::builtin();
    let c = ctx(&p, dec!(10000.00), Moderate, Closed, Normal);
    let field_of = |q, price| match check_buy(q, price, &c, SizingMode::Resize).unwrap_err() {
        ElsonError::InvalidInput { field, .. } => field,
        other => panic!("unexpected {other}"),
    };
    assert_eq!(field_of(dec!(0), dec!(1.00)), "quantity");
    assert_eq!(field_of(dec!(-1), dec!(1.00)), "quantity");
    assert_eq!(field_of(dec!(1.0000001), dec!(1.00)), "quantity");
    assert_eq!(field_of(dec!(1), dec!(0)), "price");
    assert_eq!(field_of(dec!(1), dec!(-1.00)), "price");
    assert_eq!(field_of(dec!(1), dec!(1.001)), "price");
    // 999 999 999 × 9 999 999 999 999.99 does not fit DECIMAL(15,2).
    assert_eq!(field_of(dec!(999999999), dec!(9999999999999.99)), "notional");
    // total_value is checked through the context too.
    let bad = ctx(&p, dec!(-5), Moderate, Closed, Normal);
    assert!(matches!(
        check_buy(dec!(1), dec!(1.00), &bad, SizingMode::Reject).unwrap_err(),
        ElsonError::InvalidInput { ref field, .. } if field == "total_value"
    ));
}

#[test]
fn confidence_thresholds_by_regime() {
    let p = ParameterSet::builtin();
    let expected =
        [(Low, dec!(0.55)), (Normal, dec!(0.60)), (High, dec!(0.65)), (Extreme, dec!(0.75))];
    for (regime, threshold) in expected {
        assert_eq!(confidence_threshold(regime, &p, now()).unwrap(), threshold);
        assert!(
            check_confidence(Some(threshold), regime, &p, now()).is_ok(),
            "at the threshold passes"
        );
        assert!(check_confidence(Some(dec!(1)), regime, &p, now()).is_ok());
        let below = threshold - dec!(0.0001);
        assert_eq!(
            check_confidence(Some(below), regime, &p, now()).unwrap_err(),
            ElsonError::ConfidenceTooLow { score: below, threshold }
        );
    }
}

#[test]
fn orders_without_a_score_skip_the_gate() {
    // Even with no parameters at all: a person's own order is not gated.
    let empty = ParameterSet::from_rows([]).unwrap();
    assert!(check_confidence(None, Extreme, &empty, now()).is_ok());
}

#[test]
fn score_outside_unit_interval_is_invalid_input() {
    let p = ParameterSet::builtin();
    for score in [dec!(-0.01), dec!(1.01)] {
        let err = check_confidence(Some(score), Low, &p, now()).unwrap_err();
        assert!(
            matches!(err, ElsonError::InvalidInput { ref field, .. } if field == "confidence_score")
        );
    }
}

#[test]
fn a_dated_row_changes_every_number_from_its_start_and_not_before() {
    let t1 = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
    let before = t1 - Duration::seconds(1);
    let p = ParameterSet::with_overrides([
        param(Normal, types::POSITION_SIZING, "CLOSED", dec!(0.50), t1),
        param(Normal, types::MAX_POSITION_PCT, "MODERATE", dec!(0.30), t1),
        param(Normal, types::CONFIDENCE_THRESHOLD, names::MIN_CONFIDENCE, dec!(0.80), t1),
    ])
    .unwrap();
    assert_eq!(factor(Closed, Normal, &p, before).unwrap(), dec!(0.90));
    assert_eq!(factor(Closed, Normal, &p, t1).unwrap(), dec!(0.50));
    assert_eq!(max_position_pct(Moderate, Normal, &p, before).unwrap(), dec!(0.10));
    assert_eq!(max_position_pct(Moderate, Normal, &p, t1).unwrap(), dec!(0.30));
    // 0.10 × 10 000 × 0.90 = 900 before; 0.30 × 10 000 × 0.50 = 1 500 from t1.
    let m = |at| max_buy_notional(dec!(10000.00), Moderate, Closed, Normal, &p, at).unwrap();
    assert_eq!(m(before), dec!(900.00));
    assert_eq!(m(t1), dec!(1500.00));
    // A 1 000.00 buy: over the limit before t1, within it from t1.
    let at = |at| SizingContext { at, ..ctx(&p, dec!(10000.00), Moderate, Closed, Normal) };
    assert!(check_buy(dec!(10), dec!(100.00), &at(before), SizingMode::Reject).is_err());
    assert!(check_buy(dec!(10), dec!(100.00), &at(t1), SizingMode::Reject).is_ok());
    // The confidence gate follows the dated threshold too.
    assert!(check_confidence(Some(dec!(0.70)), Normal, &p, before).is_ok());
    assert_eq!(
        check_confidence(Some(dec!(0.70)), Normal, &p, t1).unwrap_err(),
        ElsonError::ConfidenceTooLow { score: dec!(0.70), threshold: dec!(0.80) }
    );
    // Other regimes are untouched.
    assert_eq!(factor(Closed, Low, &p, t1).unwrap(), dec!(1.00));
}

#[test]
fn out_of_range_parameter_is_invalid_input_naming_it() {
    let t1 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let p = ParameterSet::with_overrides([
        param(High, types::POSITION_SIZING, "CAUTIOUS", dec!(1.5), t1),
        param(High, types::MAX_POSITION_PCT, "LOW", dec!(-0.1), t1),
        param(High, types::CONFIDENCE_THRESHOLD, names::MIN_CONFIDENCE, dec!(2), t1),
    ])
    .unwrap();
    let field = |e: ElsonError| match e {
        ElsonError::InvalidInput { field, .. } => field,
        other => panic!("unexpected {other}"),
    };
    assert_eq!(
        field(factor(Cautious, High, &p, now()).unwrap_err()),
        "model_parameters(HIGH, position_sizing, CAUTIOUS)"
    );
    assert_eq!(
        field(max_position_pct(LowRisk, High, &p, now()).unwrap_err()),
        "model_parameters(HIGH, max_position_pct, LOW)"
    );
    assert_eq!(
        field(check_confidence(Some(dec!(0.9)), High, &p, now()).unwrap_err()),
        "model_parameters(HIGH, confidence_threshold, min_confidence)"
    );
}

#[test]
fn missing_parameter_is_not_found() {
    let empty = ParameterSet::from_rows([]).unwrap();
    assert_eq!(factor(Closed, Low, &empty, now()).unwrap_err().code(), "NOT_FOUND");
    assert_eq!(max_position_pct(LowRisk, Low, &empty, now()).unwrap_err().code(), "NOT_FOUND");
    assert_eq!(
        check_confidence(Some(dec!(0.9)), Low, &empty, now()).unwrap_err().code(),
        "NOT_FOUND"
    );
    let c = ctx(&empty, dec!(100.00), LowRisk, Closed, Low);
    assert_eq!(
        check_buy(dec!(1), dec!(1.00), &c, SizingMode::Reject).unwrap_err().code(),
        "NOT_FOUND"
    );
}
