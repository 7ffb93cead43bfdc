//! `Relationship::new` and the status table of `RelationshipEvent`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::entities::{NewRelationship, Relationship, RelationshipEvent};
use elson_core::enums::{AssetType, RelationshipStatus, RelationshipType};
use elson_core::families::{ApprovalSettings, Permissions};
use rust_decimal_macros::dec;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 10, 30, 0).unwrap()
}

fn base() -> NewRelationship {
    NewRelationship::new(Uuid::new_v4(), Uuid::new_v4(), RelationshipType::Parent)
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

fn with_status(status: RelationshipStatus) -> Relationship {
    Relationship::new(NewRelationship { status, ..base() }, None, now()).unwrap()
}

#[test]
fn happy_path_with_defaults() {
    let p = base();
    let (g, m) = (p.guardian_id, p.minor_id);
    let id = Uuid::new_v4();
    let r = Relationship::new(p, Some(id), now()).unwrap();
    assert_eq!(r.id, id);
    assert_eq!((r.guardian_id, r.minor_id), (g, m));
    assert_eq!(r.relationship_type, RelationshipType::Parent);
    assert_eq!(r.status, RelationshipStatus::Pending);
    assert_eq!(r.approval_settings, ApprovalSettings::default());
    assert_eq!(r.permissions, Permissions::default());
    assert_eq!((r.created_at, r.updated_at), (now(), now()));
    assert_eq!(Relationship::new(base(), None, now()).unwrap().id.get_version_num(), 4);
}

#[test]
fn happy_path_with_custom_settings() {
    let settings = ApprovalSettings {
        require_approval: true,
        auto_approve_below: Some(dec!(25.00)),
        max_trade_amount: Some(dec!(500.00)),
        allowed_asset_types: vec![AssetType::Etf],
        daily_trade_limit: Some(3),
    };
    let perms = Permissions { trading: true, ..Permissions::default() };
    let r = Relationship::new(
        NewRelationship {
            status: RelationshipStatus::Active,
            approval_settings: settings.clone(),
            permissions: perms,
            relationship_type: RelationshipType::LegalGuardian,
            ..base()
        },
        None,
        now(),
    )
    .unwrap();
    assert_eq!(r.status, RelationshipStatus::Active);
    assert_eq!(r.approval_settings, settings);
    assert!(r.permissions.trading);
}

#[test]
fn guardian_and_minor_must_differ() {
    let same = Uuid::new_v4();
    let p = NewRelationship::new(same, same, RelationshipType::Other);
    assert!(invalid_field(Relationship::new(p, None, now()), "minor_id").contains("guardian_id"));
}

#[test]
fn settings_are_validated() {
    let bad = |s: ApprovalSettings| {
        Relationship::new(NewRelationship { approval_settings: s, ..base() }, None, now())
    };
    invalid_field(
        bad(ApprovalSettings { auto_approve_below: Some(dec!(-1)), ..Default::default() }),
        "approval_settings.auto_approve_below",
    );
    invalid_field(
        bad(ApprovalSettings { max_trade_amount: Some(dec!(1.001)), ..Default::default() }),
        "approval_settings.max_trade_amount",
    );
}

#[test]
fn every_row_of_the_status_table() {
    use RelationshipEvent as E;
    use RelationshipStatus as S;
    let table = [
        (S::Pending, E::Activate, Some(S::Active)),
        (S::Pending, E::Deactivate, Some(S::Inactive)),
        (S::Pending, E::Reinvite, None),
        (S::Active, E::Activate, None),
        (S::Active, E::Deactivate, Some(S::Inactive)),
        (S::Active, E::Reinvite, None),
        (S::Inactive, E::Activate, None),
        (S::Inactive, E::Deactivate, None),
        (S::Inactive, E::Reinvite, Some(S::Pending)),
    ];
    let later = now() + Duration::hours(1);
    for (from, event, expected) in table {
        let mut r = with_status(from);
        let before = r.clone();
        let result = r.apply(event, later);
        match expected {
            Some(to) => {
                result.unwrap();
                assert_eq!(r.status, to, "{from} {event:?}");
                assert_eq!(r.updated_at, later);
                assert_eq!(r.created_at, now());
            }
            None => {
                let err = result.unwrap_err();
                assert_eq!(
                    err,
                    ElsonError::InvalidTransition {
                        entity: "relationship".into(),
                        from: from.to_string(),
                        to: event.target().to_string(),
                    }
                );
                assert_eq!(r, before, "unchanged on error");
            }
        }
    }
}

#[test]
fn named_methods_follow_the_table() {
    let t = now() + Duration::minutes(1);
    let mut r = with_status(RelationshipStatus::Pending);
    r.activate(t).unwrap();
    assert_eq!(r.status, RelationshipStatus::Active);
    assert_eq!(r.activate(t).unwrap_err().code(), "INVALID_TRANSITION");
    r.deactivate(t).unwrap();
    assert_eq!(r.status, RelationshipStatus::Inactive);
    assert_eq!(r.deactivate(t).unwrap_err().code(), "INVALID_TRANSITION");
    assert_eq!(r.activate(t).unwrap_err().code(), "INVALID_TRANSITION");
    r.reinvite(t).unwrap();
    assert_eq!(r.status, RelationshipStatus::Pending);
    r.activate(t).unwrap();
    assert_eq!(r.reinvite(t).unwrap_err().code(), "INVALID_TRANSITION");
}
