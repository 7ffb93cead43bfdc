//! ParameterSet: effective-dated lookup, overlap refusal, overrides over
//! built-ins, row validation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::entities::ModelParameter;
use elson_core::enums::VolatilityLevel::{self, Extreme, High, Low, Normal};
use elson_core::params::ParameterSet;
use elson_core::params::defaults::{
    BUILTIN_CREATOR, BUILTINS, builtin_rows, builtin_value, names, types,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

fn t(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 0, 0, 0).unwrap()
}

fn row(
    level: VolatilityLevel,
    ty: &str,
    name: &str,
    value: Decimal,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
) -> ModelParameter {
    ModelParameter {
        id: Uuid::new_v4(),
        volatility_level: level,
        parameter_type: ty.to_owned(),
        parameter_name: name.to_owned(),
        parameter_value: value,
        effective_from: from,
        effective_to: to,
        created_by: "risk-team".to_owned(),
        created_at: from,
        updated_at: from,
        description: None,
    }
}

fn sizing(
    level: VolatilityLevel,
    state: &str,
    value: Decimal,
    from: u32,
    to: Option<u32>,
) -> ModelParameter {
    row(level, types::POSITION_SIZING, state, value, t(from), to.map(t))
}

#[test]
fn interval_is_half_open() {
    let set = ParameterSet::from_rows([sizing(Normal, "CLOSED", dec!(0.5), 10, Some(20))]).unwrap();
    let v = |at| set.value(Normal, types::POSITION_SIZING, "CLOSED", at);
    assert_eq!(v(t(10) - Duration::nanoseconds(1)), None, "before effective_from");
    assert_eq!(v(t(10)), Some(dec!(0.5)), "effective_from is inclusive");
    assert_eq!(v(t(20) - Duration::nanoseconds(1)), Some(dec!(0.5)));
    assert_eq!(v(t(20)), None, "effective_to is exclusive");
}

#[test]
fn open_end_lasts_forever() {
    let set = ParameterSet::from_rows([sizing(High, "OPEN", dec!(0), 1, None)]).unwrap();
    let far = Utc.with_ymd_and_hms(2999, 12, 31, 23, 59, 59).unwrap();
    assert_eq!(set.value(High, types::POSITION_SIZING, "OPEN", far), Some(dec!(0)));
}

#[test]
fn adjacent_intervals_hand_over_at_the_boundary() {
    let set = ParameterSet::from_rows([
        sizing(Low, "CLOSED", dec!(0.3), 15, None),
        sizing(Low, "CLOSED", dec!(0.1), 1, Some(5)),
        sizing(Low, "CLOSED", dec!(0.2), 5, Some(15)),
    ])
    .unwrap();
    let v = |at| set.value(Low, types::POSITION_SIZING, "CLOSED", at).unwrap();
    assert_eq!(v(t(4)), dec!(0.1));
    assert_eq!(v(t(5)), dec!(0.2));
    assert_eq!(v(t(14)), dec!(0.2));
    assert_eq!(v(t(15)), dec!(0.3));
    assert_eq!(v(t(28)), dec!(0.3));
}

#[test]
fn gaps_have_no_value_without_builtins() {
    let set = ParameterSet::from_rows([
        sizing(Low, "CLOSED", dec!(0.1), 1, Some(5)),
        sizing(Low, "CLOSED", dec!(0.2), 10, None),
    ])
    .unwrap();
    assert_eq!(set.value(Low, types::POSITION_SIZING, "CLOSED", t(7)), None);
    assert!(!set.uses_builtins());
}

