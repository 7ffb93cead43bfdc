//! Feature flags (DESIGN §9): every rule of `is_enabled`, bucketing, and
//! the selection helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use elson_core::entities::FeatureFlag;
use elson_core::enums::Environment;
use elson_core::flags::{beta_flags, bucket, enabled_flag_names, is_enabled, murmur3_32};
use proptest::prelude::*;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn user(n: u128) -> Uuid {
    Uuid::from_u128(0x6f1c_1c3e_2b4a_4c1e_9d3a_0000_0000_0000 | n)
}

fn flag(name: &str, environment: Environment, user_percentage: i32) -> FeatureFlag {
    FeatureFlag {
        id: Uuid::nil(),
        flag_name: name.to_owned(),
        description: None,
        enabled: true,
        environment,
        user_percentage,
        user_whitelist: Vec::new(),
        created_at: now(),
        updated_at: now(),
        created_by: "admin".to_owned(),
        expires_at: None,
    }
}

/// A user whose bucket for `name` is exactly `b`.
fn user_in_bucket(name: &str, b: u32) -> Uuid {
    (0..100_000u128).map(user).find(|u| bucket(name, *u) == b).unwrap()
}

#[test]
fn bucket_is_murmur3_of_name_colon_uuid_mod_100_plus_1() {
    let u = Uuid::parse_str("123e4567-e89b-42d3-a456-426614174000").unwrap();
    let text = format!("new_dashboard:{u}");
    assert_eq!(text, "new_dashboard:123e4567-e89b-42d3-a456-426614174000");
    assert_eq!(bucket("new_dashboard", u), murmur3_32(text.as_bytes(), 0) % 100 + 1);
    // Upper-case input parses to the same uuid, which is hashed in lower case.
    let upper = Uuid::parse_str("123E4567-E89B-42D3-A456-426614174000").unwrap();
    assert_eq!(bucket("new_dashboard", upper), bucket("new_dashboard", u));
}

#[test]
fn buckets_are_roughly_uniform_and_cover_1_to_100() {
    let mut counts = [0u32; 101];
    for n in 0..20_000u128 {
        counts[bucket("uniformity", user(n)) as usize] += 1;
    }
    assert_eq!(counts[0], 0, "bucket 0 never happens");
    for (b, c) in counts.iter().enumerate().skip(1) {
        // Expect 200 per bucket; ±40 % is far outside chance for a good hash.
        assert!((120..=280).contains(c), "bucket {b} has {c}");
    }
}

#[test]
fn disabled_flag_is_off_even_for_whitelisted_users() {
    let u = user(1);
    let mut f = flag("f", Environment::Beta, 100);
    f.user_whitelist = vec![u];
    f.enabled = false;
    assert!(!is_enabled(&f, u, Environment::Beta, now()));
}

#[test]
fn other_environment_is_off_even_for_whitelisted_users() {
    let u = user(1);
    let mut f = flag("f", Environment::Beta, 100);
    f.user_whitelist = vec![u];
    for env in Environment::ALL {
        assert_eq!(is_enabled(&f, u, *env, now()), *env == Environment::Beta, "{env}");
    }
}

#[test]
fn expiry_is_inclusive_of_now() {
    let u = user(1);
    let mut f = flag("f", Environment::Dev, 100);
    f.user_whitelist = vec![u];
    f.expires_at = Some(now() + Duration::nanoseconds(1));
    assert!(is_enabled(&f, u, Environment::Dev, now()), "expires after now: on");
    f.expires_at = Some(now());
    assert!(!is_enabled(&f, u, Environment::Dev, now()), "expires_at == now: off");
    f.expires_at = Some(now() - Duration::days(1));
    assert!(!is_enabled(&f, u, Environment::Dev, now()));
    assert!(!is_enabled(&f, user(2), Environment::Dev, now()));
}

#[test]
fn whitelist_wins_over_percentage() {
    let u = user_in_bucket("f", 100);
    let mut f = flag("f", Environment::Production, 0);
    assert!(!is_enabled(&f, u, Environment::Production, now()));
    f.user_whitelist = vec![user(999), u];
    assert!(is_enabled(&f, u, Environment::Production, now()));
}

#[test]
fn bucket_at_most_percentage_is_on() {
    for p in [1, 37, 99] {
        let f = flag("rollout", Environment::Beta, p);
        let at = user_in_bucket("rollout", p.unsigned_abs());
        let above = user_in_bucket("rollout", p.unsigned_abs() + 1);
        assert!(is_enabled(&f, at, Environment::Beta, now()), "bucket {p} at {p} %");
        assert!(!is_enabled(&f, above, Environment::Beta, now()), "bucket {} at {p} %", p + 1);
    }
}

#[test]
fn zero_and_hundred_percent_are_nobody_and_everybody() {
    let zero = flag("z", Environment::Beta, 0);
    let hundred = flag("z", Environment::Beta, 100);
    let negative = flag("z", Environment::Beta, -5);
    let over = flag("z", Environment::Beta, 150);
    for n in 0..500u128 {
        let u = user(n);
        assert!(!is_enabled(&zero, u, Environment::Beta, now()));
        assert!(!is_enabled(&negative, u, Environment::Beta, now()));
        assert!(is_enabled(&hundred, u, Environment::Beta, now()));
        assert!(is_enabled(&over, u, Environment::Beta, now()));
    }
}

#[test]
fn rollout_share_is_close_to_percentage() {
    let f = flag("share", Environment::Beta, 30);
    let on = (0..10_000u128).filter(|n| is_enabled(&f, user(*n), Environment::Beta, now())).count();
    assert!((2_800..=3_200).contains(&on), "{on} of 10 000 at 30 %");
}

#[test]
fn beta_flags_selects_enabled_beta_flags() {
    let mut off = flag("off", Environment::Beta, 100);
    off.enabled = false;
    let flags = vec![
        flag("a", Environment::Beta, 10),
        flag("prod", Environment::Production, 100),
        off,
        flag("b", Environment::Beta, 0),
    ];
    let names: Vec<&str> = beta_flags(&flags).map(|f| f.flag_name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn enabled_flag_names_lists_what_a_user_sees() {
    let u = user(7);
    let mut wl = flag("whitelisted", Environment::Beta, 0);
    wl.user_whitelist = vec![u];
    let mut expired = flag("expired", Environment::Beta, 100);
    expired.expires_at = Some(now());
    let flags = vec![
        flag("everyone", Environment::Beta, 100),
        flag("nobody", Environment::Beta, 0),
        wl,
        expired,
        flag("prod_only", Environment::Production, 100),
    ];
    assert_eq!(
        enabled_flag_names(&flags, u, Environment::Beta, now()),
        ["everyone", "whitelisted"]
    );
    assert!(enabled_flag_names(&[], u, Environment::Beta, now()).is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Raising the percentage never turns a user off (monotone rollout), and
    /// buckets stay in 1..=100.
    #[test]
    fn rollout_is_monotone(name in "[a-z_]{1,20}", id in any::<u128>(), p in 0i32..100) {
        let u = Uuid::from_u128(id);
        let b = bucket(&name, u);
        prop_assert!((1..=100).contains(&b));
        let lower = flag(&name, Environment::Beta, p);
        let higher = flag(&name, Environment::Beta, p + 1);
        if is_enabled(&lower, u, Environment::Beta, now()) {
            prop_assert!(is_enabled(&higher, u, Environment::Beta, now()));
        }
        prop_assert_eq!(is_enabled(&lower, u, Environment::Beta, now()), b <= p.unsigned_abs());
    }
}
