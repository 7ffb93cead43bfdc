//! Login, two-factor and encryption at rest on real databases: every case
//! on an SQLite file and on PostgreSQL, with raw SQL beside the store to
//! look at (and tamper with) what is stored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use common::*;
use elson_store::elson_core::entities::{NewTrade, User};
use elson_store::elson_core::enums::*;
use elson_store::security::totp::code_at;
use elson_store::security::{
    AttemptLimit, CryptoError, EnvelopeCipher, LocalKeyProvider, LoginOutcome, hash_password,
    verify_password,
};
use elson_store::{Actor, OrderRequest, Store, StoreError, StoreOptions};
use sqlx::{ConnectOptions, Row};
use uuid::Uuid;

/// A store (plain text, bcrypt cost 4) and a way to reach its database
/// without it.
struct Db {
    store: Store,
    raw: Raw,
}

enum Raw {
    Sqlite(PathBuf),
    Pg(String),
}

fn options() -> StoreOptions {
    StoreOptions { bcrypt_cost: 4, max_connections: 4, ..StoreOptions::default() }
}

async fn sqlite_db() -> Db {
    let dir = std::env::temp_dir().join(format!("elson-sec-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("elson.db");
    let store = Store::open_with(&format!("sqlite://{}", path.display()), options()).await.unwrap();
    Db { store, raw: Raw::Sqlite(path) }
}

async fn pg_db() -> Option<Db> {
    let url = pg_fresh_url().await?;
    let store = Store::open_with(&url, options()).await.unwrap();
    Some(Db { store, raw: Raw::Pg(url) })
}

macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)(sqlite_db().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = pg_db().await else { return };
                ($body)(db).await;
            }
        }
    };
}

impl Db {
    fn keyed(&self, provider: LocalKeyProvider) -> Store {
        self.store.clone().with_key_provider(Arc::new(provider))
    }

    /// One text column of one user, as stored.
    async fn raw_text(&self, column: &str, id: Uuid) -> Option<String> {
        let sql = format!("SELECT {column} AS v FROM users WHERE id = $1");
        match &self.raw {
            Raw::Sqlite(path) => {
                let mut c = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(path)
                    .connect()
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(id)
                    .fetch_one(&mut c)
                    .await
                    .unwrap()
                    .get("v")
            }
            Raw::Pg(url) => {
                let mut c: sqlx::PgConnection = url
                    .parse::<sqlx::postgres::PgConnectOptions>()
                    .unwrap()
                    .connect()
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(id)
                    .fetch_one(&mut c)
                    .await
                    .unwrap()
                    .get("v")
            }
        }
    }

    /// Runs `sql` with `$1` = `a` and `$2` = `b`, behind the store's back.
    async fn raw_exec(&self, sql: &str, a: Uuid, b: Uuid) {
        match &self.raw {
            Raw::Sqlite(path) => {
                let mut c = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(path)
                    .connect()
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                    .bind(a)
                    .bind(b)
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
            Raw::Pg(url) => {
                let mut c: sqlx::PgConnection = url
                    .parse::<sqlx::postgres::PgConnectOptions>()
                    .unwrap()
                    .connect()
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                    .bind(a)
                    .bind(b)
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
        }
    }

    /// Runs one statement behind the store's back.
    async fn raw_sql(&self, sql: &str) {
        match &self.raw {
            Raw::Sqlite(path) => {
                let mut c = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(path)
                    .connect()
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut c).await.unwrap();
            }
            Raw::Pg(url) => {
                let mut c: sqlx::PgConnection = url
                    .parse::<sqlx::postgres::PgConnectOptions>()
                    .unwrap()
                    .connect()
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut c).await.unwrap();
            }
        }
    }

