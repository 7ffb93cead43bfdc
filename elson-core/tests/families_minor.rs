//! Minors: age and standing (DESIGN §3).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod families_support;

use elson_core::ElsonError;
use elson_core::enums::{RelationshipStatus, UserRole};
use elson_core::families::{
    AGE_OF_MAJORITY, ApprovalSettings, Permissions, active_guardian_ids, age_on, check_minor,
};
use families_support::*;
use uuid::Uuid;

fn field_of(e: ElsonError) -> String {
    match e {
        ElsonError::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn age_counts_whole_years_from_the_birthday() {
    let dob = date(2010, 6, 15);
    assert_eq!(age_on(dob, dob).unwrap(), 0);
    assert_eq!(age_on(dob, date(2028, 6, 14)).unwrap(), 17);
    assert_eq!(age_on(dob, date(2028, 6, 15)).unwrap(), 18);
    assert_eq!(age_on(dob, date(2028, 12, 31)).unwrap(), 18);
}

#[test]
fn a_leap_day_birthday_counts_from_march_first_in_common_years() {
    let dob = date(2008, 2, 29);
    assert_eq!(age_on(dob, date(2026, 2, 28)).unwrap(), 17);
    assert_eq!(age_on(dob, date(2026, 3, 1)).unwrap(), 18);
    assert_eq!(age_on(dob, date(2028, 2, 29)).unwrap(), 20);
}

#[test]
fn a_birth_date_in_the_future_is_an_input_error() {
    let e = age_on(date(2030, 1, 1), today()).unwrap_err();
    assert_eq!(field_of(e), "date_of_birth");
}

#[test]
fn a_minor_in_good_standing_reports_age_guardians_and_trading() {
    let kid = user(UserRole::Minor);
    let (g1, g2, g3) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let links = [
        active_link(g1, kid.id),
        link(g2, kid.id, RelationshipStatus::Pending, trading(), ApprovalSettings::default()),
        link(g3, kid.id, RelationshipStatus::Inactive, trading(), ApprovalSettings::default()),
        active_link(g1, kid.id), // duplicate row: reported once
    ];
    let s = check_minor(&kid, &links, today()).unwrap();
    assert_eq!(s.age, 12);
    assert_eq!(s.active_guardian_ids, vec![g1]);
    assert_eq!(s.pending_guardian_ids, vec![g2]);
    assert!(s.can_trade);
}

#[test]
fn trading_needs_an_active_relationship_that_grants_it() {
    let kid = user(UserRole::Minor);
    let g = Uuid::new_v4();
    let pending =
        [link(g, kid.id, RelationshipStatus::Pending, trading(), ApprovalSettings::default())];
    assert!(!check_minor(&kid, &pending, today()).unwrap().can_trade);
    let no_permission = [link(
        g,
        kid.id,
        RelationshipStatus::Active,
        Permissions::default(),
        ApprovalSettings::default(),
    )];
    assert!(!check_minor(&kid, &no_permission, today()).unwrap().can_trade);
}

#[test]
fn a_non_minor_role_is_refused() {
    for role in [UserRole::User, UserRole::Guardian, UserRole::Admin] {
        let u = user(role);
        assert_eq!(field_of(check_minor(&u, &[], today()).unwrap_err()), "role");
    }
}

#[test]
fn a_minor_needs_a_date_of_birth() {
    let mut kid = user(UserRole::Minor);
    kid.date_of_birth = None;
    let links = [active_link(Uuid::new_v4(), kid.id)];
    assert_eq!(field_of(check_minor(&kid, &links, today()).unwrap_err()), "date_of_birth");
}

#[test]
fn a_minor_is_under_eighteen_on_the_day() {
    let mut kid = user(UserRole::Minor);
    let links = [active_link(Uuid::new_v4(), kid.id)];
    kid.date_of_birth = Some(date(2008, 11, 26)); // 18 tomorrow
    assert_eq!(check_minor(&kid, &links, today()).unwrap().age, AGE_OF_MAJORITY - 1);
    kid.date_of_birth = Some(date(2008, 11, 25)); // 18 today
    let e = check_minor(&kid, &links, today()).unwrap_err();
    assert!(e.to_string().contains("change the role"), "{e}");
    assert_eq!(field_of(e), "date_of_birth");
}

#[test]
fn a_birth_date_after_today_is_refused_for_a_minor() {
    let mut kid = user(UserRole::Minor);
    kid.date_of_birth = Some(date(2027, 1, 1));
    let links = [active_link(Uuid::new_v4(), kid.id)];
    assert_eq!(field_of(check_minor(&kid, &links, today()).unwrap_err()), "date_of_birth");
}

#[test]
fn a_minor_without_an_active_or_pending_guardian_is_refused() {
    let kid = user(UserRole::Minor);
    let other_kid = Uuid::new_v4();
    let g = Uuid::new_v4();
    let cases = [
        vec![],
        vec![link(g, kid.id, RelationshipStatus::Inactive, trading(), ApprovalSettings::default())],
        // Another minor's active link does not count.
        vec![active_link(g, other_kid)],
    ];
    for links in cases {
        assert_eq!(field_of(check_minor(&kid, &links, today()).unwrap_err()), "relationships");
    }
}

#[test]
fn active_guardian_ids_are_sorted_unique_and_only_active() {
    let kid = Uuid::new_v4();
    let ids = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
    let links = [
        active_link(ids[2], kid),
        active_link(ids[0], kid),
        active_link(ids[2], kid),
        link(ids[1], kid, RelationshipStatus::Pending, trading(), ApprovalSettings::default()),
        active_link(ids[1], Uuid::new_v4()),
    ];
    let got = active_guardian_ids(kid, &links);
    let mut want = vec![ids[0], ids[2]];
    want.sort();
    assert_eq!(got, want);
}
