//! `FeatureFlag::new` and every column limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::entities::{FeatureFlag, NewFeatureFlag};
use elson_core::enums::Environment;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 10, 30, 0).unwrap()
}

fn base() -> NewFeatureFlag {
    NewFeatureFlag::new("new-dashboard", Environment::Beta, "ops@elson")
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

fn make(p: NewFeatureFlag) -> elson_core::Result<FeatureFlag> {
    FeatureFlag::new(p, None, now())
}

#[test]
fn happy_path() {
    let d = make(base()).unwrap();
    assert_eq!(d.id.get_version_num(), 4);
    assert_eq!(d.flag_name, "new-dashboard");
    assert_eq!(d.environment, Environment::Beta);
    assert_eq!(d.created_by, "ops@elson");
    assert!(!d.enabled);
    assert_eq!(d.user_percentage, 0);
    assert!(d.user_whitelist.is_empty());
    assert_eq!((d.created_at, d.updated_at, d.expires_at), (now(), now(), None));

    let id = Uuid::new_v4();
    let vip = Uuid::new_v4();
    let f = FeatureFlag::new(
        NewFeatureFlag {
            enabled: true,
            user_percentage: 25,
            user_whitelist: vec![vip],
            description: Some("Rollout of the new dashboard".into()),
            expires_at: Some(now() + Duration::days(30)),
            ..base()
        },
        Some(id),
        now(),
    )
    .unwrap();
    assert_eq!(f.id, id);
    assert!(f.enabled);
    assert_eq!(f.user_percentage, 25);
    assert_eq!(f.user_whitelist, vec![vip]);
    assert_eq!(f.expires_at, Some(now() + Duration::days(30)));
}

#[test]
fn flag_name_limits() {
    let name = |n: &str| make(NewFeatureFlag { flag_name: n.into(), ..base() });
    assert!(name(&"f".repeat(100)).is_ok());
    invalid_field(name(&"f".repeat(101)), "flag_name");
    invalid_field(name(""), "flag_name");
    invalid_field(name("  "), "flag_name");
    assert!(invalid_field(name(" beta"), "flag_name").contains("whitespace"));
    assert!(invalid_field(name("beta\n"), "flag_name").contains("whitespace"));
    assert!(name("with inner space").is_ok());
}

#[test]
fn user_percentage_limits() {
    let pct = |p: i32| make(NewFeatureFlag { user_percentage: p, ..base() });
    assert!(pct(0).is_ok());
    assert!(pct(100).is_ok());
    invalid_field(pct(-1), "user_percentage");
    invalid_field(pct(101), "user_percentage");
}

#[test]
fn created_by_and_description_limits() {
    let by = |b: String| make(NewFeatureFlag { created_by: b, ..base() });
    assert!(by("b".repeat(100)).is_ok());
    invalid_field(by("b".repeat(101)), "created_by");
    invalid_field(by(String::new()), "created_by");
    let desc = |d: String| make(NewFeatureFlag { description: Some(d), ..base() });
    assert!(desc(String::new()).is_ok());
    invalid_field(desc("d".repeat(65_537)), "description");
}

#[test]
fn expires_at_must_lie_after_creation() {
    let exp = |t: DateTime<Utc>| make(NewFeatureFlag { expires_at: Some(t), ..base() });
    assert!(exp(now() + Duration::seconds(1)).is_ok());
    invalid_field(exp(now()), "expires_at");
    invalid_field(exp(now() - Duration::days(1)), "expires_at");
}

/// Issue 15 item 12: a stored row is checked by the same rules as the
/// constructor (`FeatureFlag::validate`), so the store cannot hold a flag
/// the core would refuse (a name with surrounding spaces moves every
/// user's rollout bucket).
#[test]
fn validate_applies_the_constructor_rules_to_a_whole_row() {
    let ok =
        make(NewFeatureFlag { expires_at: Some(now() + Duration::days(1)), ..base() }).unwrap();
    assert!(ok.validate().is_ok());
    let with = |f: fn(&mut FeatureFlag)| {
        let mut row = ok.clone();
        f(&mut row);
        row.validate()
    };
    invalid_field(with(|r| r.flag_name = " new-dashboard".into()), "flag_name");
    invalid_field(with(|r| r.flag_name = "new-dashboard\t".into()), "flag_name");
    invalid_field(with(|r| r.flag_name = "new\u{202e}dashboard".into()), "flag_name");
    invalid_field(with(|r| r.flag_name = String::new()), "flag_name");
    invalid_field(with(|r| r.user_percentage = 101), "user_percentage");
    invalid_field(with(|r| r.created_by = " ".into()), "created_by");
    invalid_field(with(|r| r.description = Some("a\0b".into())), "description");
    invalid_field(with(|r| r.expires_at = Some(r.created_at)), "expires_at");
    invalid_field(
        with(|r| r.user_whitelist = vec![Uuid::nil(); FeatureFlag::WHITELIST_MAX + 1]),
        "user_whitelist",
    );
    assert!(with(|r| r.user_whitelist = vec![Uuid::nil(); FeatureFlag::WHITELIST_MAX]).is_ok());
    // The constructor refuses the same names.
    for bad in ["flag\u{2066}", "flag\u{0}", "flag\nx", " flag"] {
        invalid_field(make(NewFeatureFlag { flag_name: bad.into(), ..base() }), "flag_name");
    }
}