    /// Sets one column of one user to `value`, behind the store's back.
    async fn raw_set(&self, column: &str, id: Uuid, value: Option<&str>) {
        let sql = format!("UPDATE users SET {column} = $2 WHERE id = $1");
        match &self.raw {
            Raw::Sqlite(path) => {
                let mut c = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(path)
                    .connect()
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(id)
                    .bind(value)
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
            Raw::Pg(url) => {
                let mut c: sqlx::PgConnection = url
                    .parse::<sqlx::postgres::PgConnectOptions>()
                    .unwrap()
                    .connect()
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(id)
                    .bind(value)
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
        }
    }
}

/// 2026-01-01T00:00:15Z: 15 s into a TOTP step.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_615, 0).unwrap()
}

fn later(seconds: i64) -> DateTime<Utc> {
    now() + chrono::Duration::seconds(seconds)
}

fn k(id: &str, byte: u8) -> LocalKeyProvider {
    LocalKeyProvider::new(id, [byte; 32]).unwrap()
}

/// A user with `password` hashed by the store, and PII to encrypt.
async fn person(store: &Store, email: &str, password: &str, status: UserStatus) -> User {
    let mut u = user(UserRole::User, email);
    u.password_hash = store.hash_password(password).await.unwrap();
    u.status = status;
    u.first_name = Some("Zebediah".into());
    u.last_name = Some("Quimbyworth".into());
    u.date_of_birth = Some(NaiveDate::from_ymd_opt(2011, 7, 13).unwrap());
    given(store, &u).await;
    u
}

fn crypto(e: StoreError) -> CryptoError {
    match e {
        StoreError::Crypto(c) => c,
        other => panic!("expected a crypto error, got {other:?}"),
    }
}

on_both!(login_by_password, |db: Db| async move {
    let s = &db.store;
    let ok = person(s, "ok@example.com", "right-pass", UserStatus::Active).await;
    let suspended = person(s, "sus@example.com", "right-pass", UserStatus::Suspended).await;
    let _inactive = person(s, "off@example.com", "right-pass", UserStatus::Inactive).await;
    let beta = person(s, "beta@example.com", "right-pass", UserStatus::BetaTester).await;

    // Success: email matched normalized, last_login recorded.
    let LoginOutcome::Authenticated(actor) =
        s.login("  OK@Example.COM ", "right-pass", now()).await.unwrap()
    else {
        panic!("no two-factor for this user")
    };
    assert_eq!(actor, Actor { id: ok.id, role: UserRole::User, status: UserStatus::Active });
    assert_eq!(s.users().get(&admin(), ok.id).await.unwrap().last_login, Some(now()));

    // Unknown email and wrong password: the same error, word for word.
    let unknown = s.login("nobody@example.com", "right-pass", later(1)).await.unwrap_err();
    let wrong = s.login("ok@example.com", "wrong-pass", later(1)).await.unwrap_err();
    assert_eq!(unknown, wrong);
    assert_eq!(unknown.code(), "AUTHENTICATION_FAILED");
    assert_eq!(unknown.to_string(), "authentication failed: invalid email or password");
    assert_eq!(unknown.to_string(), wrong.to_string());
    // ... also for an empty or over-long password, and a stored hash that
    // is not bcrypt.
    assert_eq!(s.login("ok@example.com", "", later(1)).await.unwrap_err(), unknown);
    assert_eq!(s.login("ok@example.com", &"r".repeat(80), later(1)).await.unwrap_err(), unknown);
    // (The store refuses such a hash; one written behind its back.)
    let mut broken = user(UserRole::User, "broken@example.com");
    broken.password_hash = "not-a-bcrypt-hash".into();
    assert_eq!(try_given(s, &broken).await.unwrap_err().code(), "INVALID_INPUT");
    broken.password_hash = user(UserRole::User, "x@example.com").password_hash;
    given(s, &broken).await;
    db.raw_set("password_hash", broken.id, Some("not-a-bcrypt-hash")).await;
    assert_eq!(s.login("broken@example.com", "x", later(1)).await.unwrap_err(), unknown);
    // SQL in the email is just an unknown email; the table is intact.
    for evil in ["' OR '1'='1", "ok@example.com' --", "x'; DROP TABLE users; --"] {
        assert_eq!(s.login(evil, "right-pass", later(1)).await.unwrap_err(), unknown, "{evil}");
    }
    assert_eq!(s.users().get(&admin(), ok.id).await.unwrap().email, "ok@example.com");
    // A failed login records nothing.
    assert_eq!(s.users().get(&admin(), ok.id).await.unwrap().last_login, Some(now()));

    // Non-ACTIVE users: a distinct error, and only with the right password.
    let e = s.login("sus@example.com", "right-pass", later(2)).await.unwrap_err();
    assert_eq!(e.code(), "FORBIDDEN");
    assert!(e.to_string().contains("SUSPENDED"), "{e}");
    assert_eq!(s.login("sus@example.com", "wrong-pass", later(2)).await.unwrap_err(), unknown);
    let e = s.login("off@example.com", "right-pass", later(2)).await.unwrap_err();
    assert_eq!(e.code(), "FORBIDDEN");
    assert!(e.to_string().contains("INACTIVE"), "{e}");
    assert_eq!(s.users().get(&admin(), suspended.id).await.unwrap().last_login, None);
    // BETA_TESTER may log in (AuthRecord's rule).
    let outcome = s.login("beta@example.com", "right-pass", later(3)).await.unwrap();
    assert!(matches!(outcome, LoginOutcome::Authenticated(a) if a.id == beta.id));

    // set_password: the old password stops working.
    s.set_password(&admin(), ok.id, "new-pass", later(4)).await.unwrap();
    assert_eq!(s.login("ok@example.com", "right-pass", later(5)).await.unwrap_err(), unknown);
    assert!(s.login("ok@example.com", "new-pass", later(5)).await.is_ok());
    assert_eq!(
        s.set_password(&admin(), Uuid::new_v4(), "x", later(5)).await.unwrap_err().code(),
        "NOT_FOUND"
    );
    assert_eq!(
        s.set_password(&admin(), ok.id, "", later(5)).await.unwrap_err().code(),
        "INVALID_INPUT"
    );
    let h = s.hash_password("p").await.unwrap();
    assert!(h.starts_with("$2b$04$"), "{h}");
});

/// bcrypt of the empty password (jBCrypt's test vector), as an import from
/// another system might carry.
const EMPTY_PASSWORD_HASH: &str = "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.";

fn invalid_password(r: Result<bool, elson_store::elson_core::ElsonError>) -> String {
    match r {
        Err(elson_store::elson_core::ElsonError::InvalidInput { field, reason }) => {
            assert_eq!(field, "password", "{reason}");
            reason
        }
        other => panic!("expected InvalidInput on password, got {other:?}"),
    }
}

/// Issue 15 item 10: `verify_password` compared only the first 72 bytes of
/// a longer password (so it matched the hash of that prefix) where
/// `hash_password` refuses it; and an empty password matched an imported
/// hash of the empty password, also at login. Both are refused alike
/// everywhere, never compared.
#[test]
fn verify_refuses_what_hash_refuses_instead_of_truncating() {
    let prefix = "a".repeat(72);
    let hash = hash_password(&prefix, 4).unwrap();
    assert!(verify_password(&prefix, &hash).unwrap());
    let reason = invalid_password(verify_password(&format!("{prefix}a"), &hash));
    assert!(reason.contains("72 bytes"), "{reason}");
    // 72 bytes of multi-byte characters: 24 × "€" (3 bytes) is fine, one
    // more is refused (bytes count, not characters).
    let euros = "€".repeat(24);
    assert!(verify_password(&euros, &hash_password(&euros, 4).unwrap()).unwrap());
    invalid_password(verify_password(&"€".repeat(25), &hash));
    let reason = invalid_password(verify_password("", EMPTY_PASSWORD_HASH));
    assert!(reason.contains("empty"), "{reason}");
    invalid_password(hash_password("", 4).map(|_| true));
    invalid_password(hash_password(&format!("{prefix}a"), 4).map(|_| true));
}

on_both!(login_refuses_an_empty_password_even_against_its_hash, |db: Db| async move {
    let s = &db.store;
    let mut imported = user(UserRole::User, "imported@example.com");
    imported.password_hash = EMPTY_PASSWORD_HASH.into();
    given(s, &imported).await;
    let mut long = user(UserRole::User, "long@example.com");
    long.password_hash = hash_password(&"a".repeat(72), 4).unwrap();
    given(s, &long).await;
    let unknown = s.login("nobody@example.com", "whatever", now()).await.unwrap_err();
    assert_eq!(unknown.to_string(), "authentication failed: invalid email or password");
    assert_eq!(s.login("imported@example.com", "", now()).await.unwrap_err(), unknown);
    assert_eq!(s.login("long@example.com", &"a".repeat(73), now()).await.unwrap_err(), unknown);
    assert_eq!(s.login("long@example.com", &"a".repeat(200), now()).await.unwrap_err(), unknown);
    assert!(s.login("long@example.com", &"a".repeat(72), now()).await.is_ok());
    assert_eq!(s.users().get(&admin(), imported.id).await.unwrap().last_login, None);
    // Nor can the empty password be set.
    let e = s.set_password(&admin(), imported.id, "", now()).await.unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert_eq!(s.hash_password("").await.unwrap_err().code(), "INVALID_INPUT");
});

impl Db {
    /// Another store on the same database, with `options`.
    async fn reopen(&self, options: StoreOptions) -> Store {
        let url = match &self.raw {
            Raw::Sqlite(p) => format!("sqlite://{}", p.display()),
            Raw::Pg(u) => u.clone(),
        };
        Store::open_with(&url, options).await.unwrap()
    }
}

fn three_per_ten_minutes() -> StoreOptions {
    let limit = AttemptLimit { max_failures: 3, lockout: chrono::TimeDelta::minutes(10) };
    StoreOptions { login_attempts: limit, ..options() }
}

on_both!(failed_logins_lock_the_email_out_for_a_while, |db: Db| async move {
    let s = db.reopen(three_per_ten_minutes()).await;
    person(&s, "lock@example.com", "right-pass", UserStatus::Active).await;
    // Two failures, then a success: the count starts over.
    for i in 0..2 {
        s.login("lock@example.com", "wrong", later(i)).await.unwrap_err();
    }
    s.login("lock@example.com", "right-pass", later(2)).await.unwrap();
    for i in 3..6 {
        let e = s.login("LOCK@example.com ", "wrong", later(i)).await.unwrap_err();
        assert!(e.to_string().contains("invalid email or password"), "{e}");
    }
    // Locked (the email as normalized): even the right password is refused
    // unchecked, and the refusals do not extend the lockout.
    for i in 6..9 {
        let e = s.login("lock@example.com", "right-pass", later(i)).await.unwrap_err();
        assert_eq!(e.code(), "AUTHENTICATION_FAILED");
        assert!(e.to_string().contains("too many failed attempts"), "{e}");
        assert!(
            e.to_string().contains(
                &(later(5) + chrono::TimeDelta::minutes(10)).format("%H:%M:%S").to_string()
            ),
            "{e}"
        );
    }
    // An email nobody has is locked the same way: the refusal tells nothing.
    for i in 0..3 {
        s.login("ghost@example.com", "x", later(i)).await.unwrap_err();
    }
    let ghost = s.login("ghost@example.com", "x", later(3)).await.unwrap_err();
    assert!(ghost.to_string().contains("too many failed attempts"), "{ghost}");
    // Other emails are unaffected; after the lockout the right password works.
    person(&s, "other@example.com", "pw", UserStatus::Active).await;
    s.login("other@example.com", "pw", later(7)).await.unwrap();
    s.login("lock@example.com", "right-pass", later(5 + 600)).await.unwrap();
});

on_both!(failed_two_factor_codes_lock_the_user_out_for_a_while, |db: Db| async move {
    let s = db.reopen(three_per_ten_minutes()).await;
    let s = s.with_key_provider(Arc::new(k("k1", 1)));
    let u = person(&s, "tfl@example.com", "pw", UserStatus::Active).await;
    let a = Actor::from(&u);
    let e = s.enroll_two_factor(&a, u.id, now()).await.unwrap();
    let code = |t: DateTime<Utc>| code_at(&e.secret_base32, t).unwrap();
    s.confirm_two_factor(&a, u.id, &code(now()), now()).await.unwrap();
    let challenge = |t: DateTime<Utc>| {
        let s = s.clone();
        async move {
            match s.login("tfl@example.com", "pw", t).await.unwrap() {
                LoginOutcome::TwoFactorRequired(ch) => ch,
                LoginOutcome::Authenticated(_) => panic!("two-factor is on"),
            }
        }
    };
    let ch = challenge(later(60)).await;
    let wrong = if code(later(60)) == "000000" { "111111" } else { "000000" };
    for i in 60..63 {
        let e = s.complete_login(&ch, wrong, later(i)).await.unwrap_err();
        assert!(e.to_string().contains("invalid two-factor code"), "{e}");
    }
    let locked = s.complete_login(&ch, &code(later(63)), later(63)).await.unwrap_err();
    assert!(locked.to_string().contains("too many failed attempts"), "{locked}");
    // The password step still works; the code step waits out the lockout.
    let ch = challenge(later(62 + 600)).await;
    assert_eq!(s.complete_login(&ch, &code(later(662)), later(662)).await.unwrap(), a);
});

/// What simultaneous attempts on one key answered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Answers {
    /// Checked and found wrong.
    wrong: usize,
    /// Refused unchecked ("too many failed attempts").
    refused: usize,
    /// Accepted: only the right credential can be.
    accepted: usize,
}