#[test]
fn keys_are_independent() {
    let set = ParameterSet::from_rows([
        sizing(Low, "CLOSED", dec!(0.1), 1, None),
        sizing(Normal, "CLOSED", dec!(0.2), 1, None),
        sizing(Low, "CAUTIOUS", dec!(0.3), 1, None),
        row(Low, types::CONFIDENCE_THRESHOLD, "CLOSED", dec!(0.4), t(1), None),
    ])
    .unwrap();
    let at = t(2);
    assert_eq!(set.value(Low, types::POSITION_SIZING, "CLOSED", at), Some(dec!(0.1)));
    assert_eq!(set.value(Normal, types::POSITION_SIZING, "CLOSED", at), Some(dec!(0.2)));
    assert_eq!(set.value(Low, types::POSITION_SIZING, "CAUTIOUS", at), Some(dec!(0.3)));
    assert_eq!(set.value(Low, types::CONFIDENCE_THRESHOLD, "CLOSED", at), Some(dec!(0.4)));
    assert_eq!(set.value(High, types::POSITION_SIZING, "CLOSED", at), None);
    assert_eq!(set.value(Low, "unknown_type", "CLOSED", at), None);
    assert_eq!(set.value(Low, types::POSITION_SIZING, "unknown_name", at), None);
}

#[test]
fn overlap_is_a_conflict_naming_key_and_both_intervals() {
    let err = ParameterSet::from_rows([
        sizing(Normal, "CLOSED", dec!(0.5), 1, Some(10)),
        sizing(Normal, "CLOSED", dec!(0.6), 9, Some(12)),
    ])
    .unwrap_err();
    assert_eq!(err.code(), "CONFLICT");
    let ElsonError::Conflict { reason } = err else { panic!("not a conflict") };
    assert!(reason.contains("(NORMAL, position_sizing, CLOSED)"), "{reason}");
    assert!(reason.contains("[2026-03-01T00:00:00Z, 2026-03-10T00:00:00Z)"), "{reason}");
    assert!(reason.contains("[2026-03-09T00:00:00Z, 2026-03-12T00:00:00Z)"), "{reason}");
}

#[test]
fn open_ended_row_overlaps_every_later_row() {
    let err = ParameterSet::with_overrides([
        sizing(Low, "CLOSED", dec!(0.5), 1, None),
        sizing(Low, "CLOSED", dec!(0.6), 20, Some(21)),
    ])
    .unwrap_err();
    let ElsonError::Conflict { reason } = err else { panic!("not a conflict") };
    assert!(reason.contains("[2026-03-01T00:00:00Z, open)"), "{reason}");
}

#[test]
fn same_start_overlaps_and_non_adjacent_overlap_is_found() {
    assert!(
        ParameterSet::from_rows([
            sizing(Low, "CLOSED", dec!(0.5), 3, Some(4)),
            sizing(Low, "CLOSED", dec!(0.6), 3, Some(5)),
        ])
        .is_err()
    );
    // Unsorted input; the long first row overlaps the third, not the second's neighbour.
    assert!(
        ParameterSet::from_rows([
            sizing(Low, "CLOSED", dec!(0.5), 1, Some(28)),
            sizing(Low, "CLOSED", dec!(0.6), 20, Some(21)),
            sizing(Low, "CLOSED", dec!(0.7), 5, Some(6)),
        ])
        .is_err()
    );
}

#[test]
fn empty_or_reversed_interval_is_invalid_input() {
    for to in [1, 2] {
        let err = ParameterSet::from_rows([
            sizing(Low, "CLOSED", dec!(0.5), 1, None),
            sizing(Low, "CLOSED", dec!(0.5), 2, Some(to)),
        ])
        .unwrap_err();
        assert_eq!(
            err,
            ElsonError::invalid(
                "model_parameters[1].effective_to",
                format!("2026-03-0{to}T00:00:00Z is not after effective_from 2026-03-02T00:00:00Z")
            )
        );
    }
}

