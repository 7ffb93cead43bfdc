//! Cost of the security layer.
//!
//! - Login at bcrypt cost 12 (the default): one `Store::login` per
//!   iteration (a user lookup plus one bcrypt verify, which dominates), and
//!   two concurrent logins per iteration (bcrypt runs on the blocking pool,
//!   so two cores verify two passwords at once).
//! - Reading a user (`users().get`) from an SQLite file with PII in plain
//!   text versus encrypted at rest (unwrap the row's data key, then
//!   AES-256-GCM-open four columns).
//!
//! Run: `cargo bench --bench security -- --warm-up-time 1 --measurement-time 3`
//!
//! Measured 2026-11-25 on the shared 2-vCPU VM with other builds running
//! (load average 5–7): login at cost 12 ≈ 314 ms, 3.2 logins/s one at a
//! time, 4.1 logins/s two at a time (would approach 2× on idle cores).
//! User read on an SQLite file, interleaved medians: plaintext 55.6 µs,
//! encrypted 63.5 µs, +7.9 µs (+14 %); the cipher alone opens a row (one
//! unwrap, four columns) in 4.3–6.6 µs and seals one in 8–14 µs.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use elson_sdk::core::entities::User;
use elson_sdk::core::enums::*;
use elson_sdk::store::security::{EnvelopeCipher, LocalKeyProvider, LoginOutcome};
use elson_sdk::store::{ImportBatch, PiiCipher, PiiField, Store, StoreOptions, system_actor};
use tokio::runtime::Runtime;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_615, 0).unwrap()
}

fn user(email: &str, hash: String) -> User {
    User {
        id: Uuid::new_v4(),
        email: email.to_string(),
        password_hash: hash,
        role: UserRole::User,
        first_name: Some("Zebediah".into()),
        last_name: Some("Quimbyworth".into()),
        date_of_birth: NaiveDate::from_ymd_opt(2011, 7, 13),
        created_at: now(),
        updated_at: now(),
        last_login: None,
        status: UserStatus::Active,
        two_factor_enabled: false,
        two_factor_secret: Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into()),
        risk_profile: RiskProfile::Moderate,
        education_progress: None,
        preferences: None,
        beta_feedback: None,
    }
}

fn open(rt: &Runtime, name: &str) -> Store {
    let dir = std::env::temp_dir().join(format!("elson-bench-sec-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join(name).display());
    let options = StoreOptions { sqlite_synchronous_full: false, ..StoreOptions::default() };
    rt.block_on(Store::open_with(&url, options)).unwrap()
}

fn login(c: &mut Criterion) {
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let store = open(&rt, "login.db");
    assert_eq!(StoreOptions::default().bcrypt_cost, 12);
    let hash = rt.block_on(store.hash_password("correct horse battery")).unwrap();
    assert!(hash.starts_with("$2b$12$"));
    let rows =
        ImportBatch { users: vec![user("bench@example.com", hash)], ..ImportBatch::default() };
    rt.block_on(store.import(&system_actor(), rows, now())).unwrap();

    let mut g = c.benchmark_group("login_bcrypt_cost_12");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1));
    g.bench_function("one_login", |b| {
        b.iter(|| {
            let out = rt.block_on(store.login("bench@example.com", "correct horse battery", now()));
            assert!(matches!(out, Ok(LoginOutcome::Authenticated(_))));
        })
    });
    g.throughput(Throughput::Elements(2));
    g.bench_function("two_concurrent_logins", |b| {
        b.iter(|| {
            let (x, y) = rt.block_on(async {
                let spawn = || {
                    let s = store.clone();
                    tokio::spawn(async move {
                        s.login("bench@example.com", "correct horse battery", now()).await
                    })
                };
                let (t1, t2) = (spawn(), spawn());
                (t1.await.unwrap(), t2.await.unwrap())
            });
            assert!(x.is_ok() && y.is_ok());
        })
    });
    g.finish();
}

fn user_read(c: &mut Criterion) {
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let plain = open(&rt, "read.db");
    let keys = LocalKeyProvider::new("k1", LocalKeyProvider::generate_key().unwrap()).unwrap();
    let sealed = plain.clone().with_key_provider(Arc::new(keys));
    let a = system_actor();
    let hash = format!("$2b$04${}", "x".repeat(53));
    let p = user("plain@example.com", hash.clone());
    let e = user("sealed@example.com", hash);
    let rows = |u: &User| ImportBatch { users: vec![u.clone()], ..ImportBatch::default() };
    rt.block_on(plain.import(&a, rows(&p), now())).unwrap();
    rt.block_on(sealed.import(&a, rows(&e), now())).unwrap();
    assert_eq!(rt.block_on(sealed.users().get(&a, e.id)).unwrap(), e);

    // Interleaved: plain and encrypted reads alternate, so load on a shared
    // machine hits both alike; medians of 20,000 reads each.
    let (mut tp, mut te) = (Vec::new(), Vec::new());
    for i in 0..40_000 {
        let t = std::time::Instant::now();
        if i % 2 == 0 {
            rt.block_on(plain.users().get(&a, p.id)).unwrap();
            tp.push(t.elapsed());
        } else {
            rt.block_on(sealed.users().get(&a, e.id)).unwrap();
            te.push(t.elapsed());
        }
    }
    tp.sort();
    te.sort();
    let (mp, me) = (tp[tp.len() / 2].as_secs_f64() * 1e6, te[te.len() / 2].as_secs_f64() * 1e6);
    println!(
        "interleaved medians: plaintext {mp:.1} µs, encrypted {me:.1} µs, overhead {:.1} µs ({:+.1} %)",
        me - mp,
        (me - mp) / mp * 100.0
    );

    let mut g = c.benchmark_group("user_read_sqlite");
    g.throughput(Throughput::Elements(1));
    g.bench_function("plaintext", |b| b.iter(|| rt.block_on(plain.users().get(&a, p.id)).unwrap()));
    g.bench_function("encrypted", |b| {
        b.iter(|| rt.block_on(sealed.users().get(&a, e.id)).unwrap())
    });
    g.finish();

    // The cipher alone: unwrap one data key, open four columns.
    let cipher = EnvelopeCipher::new(Arc::new(
        LocalKeyProvider::new("k1", LocalKeyProvider::generate_key().unwrap()).unwrap(),
    ));
    let fields = || {
        ["first_name", "last_name", "date_of_birth", "two_factor_secret"]
            .map(|column| PiiField { column, value: Some("Quimbyworth".to_string()) })
    };
    let mut stored = fields();
    let key = cipher.seal_row(e.id, &mut stored).unwrap().unwrap();
    let mut g = c.benchmark_group("pii_cipher");
    g.bench_function("open_row_4_columns", |b| {
        b.iter(|| {
            let mut f = stored.clone();
            cipher.open_row(e.id, Some(&key), &mut f).unwrap();
            f
        })
    });
    g.bench_function("seal_row_4_columns", |b| {
        b.iter(|| {
            let mut f = fields();
            cipher.seal_row(e.id, &mut f).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, login, user_read);
criterion_main!(benches);