const TOO_MANY: &str = "too many failed attempts";

/// Runs one `attempt` per guess (`true` marks the right one), all released
/// at once, and sorts the answers. A checked wrong guess must answer
/// `wrong_reason`; the right one is either accepted or refused unchecked,
/// never checked and refused.
async fn at_once<T, F, Fut>(guesses: Vec<(bool, String)>, wrong_reason: &str, attempt: F) -> Answers
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
    T: Send + 'static,
{
    let barrier = Arc::new(tokio::sync::Barrier::new(guesses.len()));
    let tasks: Vec<_> = guesses
        .into_iter()
        .map(|(right, guess)| {
            let barrier = Arc::clone(&barrier);
            let attempt = attempt(guess);
            tokio::spawn(async move {
                barrier.wait().await;
                (right, attempt.await.map(|_| ()))
            })
        })
        .collect();
    let mut answers = Answers::default();
    for task in tasks {
        match task.await.unwrap() {
            (true, Ok(())) => answers.accepted += 1,
            (false, Ok(())) => panic!("a wrong guess was accepted"),
            (right, Err(e)) => {
                assert_eq!(e.code(), "AUTHENTICATION_FAILED", "{e}");
                if e.to_string().contains(TOO_MANY) {
                    answers.refused += 1;
                } else {
                    assert!(e.to_string().contains(wrong_reason), "{e}");
                    assert!(!right, "the right credential was checked and refused: {e}");
                    answers.wrong += 1;
                }
            }
        }
    }
    answers
}

/// 31 wrong guesses (from `wrong`) and `right` at a random position.
fn guesses(right: &str, mut wrong: impl FnMut() -> String) -> Vec<(bool, String)> {
    let right_at = (Uuid::new_v4().as_u128() % 32) as usize;
    (0..32)
        .map(|i| if i == right_at { (true, right.to_string()) } else { (false, wrong()) })
        .collect()
}

// Issue 15 item 2: 32 simultaneous logins on one account were all checked
// by bcrypt (each passed the limit before any had failed), and the right
// password among them was accepted. An attempt now takes one of the
// limit's slots before its check.
on_both!(simultaneous_password_guesses_get_at_most_the_limit_of_checks, |db: Db| async move {
    let s = db.store.clone(); // the default limit: 5 failures, then 15 minutes
    let login = |email: &'static str| {
        let s = s.clone();
        move |password: String| {
            let s = s.clone();
            async move { s.login(email, &password, now()).await }
        }
    };
    // Only wrong guesses: 5 checked, 27 refused unchecked, whether or not
    // the email has an account.
    person(&s, "victim@example.com", "right-pass", UserStatus::Active).await;
    for email in ["victim@example.com", "ghost@example.com"] {
        let mut n = 0;
        let wrong = (0..32)
            .map(|_| {
                n += 1;
                (false, format!("guess-{n}"))
            })
            .collect();
        let a = at_once(wrong, "invalid email or password", login(email)).await;
        assert_eq!(a, Answers { wrong: 5, refused: 27, accepted: 0 }, "{email}");
    }
    let e = s.login("victim@example.com", "right-pass", later(1)).await.unwrap_err();
    assert!(e.to_string().contains(TOO_MANY), "{e}");

    // The right password among them.
    person(&s, "target@example.com", "right-pass", UserStatus::Active).await;
    let mut n = 0;
    let g = guesses("right-pass", || {
        n += 1;
        format!("guess-{n}")
    });
    let a = at_once(g, "invalid email or password", login("target@example.com")).await;
    assert_eq!(a.wrong + a.refused + a.accepted, 32, "{a:?}");
    if a.accepted == 0 {
        // It came after the 5 slots were taken: refused unchecked like the
        // guesses after it, and the email is locked.
        assert_eq!(a.wrong, 5, "{a:?}");
        let e = s.login("target@example.com", "right-pass", later(1)).await.unwrap_err();
        assert!(e.to_string().contains(TOO_MANY), "{e}");
    } else {
        // It held one of the 5 slots, and its success cleared the count
        // (as it does one login after another): at most the 4 guesses
        // beside it and 5 after it were checked.
        assert!(a.wrong <= 4 + 5, "{a:?}");
    }
});

