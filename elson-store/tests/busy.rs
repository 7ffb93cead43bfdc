//! SQLite writers take the write lock up front (`BEGIN IMMEDIATE`); when
//! another process holds it, the store retries with bounded backoff and then
//! reports a typed `Busy` error, having written nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use elson_store::elson_core::enums::UserRole;
use elson_store::{Actor, Store, StoreError, StoreOptions};
use sqlx::{ConnectOptions, Connection};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_busy_is_retried_then_reported() {
    let dir = std::env::temp_dir().join(format!("elson-busy-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("elson.db");
    let url = format!("sqlite://{}", path.display());
    let impatient = StoreOptions {
        busy_timeout: Duration::from_millis(1),
        write_attempts_max: 2,
        ..StoreOptions::default()
    };
    let store = Store::open_with(&url, impatient).await.unwrap();
    let u = user(UserRole::User, "busy@example.com");
    given(&store, &u).await;
    let mut p = portfolio(u.id, "0.00");
    p.guardian_approval = false;
    given(&store, &p).await;

    // Another connection (think: another process) holds the write lock.
    let mut other =
        sqlx::sqlite::SqliteConnectOptions::new().filename(&path).connect().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();
    let e = store.deposit(&Actor::from(&u), p.id, dec("10.00"), at(1)).await.unwrap_err();
    assert!(matches!(e, StoreError::Busy { attempts: 2, .. }), "{e:?}");
    assert_eq!(e.code(), "BUSY");

    // A patient store waits it out: the holder lets go after 100 ms.
    let patient = StoreOptions {
        busy_timeout: Duration::from_millis(1),
        write_attempts_max: 12,
        ..StoreOptions::default()
    };
    let store2 = Store::open_with(&url, patient).await.unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
        other.close().await.unwrap();
    });
    let pf = store2.deposit(&Actor::from(&u), p.id, dec("10.00"), at(2)).await.unwrap();
    assert_eq!(pf.cash_balance, dec("10.00"), "exactly one deposit landed");
    release.await.unwrap();
    store.close().await;
    store2.close().await;
    std::fs::remove_dir_all(&dir).ok();
}