#[test]
fn columns_are_checked() {
    let mut r = sizing(Low, "CLOSED", dec!(0.1234567), 1, None);
    let err = ParameterSet::from_rows([r.clone()]).unwrap_err();
    assert!(
        matches!(err, ElsonError::InvalidInput { ref field, .. } if field == "model_parameters[0].parameter_value")
    );

    r.parameter_value = dec!(1000000000); // DECIMAL(15,6) has 9 integer digits
    assert!(ParameterSet::from_rows([r.clone()]).is_err());

    r.parameter_value = dec!(0.5);
    r.parameter_type = String::new();
    let err = ParameterSet::with_overrides([r.clone()]).unwrap_err();
    assert!(
        matches!(err, ElsonError::InvalidInput { ref field, .. } if field == "model_parameters[0].parameter_type")
    );

    r.parameter_type = "x".repeat(51);
    assert!(ParameterSet::with_overrides([r.clone()]).is_err());

    r.parameter_type = types::POSITION_SIZING.to_owned();
    r.parameter_name = "x".repeat(101);
    let err = ParameterSet::with_overrides([r.clone()]).unwrap_err();
    assert!(
        matches!(err, ElsonError::InvalidInput { ref field, .. } if field == "model_parameters[0].parameter_name")
    );

    r.parameter_name = "CLOSED".to_owned();
    r.created_by = " ".to_owned();
    let err = ParameterSet::with_overrides([r]).unwrap_err();
    assert!(
        matches!(err, ElsonError::InvalidInput { ref field, .. } if field == "model_parameters[0].created_by")
    );
}

#[test]
fn builtins_answer_for_every_table_entry_at_any_time() {
    let set = ParameterSet::builtin();
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    for b in BUILTINS {
        let levels: Vec<VolatilityLevel> =
            b.level.map_or(VolatilityLevel::ALL.to_vec(), |l| vec![l]);
        for level in levels {
            for at in [epoch, t(1), Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap()] {
                assert_eq!(set.value(level, b.parameter_type, b.parameter_name, at), Some(b.value));
            }
        }
    }
    assert_eq!(
        set.value(Low, types::POSITION_SIZING, "CLOSED", epoch - Duration::seconds(1)),
        None
    );
}

#[test]
fn builtin_table_matches_design() {
    let f = |level, state| builtin_value(level, types::POSITION_SIZING, state).unwrap();
    for level in VolatilityLevel::ALL {
        assert_eq!(f(*level, "OPEN"), dec!(0));
    }
    let table = [
        ("RESTRICTED", [dec!(0.60), dec!(0.40), dec!(0.10), dec!(0.03)]),
        ("CAUTIOUS", [dec!(0.85), dec!(0.65), dec!(0.15), dec!(0.05)]),
        ("CLOSED", [dec!(1.00), dec!(0.90), dec!(0.10), dec!(0.03)]),
    ];
    for (state, values) in table {
        for (level, value) in [Low, Normal, High, Extreme].into_iter().zip(values) {
            assert_eq!(f(level, state), value, "{state} {level}");
        }
    }
    let c =
        |level| builtin_value(level, types::CONFIDENCE_THRESHOLD, names::MIN_CONFIDENCE).unwrap();
    assert_eq!(
        [c(Low), c(Normal), c(High), c(Extreme)],
        [dec!(0.55), dec!(0.60), dec!(0.65), dec!(0.75)]
    );
    for level in VolatilityLevel::ALL {
        let p = |profile| builtin_value(*level, types::MAX_POSITION_PCT, profile).unwrap();
        assert_eq!(
            [p("LOW"), p("MODERATE"), p("AGGRESSIVE")],
            [dec!(0.05), dec!(0.10), dec!(0.20)]
        );
        let g = |ty, name| builtin_value(*level, ty, name).unwrap();
        assert_eq!(g(types::REGIME, names::STABILIZATION_COUNT), dec!(3));
        assert_eq!(g(types::BREAKER_COOLDOWN_MINUTES, "OPEN"), dec!(90));
        assert_eq!(g(types::BREAKER_COOLDOWN_MINUTES, "RESTRICTED"), dec!(45));
        assert_eq!(g(types::BREAKER_COOLDOWN_MINUTES, "CAUTIOUS"), dec!(20));
        assert_eq!(g(types::CIRCUIT_BREAKER, names::PORTFOLIO_DAILY_LOSS_TRIGGER), dec!(0.02));
        assert_eq!(g(types::CIRCUIT_BREAKER, names::EXECUTION_FAILURES_TRIGGER), dec!(3));
        assert_eq!(g(types::VOLATILITY, names::EWMA_LAMBDA), dec!(0.94));
        assert_eq!(g(types::VOLATILITY, names::LOOKBACK), dec!(20));
        assert_eq!(g(types::VOLATILITY, names::PERIODS_PER_YEAR), dec!(252));
    }
    let b = |level| builtin_value(level, types::REGIME_THRESHOLD, names::LOWER_BOUND).unwrap();
    assert_eq!(
        [b(Low), b(Normal), b(High), b(Extreme)],
        [dec!(0), dec!(0.15), dec!(0.25), dec!(0.40)]
    );
}