// Issue 15 item 2: simultaneous codes for one user got 12–18 checks
// against a limit of 5.
on_both!(simultaneous_two_factor_codes_get_at_most_the_limit_of_checks, |db: Db| async move {
    let s = db.keyed(k("k1", 1));
    let u = person(&s, "tfp@example.com", "pw", UserStatus::Active).await;
    let a = Actor::from(&u);
    let e = s.enroll_two_factor(&a, u.id, now()).await.unwrap();
    let code = |t: DateTime<Utc>| code_at(&e.secret_base32, t).unwrap();
    s.confirm_two_factor(&a, u.id, &code(now()), now()).await.unwrap();
    let challenge = |t: DateTime<Utc>| {
        let s = s.clone();
        async move {
            match s.login("tfp@example.com", "pw", t).await.unwrap() {
                LoginOutcome::TwoFactorRequired(ch) => ch,
                LoginOutcome::Authenticated(_) => panic!("two-factor is on"),
            }
        }
    };
    let complete = |ch: elson_store::security::TwoFactorChallenge, t: DateTime<Utc>| {
        let s = s.clone();
        move |code: String| {
            let (s, ch) = (s.clone(), ch.clone());
            async move { s.complete_login(&ch, &code, t).await }
        }
    };
    // Distinct codes none of which is accepted at `t` (±1 step).
    let wrong_codes = |t: DateTime<Utc>| {
        let valid = [-30, 0, 30].map(|d| code(t + chrono::Duration::seconds(d)));
        (100_000..).map(|n: u32| n.to_string()).filter(move |c| !valid.contains(c))
    };

    // Only wrong codes: 5 checked, 27 refused unchecked; then the right
    // code is refused too.
    let t = later(60);
    let ch = challenge(t).await;
    let wrong = wrong_codes(t).take(32).map(|c| (false, c)).collect();
    let got = at_once(wrong, "invalid two-factor code", complete(ch.clone(), t)).await;
    assert_eq!(got, Answers { wrong: 5, refused: 27, accepted: 0 });
    let e = s.complete_login(&ch, &code(t), t).await.unwrap_err();
    assert!(e.to_string().contains(TOO_MANY), "{e}");

    // After the lockout, the right code among 31 wrong ones.
    let t = t + chrono::Duration::minutes(16);
    let ch = challenge(t).await;
    let mut wrong = wrong_codes(t);
    let g = guesses(&code(t), || wrong.next().unwrap());
    let got = at_once(g, "invalid two-factor code", complete(ch.clone(), t)).await;
    assert_eq!(got.wrong + got.refused + got.accepted, 32, "{got:?}");
    if got.accepted == 0 {
        assert_eq!(got.wrong, 5, "{got:?}");
        let e = s.complete_login(&ch, &code(t), t).await.unwrap_err();
        assert!(e.to_string().contains(TOO_MANY), "{e}");
    } else {
        assert!(got.wrong <= 4 + 5, "{got:?}");
    }
});

// A success before the limit still logs in and clears the count, when the
// failures before it were simultaneous.
on_both!(a_success_after_simultaneous_failures_clears_the_count, |db: Db| async move {
    let s = db.store.clone();
    person(&s, "reset@example.com", "right-pass", UserStatus::Active).await;
    let login = |password: String| {
        let s = s.clone();
        async move { s.login("reset@example.com", &password, now()).await }
    };
    let wrong = |n: usize| (0..n).map(|i| (false, format!("guess-{i}"))).collect::<Vec<_>>();
    let a = at_once(wrong(4), "invalid email or password", login).await;
    assert_eq!(a, Answers { wrong: 4, refused: 0, accepted: 0 });
    s.login("reset@example.com", "right-pass", now()).await.unwrap();
    let a = at_once(wrong(7), "invalid email or password", login).await;
    assert_eq!(a, Answers { wrong: 5, refused: 2, accepted: 0 }, "5 more after the success");
    let e = s.login("reset@example.com", "right-pass", now()).await.unwrap_err();
    assert!(e.to_string().contains(TOO_MANY), "{e}");
});

// An attempt that fails in storage, not on the credential, gives its slot
// back: it was no guess.
on_both!(an_attempt_failing_in_storage_is_not_counted, |db: Db| async move {
    // A fresh store: no statement on `users` prepared before the rename.
    let s = db.reopen(three_per_ten_minutes()).await;
    person(&s, "gone@example.com", "right-pass", UserStatus::Active).await;
    db.raw_sql("ALTER TABLE users RENAME TO users_away").await;
    for i in 0..5 {
        let e = s.login("gone@example.com", "wrong", later(i)).await.unwrap_err();
        assert_eq!(e.code(), "STORAGE", "{e}");
    }
    db.raw_sql("ALTER TABLE users_away RENAME TO users").await;
    for i in 5..8 {
        let e = s.login("gone@example.com", "wrong", later(i)).await.unwrap_err();
        assert!(e.to_string().contains("invalid email or password"), "{e}");
    }
    let e = s.login("gone@example.com", "right-pass", later(8)).await.unwrap_err();
    assert!(e.to_string().contains(TOO_MANY), "{e}");
});

on_both!(login_upgrades_a_hash_made_at_a_lower_cost, |db: Db| async move {
    let s = db.reopen(StoreOptions { bcrypt_cost: 5, ..options() }).await;
    let mut u = user(UserRole::User, "old@example.com");
    u.password_hash = hash_password("old-pass", 4).unwrap();
    given(&s, &u).await;
    let mut high = user(UserRole::User, "high@example.com");
    high.password_hash = hash_password("pw", 6).unwrap();
    given(&s, &high).await;
    let stored = |id: Uuid| {
        let s = s.clone();
        async move { s.users().get(&admin(), id).await.unwrap().password_hash }
    };
    // A wrong password changes nothing.
    s.login("old@example.com", "wrong", now()).await.unwrap_err();
    assert_eq!(stored(u.id).await, u.password_hash);
    // The right one: the hash is remade at the store's cost, and still works.
    s.login("old@example.com", "old-pass", now()).await.unwrap();
    let upgraded = stored(u.id).await;
    assert!(upgraded.starts_with("$2b$05$"), "{upgraded}");
    assert!(verify_password("old-pass", &upgraded).unwrap());
    s.login("old@example.com", "old-pass", later(1)).await.unwrap();
    assert_eq!(stored(u.id).await, upgraded, "upgraded once");
    // A hash at a higher cost is left as it is.
    s.login("high@example.com", "pw", now()).await.unwrap();
    assert_eq!(stored(high.id).await, high.password_hash);
});

