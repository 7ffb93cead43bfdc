//! `User::new`: the happy path, every column limit, the MINOR age rule, and
//! `age_on` / `is_minor_on`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use elson_core::ElsonError;
use elson_core::entities::{NewUser, User};
use elson_core::enums::{RiskProfile, UserRole, UserStatus};
use proptest::prelude::*;
use uuid::Uuid;

const HASH: &str = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 10, 30, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn base() -> NewUser {
    NewUser::new("ada@example.com", HASH, UserRole::User)
}

/// Asserts `result` is `InvalidInput` on `field` and returns the reason.
fn invalid_field(result: elson_core::Result<User>, field: &str) -> String {
    match result {
        Err(ElsonError::InvalidInput { field: f, reason }) => {
            assert_eq!(f, field, "wrong field; reason: {reason}");
            reason
        }
        other => panic!("expected InvalidInput on {field}, got {other:?}"),
    }
}

#[test]
fn happy_path_fills_every_column() {
    let id = Uuid::new_v4();
    let params = NewUser {
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        date_of_birth: Some(date(1990, 12, 10)),
        status: UserStatus::BetaTester,
        two_factor_enabled: true,
        two_factor_secret: Some("ENCRYPTED-SECRET".into()),
        risk_profile: RiskProfile::Aggressive,
        education_progress: Some(serde_json::json!({"basics": 3})),
        preferences: Some(serde_json::json!({"theme": "dark"})),
        beta_feedback: Some("nice".into()),
        ..NewUser::new(" Ada.Lovelace@Example.COM\t", HASH, UserRole::Guardian)
    };
    let u = User::new(params, Some(id), now()).unwrap();
    assert_eq!(u.id, id);
    assert_eq!(u.email, "ada.lovelace@example.com");
    assert_eq!(u.password_hash, HASH);
    assert_eq!(u.role, UserRole::Guardian);
    assert_eq!(u.first_name.as_deref(), Some("Ada"));
    assert_eq!(u.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(u.created_at, now());
    assert_eq!(u.updated_at, now());
    assert_eq!(u.last_login, None);
    assert_eq!(u.status, UserStatus::BetaTester);
    assert!(u.two_factor_enabled);
    assert_eq!(u.risk_profile, RiskProfile::Aggressive);
    assert_eq!(u.preferences, Some(serde_json::json!({"theme": "dark"})));
    assert_eq!(u.beta_feedback.as_deref(), Some("nice"));
}

#[test]
fn defaults_and_generated_id() {
    let a = User::new(base(), None, now()).unwrap();
    let b = User::new(base(), None, now()).unwrap();
    assert_eq!(a.id.get_version_num(), 4);
    assert_ne!(a.id, b.id);
    assert_eq!(a.status, UserStatus::Active);
    assert_eq!(a.risk_profile, RiskProfile::Moderate);
    assert!(!a.two_factor_enabled);
    assert_eq!(a.date_of_birth, None);
}

#[test]
fn email_limits() {
    let with = |email: &str| User::new(NewUser { email: email.into(), ..base() }, None, now());
    invalid_field(with(""), "email");
    invalid_field(with("   "), "email");
    assert!(invalid_field(with("ada.example.com"), "email").contains("exactly one"));
    assert!(invalid_field(with("a@b@example.com"), "email").contains("exactly one"));
    assert!(invalid_field(with("@example.com"), "email").contains("before"));
    assert!(invalid_field(with("ada@"), "email").contains("after"));
    assert!(invalid_field(with("ada lovelace@example.com"), "email").contains("whitespace"));
    assert!(invalid_field(with("ada@exa\u{7}mple.com"), "email").contains("control"));
    // 255 characters fit, 256 do not; the bound applies after trimming.
    let local = "a".repeat(255 - "@example.com".len());
    let ok = format!("  {local}@example.com  ");
    assert_eq!(with(&ok).unwrap().email.len(), 255);
    let too_long = format!("{local}a@example.com");
    assert!(invalid_field(with(&too_long), "email").contains("256"));
}

#[test]
fn password_hash_must_look_like_bcrypt() {
    let with = |h: &str| User::new(NewUser { password_hash: h.into(), ..base() }, None, now());
    for prefix in ["$2a$", "$2b$", "$2y$"] {
        let h = format!("{prefix}{}", &HASH[4..]);
        assert!(with(&h).is_ok(), "{prefix} accepted");
    }
    // Cost bounds 04 and 31 are accepted.
    assert!(with(&format!("$2b$04{}", &HASH[6..])).is_ok());
    assert!(with(&format!("$2b$31{}", &HASH[6..])).is_ok());

    let rejected = [
        ("correct horse battery staple", "starting with"),
        ("", "starting with"),
        (&format!("$2x${}", &HASH[4..]), "starting with"),
        (&format!("$1${}", &HASH[3..]), "starting with"),
        (&HASH[..59], "60"),
        (&format!("{HASH}a"), "60"),
        (&format!("$2b$03{}", &HASH[6..]), "cost"),
        (&format!("$2b$32{}", &HASH[6..]), "cost"),
        (&format!("$2b$1a{}", &HASH[6..]), "cost"),
        (&format!("$2b$12x{}", &HASH[7..]), "cost"),
        (&format!("$2b$12${}", "!".repeat(53)), "alphabet"),
        (&format!("$2b$12$é{}", "a".repeat(52)), "alphabet"),
    ];
    for (hash, reason) in rejected {
        let r = invalid_field(with(hash), "password_hash");
        assert!(r.contains(reason), "{hash:?}: {r}");
    }
}

#[test]
fn name_limits() {
    for field in ["first_name", "last_name"] {
        let with = |v: String| {
            let mut p = base();
            if field == "first_name" {
                p.first_name = Some(v);
            } else {
                p.last_name = Some(v);
            }
            User::new(p, None, now())
        };
        assert!(with("x".repeat(100)).is_ok());
        invalid_field(with("x".repeat(101)), field);
        invalid_field(with(String::new()), field);
        // Length counts characters, not bytes.
        assert!(with("é".repeat(100)).is_ok());
    }
}

#[test]
fn date_of_birth_rules() {
    let with = |role: UserRole, dob: Option<NaiveDate>| {
        User::new(NewUser { date_of_birth: dob, ..NewUser::new("k@x.io", HASH, role) }, None, now())
    };
    // Born today is fine; tomorrow is in the future.
    assert!(with(UserRole::User, Some(date(2026, 6, 15))).is_ok());
    assert!(
        invalid_field(with(UserRole::User, Some(date(2026, 6, 16))), "date_of_birth")
            .contains("after today")
    );
    // A MINOR needs a date of birth …
    assert!(invalid_field(with(UserRole::Minor, None), "date_of_birth").contains("required"));
    // … and must be under 18 on the creation day: the 18th birthday is too late.
    assert!(with(UserRole::Minor, Some(date(2008, 6, 16))).is_ok());
    assert!(
        invalid_field(with(UserRole::Minor, Some(date(2008, 6, 15))), "date_of_birth")
            .contains("under 18")
    );
    assert!(
        invalid_field(with(UserRole::Minor, Some(date(1970, 1, 1))), "date_of_birth")
            .contains("under 18")
    );
    // Other roles carry no age rule here.
    assert!(with(UserRole::Guardian, Some(date(1970, 1, 1))).is_ok());
    assert!(with(UserRole::User, None).is_ok());
}

#[test]
fn two_factor_and_text_limits() {
    let r = User::new(NewUser { two_factor_enabled: true, ..base() }, None, now());
    assert!(invalid_field(r, "two_factor_secret").contains("required"));
    let with_secret =
        |s: String| User::new(NewUser { two_factor_secret: Some(s), ..base() }, None, now());
    assert!(with_secret("s".repeat(255)).is_ok());
    invalid_field(with_secret("s".repeat(256)), "two_factor_secret");
    invalid_field(with_secret(String::new()), "two_factor_secret");
    let fb = |s: String| User::new(NewUser { beta_feedback: Some(s), ..base() }, None, now());
    assert!(fb(String::new()).is_ok(), "TEXT may be empty");
    assert!(fb("f".repeat(65_536)).is_ok());
    invalid_field(fb("f".repeat(65_537)), "beta_feedback");
}

#[test]
fn age_on_and_is_minor_on() {
    let user = |dob: Option<NaiveDate>| User {
        date_of_birth: dob,
        ..User::new(base(), None, now()).unwrap()
    };
    let none = user(None);
    assert_eq!(none.age_on(date(2026, 1, 1)), None);
    assert!(!none.is_minor_on(date(2026, 1, 1)));

    let u = user(Some(date(2010, 6, 15)));
    assert_eq!(u.age_on(date(2010, 6, 14)), None, "before birth");
    assert!(!u.is_minor_on(date(2010, 6, 14)));
    assert_eq!(u.age_on(date(2010, 6, 15)), Some(0));
    assert_eq!(u.age_on(date(2028, 6, 14)), Some(17));
    assert!(u.is_minor_on(date(2028, 6, 14)));
    assert_eq!(u.age_on(date(2028, 6, 15)), Some(18));
    assert!(!u.is_minor_on(date(2028, 6, 15)));

    // 29 February counts from 1 March in common years.
    let leap = user(Some(date(2008, 2, 29)));
    assert_eq!(leap.age_on(date(2026, 2, 28)), Some(17));
    assert!(leap.is_minor_on(date(2026, 2, 28)));
    assert_eq!(leap.age_on(date(2026, 3, 1)), Some(18));
    assert_eq!(leap.age_on(date(2028, 2, 29)), Some(20));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Normalization is idempotent and every accepted email has the
    /// documented shape.
    #[test]
    fn accepted_emails_are_normalized(
        local in "[A-Za-z0-9._%+-]{1,40}",
        domain in "[A-Za-z0-9.-]{1,40}",
        pad_left in " {0,3}",
        pad_right in "[ \t]{0,3}",
    ) {
        let raw = format!("{pad_left}{local}@{domain}{pad_right}");
        let u = User::new(NewUser { email: raw.clone(), ..base() }, None, now()).unwrap();
        prop_assert_eq!(&u.email, &raw.trim().to_lowercase());
        prop_assert_eq!(u.email.matches('@').count(), 1);
        let again = User::new(NewUser { email: u.email.clone(), ..base() }, None, now()).unwrap();
        prop_assert_eq!(again.email, u.email);
    }

    /// `age_on` agrees with a reference that counts birthdays one year at a time.
    #[test]
    fn age_matches_reference(dob_days in 0i64..40_000, gap_days in -400i64..40_000) {
        let epoch = date(1900, 1, 1);
        let dob = epoch + chrono::Duration::days(dob_days);
        let on = dob + chrono::Duration::days(gap_days);
        let u = User { date_of_birth: Some(dob), ..User::new(base(), None, now()).unwrap() };
        let reference = if on < dob {
            None
        } else {
            // The k-th birthday: the same month/day k years later, or 1 March
            // when that day does not exist.
            let birthday = |k: i32| {
                NaiveDate::from_ymd_opt(dob.year() + k, dob.month(), dob.day())
                    .unwrap_or_else(|| date(dob.year() + k, 3, 1))
            };
            let mut k = 0;
            while birthday(k + 1) <= on {
                k += 1;
            }
            Some(u32::try_from(k).unwrap())
        };
        prop_assert_eq!(u.age_on(on), reference);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Arbitrary text never panics the constructor: the answer is a user or
    /// an `InvalidInput`, and an accepted hash has the bcrypt shape.
    #[test]
    fn arbitrary_input_never_panics(
        email in any::<String>(),
        hash in prop_oneof![any::<String>(), "\\$2[aby]\\$[0-9]{2}\\$.{53}", "\\$2b\\$12\\$[./A-Za-z0-9]{53}"],
        first in prop::option::of(any::<String>()),
        dob_days in prop::option::of(-40_000i64..40_000),
        role in prop::sample::select(UserRole::ALL),
    ) {
        let dob = dob_days.map(|d| now().date_naive() + chrono::Duration::days(d));
        let params = NewUser { first_name: first, date_of_birth: dob, ..NewUser::new(email, hash, role) };
        match User::new(params, None, now()) {
            Ok(u) => {
                prop_assert_eq!(u.password_hash.len(), 60);
                prop_assert!(u.password_hash.starts_with("$2"));
                prop_assert!(u.email.len() <= 255 && u.email.contains('@'));
                if role == UserRole::Minor {
                    prop_assert!(u.is_minor_on(now().date_naive()));
                }
            }
            Err(e) => prop_assert_eq!(e.code(), "INVALID_INPUT"),
        }
    }
}