#[test]
fn builtin_rows_have_epoch_open_end_and_builtin_creator() {
    let rows = builtin_rows();
    assert!(!rows.is_empty());
    for r in &rows {
        assert_eq!(r.effective_from, DateTime::<Utc>::UNIX_EPOCH);
        assert_eq!(r.effective_to, None);
        assert_eq!(r.created_by, BUILTIN_CREATOR);
        assert!(r.description.is_some());
    }
}

#[test]
fn override_wins_inside_its_interval_only() {
    let set =
        ParameterSet::with_overrides([sizing(Normal, "CLOSED", dec!(0.5), 10, Some(20))]).unwrap();
    let v = |at| set.value(Normal, types::POSITION_SIZING, "CLOSED", at).unwrap();
    assert_eq!(v(t(9)), dec!(0.90), "builtin before");
    assert_eq!(v(t(10)), dec!(0.5));
    assert_eq!(v(t(19)), dec!(0.5));
    assert_eq!(v(t(20)), dec!(0.90), "builtin after");
    // Other levels keep the builtin.
    assert_eq!(set.value(Low, types::POSITION_SIZING, "CLOSED", t(15)), Some(dec!(1.00)));
    assert!(set.uses_builtins());
    assert_eq!(set.overrides().len(), 1);
}

#[test]
fn row_in_force_is_returned() {
    let r = sizing(Normal, "CLOSED", dec!(0.5), 10, None);
    let id = r.id;
    let set = ParameterSet::with_overrides([r]).unwrap();
    assert_eq!(set.row(Normal, types::POSITION_SIZING, "CLOSED", t(11)).unwrap().id, id);
    let builtin = set.row(Normal, types::POSITION_SIZING, "CLOSED", t(9)).unwrap();
    assert_eq!(builtin.created_by, BUILTIN_CREATOR);
    assert_eq!(set.row(Normal, "nope", "CLOSED", t(9)), None);
}

#[test]
fn require_is_not_found_when_nothing_is_in_force() {
    let set = ParameterSet::from_rows([]).unwrap();
    let err = set.require(High, types::POSITION_SIZING, "CLOSED", t(1)).unwrap_err();
    assert_eq!(
        err,
        ElsonError::NotFound {
            entity: "model_parameter".into(),
            id: "(HIGH, position_sizing, CLOSED) at 2026-03-01T00:00:00Z".into()
        }
    );
    assert_eq!(
        ParameterSet::default().require(High, types::POSITION_SIZING, "CLOSED", t(1)),
        Ok(dec!(0.10))
    );
}

#[test]
fn stored_builtins_are_skipped_but_edited_ones_override() {
    let mut rows = builtin_rows();
    // A database row that claims to be builtin but carries another value is
    // a real override, not a copy.
    let edited = rows
        .iter_mut()
        .find(|r| {
            r.volatility_level == High
                && r.parameter_type == types::POSITION_SIZING
                && r.parameter_name == "CLOSED"
        })
        .unwrap();
    edited.parameter_value = dec!(0.2);
    let set = ParameterSet::with_overrides(rows).unwrap();
    assert_eq!(set.overrides().len(), 1);
    assert_eq!(set.value(High, types::POSITION_SIZING, "CLOSED", t(1)), Some(dec!(0.2)));
}

#[test]
fn overrides_may_overlap_the_builtin_but_not_each_other() {
    // Both start after the epoch and overlap the builtin row: fine.
    assert!(ParameterSet::with_overrides([sizing(Low, "OPEN", dec!(0), 1, Some(2))]).is_ok());
    assert!(
        ParameterSet::with_overrides([
            sizing(Low, "OPEN", dec!(0), 1, Some(3)),
            sizing(Low, "OPEN", dec!(0), 2, Some(4)),
        ])
        .is_err()
    );
}