on_both!(unknown_email_costs_a_bcrypt_verify_too, |db: Db| async move {
    // At cost 10 a verify takes tens of milliseconds; a lookup alone takes
    // about one. Unknown emails must cost about as much as wrong passwords.
    let store = Store::open_with(
        &match &db.raw {
            Raw::Sqlite(p) => format!("sqlite://{}", p.display()),
            Raw::Pg(u) => u.clone(),
        },
        StoreOptions { bcrypt_cost: 10, ..options() },
    )
    .await
    .unwrap();
    person(&store, "t@example.com", "right-pass", UserStatus::Active).await;
    let _ = store.login("warm@example.com", "x", now()).await; // makes the dummy hash
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (mut unknown, mut wrong) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let t = Instant::now();
        let _ = store.login("nobody@example.com", "right-pass", now()).await.unwrap_err();
        unknown.push(t.elapsed());
        let t = Instant::now();
        let _ = store.login("t@example.com", "wrong-pass", now()).await.unwrap_err();
        wrong.push(t.elapsed());
    }
    let (u, w) = (median(unknown), median(wrong));
    assert!(u * 10 >= w * 3, "unknown email {u:?} vs wrong password {w:?}");
    assert!(w * 10 >= u * 3, "unknown email {u:?} vs wrong password {w:?}");
});

on_both!(two_factor_enrollment_login_and_replay, |db: Db| async move {
    let s = db.keyed(k("k1", 1));
    let u = person(&s, "tf@example.com", "pw-1", UserStatus::Active).await;
    let a = Actor::from(&u);

    let e = s.enroll_two_factor(&a, u.id, now()).await.unwrap();
    assert_eq!(
        e.otpauth_uri,
        format!("otpauth://totp/Elson:tf%40example.com?secret={}&issuer=Elson", e.secret_base32)
    );
    assert!(!format!("{e:?}").contains(&e.secret_base32), "Debug hides the secret");
    let stored = s.users().get(&a, u.id).await.unwrap();
    assert!(!stored.two_factor_enabled, "not enabled before a first code");
    assert_eq!(stored.two_factor_secret.as_deref(), Some(e.secret_base32.as_str()));
    // Still a one-step login until confirmed.
    assert!(matches!(
        s.login("tf@example.com", "pw-1", now()).await.unwrap(),
        LoginOutcome::Authenticated(_)
    ));

    let code = |t: DateTime<Utc>| code_at(&e.secret_base32, t).unwrap();
    let wrong_code = if code(now()) == "000000" { "111111" } else { "000000" };
    let err = s.confirm_two_factor(&a, u.id, wrong_code, now()).await.unwrap_err();
    assert_eq!(err.code(), "AUTHENTICATION_FAILED");
    assert!(!s.users().get(&a, u.id).await.unwrap().two_factor_enabled);
    s.confirm_two_factor(&a, u.id, &code(now()), now()).await.unwrap();
    assert!(s.users().get(&a, u.id).await.unwrap().two_factor_enabled);
    assert_eq!(
        s.confirm_two_factor(&a, u.id, &code(later(30)), later(30)).await.unwrap_err().code(),
        "CONFLICT"
    );
    assert_eq!(s.enroll_two_factor(&a, u.id, now()).await.unwrap_err().code(), "CONFLICT");
    // ... and the refused call changed nothing.
    let kept = s.users().get(&a, u.id).await.unwrap();
    assert_eq!(kept.two_factor_secret.as_deref(), Some(e.secret_base32.as_str()));
    assert!(kept.two_factor_enabled);

    // Password step, then the code.
    let LoginOutcome::TwoFactorRequired(ch) =
        s.login("tf@example.com", "pw-1", now()).await.unwrap()
    else {
        panic!("two-factor is on")
    };
    assert_eq!(ch.user_id(), u.id);
    // (last_login is from the one-step login above: not updated yet.)
    assert_eq!(s.users().get(&a, u.id).await.unwrap().last_login, Some(now()), "not logged in yet");
    // The code that confirmed enrollment is used up.
    let replay = s.complete_login(&ch, &code(now()), now()).await.unwrap_err();
    assert_eq!(replay.code(), "AUTHENTICATION_FAILED");
    assert!(replay.to_string().contains("already used"), "{replay}");
    let actor = s.complete_login(&ch, &code(later(30)), later(30)).await.unwrap();
    assert_eq!(actor, a);
    assert_eq!(s.users().get(&a, u.id).await.unwrap().last_login, Some(later(30)));
    let again = s.complete_login(&ch, &code(later(30)), later(31)).await.unwrap_err();
    assert!(again.to_string().contains("already used"), "{again}");

    // ±1 step accepted, ±2 refused. At T = now + 150 s (step s+5; last
    // accepted s+1).
    let t = later(150);
    for off in [-2i64, 2] {
        let e = s
            .complete_login(&ch, &code(t + chrono::Duration::seconds(30 * off)), t)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("invalid two-factor code"), "offset {off}: {e}");
    }
    s.complete_login(&ch, &code(t - chrono::Duration::seconds(30)), t).await.unwrap();
    s.complete_login(&ch, &code(t + chrono::Duration::seconds(30)), t).await.unwrap();
    // Behind the newest accepted step now: refused even though in window.
    let e = s.complete_login(&ch, &code(t), t).await.unwrap_err();
    assert!(e.to_string().contains("already used"), "{e}");
    assert_eq!(
        s.complete_login(&ch, "12345", later(300)).await.unwrap_err().code(),
        "AUTHENTICATION_FAILED"
    );

    // The challenge expires after five minutes.
    let e = s.complete_login(&ch, &code(later(400)), later(400)).await.unwrap_err();
    assert!(e.to_string().contains("expired"), "{e}");

    // Suspended between the two steps.
    let LoginOutcome::TwoFactorRequired(ch) =
        s.login("tf@example.com", "pw-1", later(420)).await.unwrap()
    else {
        panic!()
    };
    s.set_status(&admin(), u.id, UserStatus::Suspended, later(440)).await.unwrap();
    assert_eq!(
        s.complete_login(&ch, &code(later(450)), later(450)).await.unwrap_err().code(),
        "FORBIDDEN"
    );
    s.set_status(&admin(), u.id, UserStatus::Active, later(455)).await.unwrap();

    // Turning it off: a one-step login again, and a challenge from before
    // no longer completes.
    s.disable_two_factor(&a, u.id, later(460)).await.unwrap();
    let off = s.users().get(&a, u.id).await.unwrap();
    assert!(!off.two_factor_enabled && off.two_factor_secret.is_none());
    assert!(matches!(
        s.login("tf@example.com", "pw-1", later(470)).await.unwrap(),
        LoginOutcome::Authenticated(_)
    ));
    assert_eq!(
        s.complete_login(&ch, &code(later(480)), later(480)).await.unwrap_err().code(),
        "AUTHENTICATION_FAILED"
    );

    // Errors for unknown users (for the system actor; a user touching
    // another id is refused first) and confirming without enrolling.
    assert_eq!(
        s.enroll_two_factor(&admin(), Uuid::new_v4(), now()).await.unwrap_err().code(),
        "NOT_FOUND"
    );
    assert_eq!(
        s.confirm_two_factor(&admin(), Uuid::new_v4(), "123456", now()).await.unwrap_err().code(),
        "NOT_FOUND"
    );
    assert_eq!(
        s.enroll_two_factor(&a, Uuid::new_v4(), now()).await.unwrap_err().code(),
        "FORBIDDEN"
    );
    assert_eq!(
        s.confirm_two_factor(&a, u.id, "123456", now()).await.unwrap_err().code(),
        "CONFLICT"
    );
});

