//! ParameterSet against a brute-force reference: a lookup equals a linear
//! scan, and the overlap check accepts exactly the non-overlapping sets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use elson_core::entities::ModelParameter;
use elson_core::enums::VolatilityLevel;
use elson_core::params::ParameterSet;
use elson_core::params::defaults::builtin_value;
use proptest::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

/// A small key space, so keys collide often; the first entries are real
/// built-in keys so overrides meet built-ins.
const KEYS: [(&str, &str); 4] = [
    ("position_sizing", "CLOSED"),
    ("confidence_threshold", "min_confidence"),
    ("position_sizing", "OPEN"),
    ("custom", "x"),
];

fn hour(h: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(h * 3600, 0).unwrap()
}

fn row(key: usize, level: usize, value: i64, from: i64, to: Option<i64>) -> ModelParameter {
    ModelParameter {
        id: Uuid::nil(),
        volatility_level: VolatilityLevel::ALL[level],
        parameter_type: KEYS[key].0.to_owned(),
        parameter_name: KEYS[key].1.to_owned(),
        parameter_value: Decimal::new(value, 2),
        effective_from: hour(from),
        effective_to: to.map(hour),
        created_by: "prop".to_owned(),
        created_at: hour(0),
        updated_at: hour(0),
        description: None,
    }
}

/// Rows that never overlap: per (key, level), a chain of (gap, length)
/// segments laid end to end; the last may be open-ended.
fn non_overlapping_rows() -> impl Strategy<Value = Vec<ModelParameter>> {
    let chain = (
        0..KEYS.len(),
        0..4usize,
        prop::collection::vec((0i64..4, 1i64..6, 0i64..100), 1..6),
        any::<bool>(),
    );
    prop::collection::vec(chain, 0..6).prop_map(|chains| {
        let mut seen = std::collections::HashSet::new();
        let mut rows = Vec::new();
        for (key, level, segments, open_last) in chains {
            if !seen.insert((key, level)) {
                continue; // a second chain for the same key could overlap the first
            }
            let mut start = 100;
            let n = segments.len();
            for (i, (gap, len, value)) in segments.into_iter().enumerate() {
                start += gap;
                let end = start + len;
                let to = if open_last && i + 1 == n { None } else { Some(end) };
                rows.push(row(key, level, value, start, to));
                start = end;
            }
        }
        rows
    })
}

fn linear_scan(
    rows: &[ModelParameter],
    level: VolatilityLevel,
    ty: &str,
    name: &str,
    at: DateTime<Utc>,
) -> Option<Decimal> {
    let mut found = rows.iter().filter(|r| {
        r.volatility_level == level
            && r.parameter_type == ty
            && r.parameter_name == name
            && r.effective_from <= at
            && r.effective_to.is_none_or(|to| at < to)
    });
    let first = found.next().map(|r| r.parameter_value);
    assert!(found.next().is_none(), "reference: rows overlap");
    first
}

fn overlap(a: &ModelParameter, b: &ModelParameter) -> bool {
    a.volatility_level == b.volatility_level
        && a.parameter_type == b.parameter_type
        && a.parameter_name == b.parameter_name
        && b.effective_to.is_none_or(|b_to| a.effective_from < b_to)
        && a.effective_to.is_none_or(|a_to| b.effective_from < a_to)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn lookup_equals_linear_scan(
        mut rows in non_overlapping_rows(),
        shuffle in any::<u64>(),
        queries in prop::collection::vec((0..KEYS.len(), 0..4usize, 95i64..160), 1..40),
    ) {
        // Input order must not matter.
        if !rows.is_empty() {
            let n = rows.len();
            rows.rotate_left((shuffle as usize) % n);
        }
        let plain = ParameterSet::from_rows(rows.clone()).unwrap();
        let layered = ParameterSet::with_overrides(rows.clone()).unwrap();
        for (key, level, h) in queries {
            let (ty, name) = KEYS[key];
            let level = VolatilityLevel::ALL[level];
            let at = hour(h);
            let expected = linear_scan(&rows, level, ty, name, at);
            prop_assert_eq!(plain.value(level, ty, name, at), expected);
            // With built-ins: the override where one is in force, else the built-in.
            let expected_layered = expected.or_else(|| builtin_value(level, ty, name));
            prop_assert_eq!(layered.value(level, ty, name, at), expected_layered);
        }
    }

    #[test]
    fn overlap_check_accepts_exactly_the_non_overlapping_sets(
        raw in prop::collection::vec((0..2usize, 0..2usize, 0i64..30, prop::option::weighted(0.8, 1i64..8)), 0..7),
    ) {
        let rows: Vec<ModelParameter> = raw
            .into_iter()
            .map(|(key, level, from, len)| row(key, level, 1, from, len.map(|l| from + l)))
            .collect();
        let any_overlap = rows
            .iter()
            .enumerate()
            .any(|(i, a)| rows[i + 1..].iter().any(|b| overlap(a, b)));
        let result = ParameterSet::from_rows(rows.clone());
        prop_assert_eq!(result.is_ok(), !any_overlap, "rows: {:?}", rows.iter().map(|r| (r.volatility_level, &r.parameter_type, r.effective_from, r.effective_to)).collect::<Vec<_>>());
        if let Err(e) = result {
            prop_assert_eq!(e.code(), "CONFLICT");
        }
        prop_assert_eq!(ParameterSet::with_overrides(rows).is_ok(), !any_overlap);
    }
}