on_both!(one_code_used_twice_at_once_passes_once, |db: Db| async move {
    let s = db.keyed(k("k1", 1));
    let u = person(&s, "race@example.com", "pw", UserStatus::Active).await;
    let a = Actor::from(&u);
    let e = s.enroll_two_factor(&a, u.id, now()).await.unwrap();
    let code = |t: DateTime<Utc>| code_at(&e.secret_base32, t).unwrap();
    s.confirm_two_factor(&a, u.id, &code(now()), now()).await.unwrap();
    for round in 1..=6i64 {
        let t = later(30 * round);
        let LoginOutcome::TwoFactorRequired(ch) =
            s.login("race@example.com", "pw", t).await.unwrap()
        else {
            panic!()
        };
        let c = code(t);
        let (x, y) = tokio::join!(s.complete_login(&ch, &c, t), s.complete_login(&ch, &c, t));
        let passed = [x.is_ok(), y.is_ok()].iter().filter(|ok| **ok).count();
        assert_eq!(passed, 1, "round {round}: {x:?} {y:?}");
        let failed = if x.is_err() { x } else { y }.unwrap_err();
        assert_eq!(failed.code(), "AUTHENTICATION_FAILED");
    }
});

on_both!(pii_is_ciphertext_at_rest, |db: Db| async move {
    // A positive control: the plain-text store's row is visible as such
    // (written before the database holds ciphertext: after that, a store
    // without the key refuses to write PII in the clear).
    let mut plain = user(UserRole::User, "plain@example.com");
    plain.first_name = Some("Plainfellow".into());
    given(&db.store, &plain).await;
    let s = db.keyed(k("k1", 1));
    let u = person(&s, "secret@example.com", "pw", UserStatus::Active).await;
    let e = s.enroll_two_factor(&Actor::from(&u), u.id, now()).await.unwrap();

    // The store reads everything back.
    let back = s.users().get(&admin(), u.id).await.unwrap();
    assert_eq!(back.first_name.as_deref(), Some("Zebediah"));
    assert_eq!(back.last_name.as_deref(), Some("Quimbyworth"));
    assert_eq!(back.date_of_birth, NaiveDate::from_ymd_opt(2011, 7, 13));
    assert_eq!(back.two_factor_secret.as_deref(), Some(e.secret_base32.as_str()));
    assert_eq!(
        s.users().get(&admin(), plain.id).await.unwrap().first_name.as_deref(),
        Some("Plainfellow")
    );

    // Raw columns over a plain connection: ciphertext only.
    for column in ["first_name", "last_name", "date_of_birth", "two_factor_secret"] {
        let v = db.raw_text(column, u.id).await.unwrap();
        assert!(v.starts_with("v1:"), "{column}: {v}");
        for secret in ["Zebediah", "Quimbyworth", "2011-07-13", e.secret_base32.as_str()] {
            assert!(!v.contains(secret), "{column} holds {secret}");
        }
    }
    assert_eq!(db.raw_text("pii_kek_id", u.id).await.as_deref(), Some("k1"));
    assert_eq!(db.raw_text("first_name", plain.id).await.as_deref(), Some("Plainfellow"));

    if let Raw::Sqlite(path) = &db.raw {
        // The database file itself (and its write-ahead log): no plaintext.
        s.close().await;
        let mut bytes = Vec::new();
        for suffix in ["", "-wal", "-journal"] {
            let p = PathBuf::from(format!("{}{suffix}", path.display()));
            if let Ok(b) = std::fs::read(&p) {
                bytes.extend(b);
            }
        }
        let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(has("Plainfellow"), "the scan finds what is stored in plain text");
        assert!(has("secret@example.com"), "email stays plain (it is the login key)");
        for secret in ["Zebediah", "Quimbyworth", "2011-07-13", e.secret_base32.as_str()] {
            assert!(!has(secret), "the file holds {secret}");
        }
    }
});

on_both!(tampered_moved_and_wrong_key_fail_typed, |db: Db| async move {
    let s = db.keyed(k("k1", 1));
    let a = person(&s, "a@example.com", "pw", UserStatus::Active).await;
    let b = person(&s, "b@example.com", "pw", UserStatus::Active).await;
    // b's sealed columns as written, to put back between the cases below
    // (no command rewrites a whole row).
    let mut sealed_b = Vec::new();
    for column in [
        "first_name",
        "last_name",
        "date_of_birth",
        "two_factor_secret",
        "pii_kek_id",
        "pii_data_key",
    ] {
        sealed_b.push((column, db.raw_text(column, b.id).await));
    }
    let restore_b = || async {
        for (column, value) in &sealed_b {
            db.raw_set(column, b.id, value.as_deref()).await;
        }
    };
    let get = |id| {
        let s = s.clone();
        async move { s.users().get(&admin(), id).await }
    };
    // Wrong key material under the same id; an unknown key id; no keys.
    let e = crypto(db.keyed(k("k1", 2)).users().get(&admin(), a.id).await.unwrap_err());
    assert_eq!(e, CryptoError::UnwrapFailed { row: a.id.to_string(), key_id: "k1".into() });
    let e = crypto(db.keyed(k("k2", 1)).users().get(&admin(), a.id).await.unwrap_err());
    assert_eq!(e, CryptoError::UnknownKey { key_id: "k1".into() });
    let e = db.store.users().get(&admin(), a.id).await.unwrap_err();
    assert_eq!(e.code(), "CRYPTO");
    assert_eq!(crypto(e).code(), "NO_KEY_PROVIDER");
    // Lists fail the same way rather than skipping rows.
    let e = db
        .keyed(k("k1", 2))
        .users()
        .list_by_role_status(&admin(), UserRole::User, UserStatus::Active, 10, 0)
        .await;
    assert_eq!(e.unwrap_err().code(), "CRYPTO");

    // One column moved from a to b.
    db.raw_exec(
        "UPDATE users SET first_name = (SELECT first_name FROM users WHERE id = $1) WHERE id = $2",
        a.id,
        b.id,
    )
    .await;
    let e = crypto(get(b.id).await.unwrap_err());
    assert_eq!(e, CryptoError::DecryptFailed { row: b.id.to_string(), column: "first_name" });
    // The whole of a's PII and data key copied onto b.
    db.raw_exec(
        "UPDATE users SET (first_name, last_name, date_of_birth, two_factor_secret, pii_kek_id, pii_data_key) = \
         (SELECT first_name, last_name, date_of_birth, two_factor_secret, pii_kek_id, pii_data_key FROM users WHERE id = $1) \
         WHERE id = $2",
        a.id,
        b.id,
    )
    .await;
    assert!(matches!(crypto(get(b.id).await.unwrap_err()), CryptoError::UnwrapFailed { .. }));
    // Putting b's own sealed columns back repairs it.
    restore_b().await;
    assert_eq!(get(b.id).await.unwrap().first_name.as_deref(), Some("Zebediah"));

    // One character of the ciphertext changed.
    let v = db.raw_text("last_name", b.id).await.unwrap();
    let mut t = v.into_bytes();
    let i = t.len() - 3;
    t[i] = if t[i] == b'A' { b'B' } else { b'A' };
    db.raw_set("last_name", b.id, Some(std::str::from_utf8(&t).unwrap())).await;
    let e = crypto(get(b.id).await.unwrap_err());
    assert_eq!(e, CryptoError::DecryptFailed { row: b.id.to_string(), column: "last_name" });
    // A plain-text value slipped into an encrypted row.
    restore_b().await;
    db.raw_set("date_of_birth", b.id, Some("2011-07-13")).await;
    assert!(matches!(
        crypto(get(b.id).await.unwrap_err()),
        CryptoError::Malformed { column: "date_of_birth", .. }
    ));
    // A wrapped key that is not base64.
    restore_b().await;
    db.raw_set("pii_data_key", b.id, Some("%%%")).await;
    assert!(matches!(
        crypto(get(b.id).await.unwrap_err()),
        CryptoError::Malformed { column: "pii_data_key", .. }
    ));
    // a was never touched.
    assert_eq!(get(a.id).await.unwrap().last_name.as_deref(), Some("Quimbyworth"));
});

on_both!(rotation_round_trip, |db: Db| async move {
    // Plain-text rows (written before any ciphertext) take no part in rotation.
    given(&db.store, user(UserRole::User, "plain@example.com")).await;
    let s1 = db.keyed(k("k1", 1));
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(person(&s1, &format!("r{i}@example.com"), "pw", UserStatus::Active).await.id);
    }
    let both = k("k1", 1).with_key("k2", [2; 32]).unwrap().with_current("k2").unwrap();
    let s12 = db.keyed(both.clone());
    // New rows go under k2 at once; old rows still read under k1.
    ids.push(person(&s12, "new@example.com", "pw", UserStatus::Active).await.id);
    assert_eq!(
        s12.pii_key_usage(&admin()).await.unwrap(),
        vec![("k1".into(), 7), ("k2".into(), 1)]
    );
    let before_cipher = db.raw_text("first_name", ids[0]).await.unwrap();
    let before_key = db.raw_text("pii_data_key", ids[0]).await.unwrap();

    // Rotate in batches of 3 while a reader keeps reading every user.
    let reader = {
        let s = s12.clone();
        let ids = ids.clone();
        tokio::spawn(async move {
            let mut reads = 0;
            for _ in 0..10 {
                for id in &ids {
                    assert_eq!(
                        s.users().get(&admin(), *id).await.unwrap().first_name.as_deref(),
                        Some("Zebediah")
                    );
                    reads += 1;
                }
            }
            reads
        })
    };
    let report = s12.rotate_pii_keys(&admin(), 3).await.unwrap();
    assert_eq!(reader.await.unwrap(), 80);
    assert_eq!(
        (report.rewrapped, report.changed_concurrently, report.batches),
        (7, 0, 3),
        "{report:?}"
    );
    assert!(report.failed.is_empty());
    assert_eq!(report.current_key_id, "k2");
    assert_eq!(s12.pii_key_usage(&admin()).await.unwrap(), vec![("k2".into(), 8)]);
    // Only the data key moved: column ciphertexts are untouched.
    assert_eq!(db.raw_text("first_name", ids[0]).await.unwrap(), before_cipher);
    assert_ne!(db.raw_text("pii_data_key", ids[0]).await.unwrap(), before_key);
    assert_eq!(db.raw_text("pii_kek_id", ids[0]).await.as_deref(), Some("k2"));
    // Nothing left to do.
    assert_eq!(s12.rotate_pii_keys(&admin(), 3).await.unwrap().rewrapped, 0);

    // k1 can go: every row reads under k2 alone, and not under k1 alone.
    let s2 = db.keyed(both.without_key("k1").unwrap());
    for id in &ids {
        assert_eq!(
            s2.users().get(&admin(), *id).await.unwrap().last_name.as_deref(),
            Some("Quimbyworth")
        );
    }
    let e = crypto(s1.users().get(&admin(), ids[0]).await.unwrap_err());
    assert_eq!(e, CryptoError::UnknownKey { key_id: "k2".into() });

    // A row whose key is gone is reported, and the others still move.
    let s3 = db.keyed(k("k2", 2).with_key("k3", [3; 32]).unwrap().with_current("k3").unwrap());
    db.raw_set("pii_kek_id", ids[3], Some("k9")).await;
    let report = s3.rotate_pii_keys(&admin(), 100).await.unwrap();
    assert_eq!(report.rewrapped, 7);
    assert_eq!(report.failed, vec![(ids[3], CryptoError::UnknownKey { key_id: "k9".into() })]);

    // Errors: no key provider, a bad batch size.
    let e = db.store.rotate_pii_keys(&admin(), 10).await.unwrap_err();
    assert_eq!(crypto(e).code(), "NO_KEY_PROVIDER");
    assert_eq!(s3.rotate_pii_keys(&admin(), 0).await.unwrap_err().code(), "INVALID_INPUT");
    assert_eq!(s3.rotate_pii_keys(&admin(), 10_001).await.unwrap_err().code(), "INVALID_INPUT");
});

on_both!(plaintext_rows_read_then_reseal, |db: Db| async move {
    // Written before any key provider.
    let mut ids = Vec::new();
    for i in 0..3 {
        let mut u = user(UserRole::User, &format!("old{i}@example.com"));
        u.first_name = Some(format!("Oldname{i}"));
        u.two_factor_secret =
            if i == 0 { Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into()) } else { None };
        given(&db.store, &u).await;
        ids.push(u.id);
    }
    let mut bare = user(UserRole::User, "bare@example.com");
    bare.first_name = None;
    bare.last_name = None;
    bare.date_of_birth = None;
    given(&db.store, &bare).await;
    ids.push(bare.id);
    assert_eq!(db.raw_text("first_name", ids[0]).await.as_deref(), Some("Oldname0"));

    let keyed = db.keyed(k("k1", 1));
    let strict = db.store.clone().with_pii_cipher(Arc::new(
        EnvelopeCipher::new(Arc::new(k("k1", 1))).refuse_plaintext_rows(),
    ));
    // Read as plain text by default; refused by a strict cipher.
    assert_eq!(
        keyed.users().get(&admin(), ids[0]).await.unwrap().first_name.as_deref(),
        Some("Oldname0")
    );
    let e = crypto(strict.users().get(&admin(), ids[0]).await.unwrap_err());
    assert!(matches!(e, CryptoError::Malformed { column: "pii_data_key", .. }), "{e:?}");
    // No provider: nothing to reseal with.
    assert_eq!(
        crypto(db.store.reseal_plaintext_users(&admin(), 10).await.unwrap_err()).code(),
        "NO_KEY_PROVIDER"
    );

    let report = keyed.reseal_plaintext_users(&admin(), 3).await.unwrap();
    assert_eq!((report.rewrapped, report.batches), (4, 2), "{report:?}");
    assert!(db.raw_text("first_name", ids[0]).await.unwrap().starts_with("v1:"));
    assert!(db.raw_text("two_factor_secret", ids[0]).await.unwrap().starts_with("v1:"));
    assert_eq!(db.raw_text("first_name", bare.id).await, None, "NULL stays NULL");
    for (i, id) in ids.iter().take(3).enumerate() {
        let u = strict.users().get(&admin(), *id).await.unwrap();
        assert_eq!(u.first_name, Some(format!("Oldname{i}")));
        assert_eq!(u.date_of_birth, NaiveDate::from_ymd_opt(2012, 2, 29));
    }
    assert_eq!(
        strict.users().get(&admin(), ids[0]).await.unwrap().two_factor_secret.as_deref(),
        Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    );
    assert_eq!(keyed.reseal_plaintext_users(&admin(), 3).await.unwrap().rewrapped, 0);
    assert_eq!(keyed.pii_key_usage(&admin()).await.unwrap(), vec![("k1".into(), 4)]);
});

on_both!(minor_trades_read_encrypted_birth_dates_and_names, |db: Db| async move {
    let s = db.keyed(k("k1", 1));
    let (g, m, p) = family(&s, "enc").await;
    assert!(db.raw_text("date_of_birth", m.id).await.unwrap().starts_with("v1:"));
    let order = OrderRequest {
        trade: NewTrade::market(Uuid::now_v7(), p.id, "VTI", TradeSide::Buy, dec("2")),
        asset_type: AssetType::Stock,
        market_price: Some(dec("45.10")),
    };
    let placed = s.place_trade(&Actor::from(&m), order, at(10)).await.unwrap();
    assert_eq!(placed.trade.guardian_approval, GuardianApproval::Pending);
    let queue = s.trades().approval_queue(&Actor::from(&g), g.id).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(
        (queue[0].first_name.as_deref(), queue[0].last_name.as_deref()),
        (Some("Ada"), Some("Example"))
    );
    // Without the keys, the queue fails rather than showing ciphertext.
    assert_eq!(
        db.store.trades().approval_queue(&Actor::from(&g), g.id).await.unwrap_err().code(),
        "CRYPTO"
    );
});

/// Migration 0009 keeps the values of rows written before it.
async fn migration_keeps_values(url: &str, backend_sqlite: bool) {
    let store = Store::open_with(url, StoreOptions { migrate: false, ..options() }).await.unwrap();
    store.migrate_to(8).await.unwrap();
    let id = Uuid::new_v4();
    let long = "N".repeat(100);
    let insert = if backend_sqlite {
        "INSERT INTO users (id, email, password_hash, first_name, last_name, date_of_birth, \
         created_at, updated_at, two_factor_secret) VALUES ($1, 'old@example.com', 'x', $2, 'Timer', \
         '2011-07-13', 0, 0, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')"
    } else {
        "INSERT INTO users (id, email, password_hash, first_name, last_name, date_of_birth, \
         created_at, updated_at, two_factor_secret) VALUES ($1, 'old@example.com', 'x', $2, 'Timer', \
         DATE '2011-07-13', now(), now(), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')"
    };
    if backend_sqlite {
        let path = url.trim_start_matches("sqlite://");
        let mut c =
            sqlx::sqlite::SqliteConnectOptions::new().filename(path).connect().await.unwrap();
        sqlx::query(insert).bind(id).bind(&long).execute(&mut c).await.unwrap();
    } else {
        let mut c: sqlx::PgConnection =
            url.parse::<sqlx::postgres::PgConnectOptions>().unwrap().connect().await.unwrap();
        sqlx::query(insert).bind(id).bind(&long).execute(&mut c).await.unwrap();
    }
    store.migrate().await.unwrap();
    let u = store.users().get(&admin(), id).await.unwrap();
    assert_eq!(u.first_name.as_deref(), Some(long.as_str()));
    assert_eq!(u.last_name.as_deref(), Some("Timer"));
    assert_eq!(u.date_of_birth, NaiveDate::from_ymd_opt(2011, 7, 13));
    assert_eq!(u.two_factor_secret.as_deref(), Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
    // Encrypt it, and a 100-character name's ciphertext fits.
    let keyed = store.clone().with_key_provider(Arc::new(k("k1", 1)));
    assert_eq!(keyed.reseal_plaintext_users(&admin(), 10).await.unwrap().rewrapped, 1);
    assert_eq!(
        keyed.users().get(&admin(), id).await.unwrap().first_name.as_deref(),
        Some(long.as_str())
    );
    let me = Actor::from(&u);
    let mut wide = profile_of(&u);
    wide.first_name = Some("é".repeat(100));
    keyed.update_profile(&me, id, wide.clone(), t0()).await.unwrap();
    assert_eq!(keyed.users().get(&admin(), id).await.unwrap().first_name, wide.first_name);
    // 101 characters are still refused, on the plain value.
    wide.first_name = Some("x".repeat(101));
    let e = keyed.update_profile(&me, id, wide, t0()).await.unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_0009_keeps_existing_values_sqlite() {
    let dir = std::env::temp_dir().join(format!("elson-sec-mig-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    migration_keeps_values(&format!("sqlite://{}", dir.join("elson.db").display()), true).await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_0009_keeps_existing_values_postgres() {
    let Some(url) = pg_fresh_url().await else { return };
    migration_keeps_values(&url, false).await;
}
