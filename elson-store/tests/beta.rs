//! Beta safeguards on both backends: the environment stamp, rows of another
//! environment refused and invisible, sanitized deterministic demo data;
//! on SQLite online snapshots (consistent under concurrent writes) and
//! restores (round trip, refusals, typed errors for bad files); on
//! PostgreSQL the typed pointer to `pg_dump`, and the `pg_dump`/`pg_restore`
//! round trip itself (a dump taken during writes, then a quiet one compared
//! table by table).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use common::*;
use elson_store::demo::{self, DemoSizes, DemoSummary};
use elson_store::elson_core::ElsonError;
use elson_store::elson_core::entities::NewTrade;
use elson_store::elson_core::enums::*;
use elson_store::{Actor, Fill, OrderRequest, Store, StoreError, StoreOptions};
use rust_decimal::Decimal;
use sqlx::ConnectOptions;
use uuid::Uuid;

/// A temporary directory, removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new() -> Dir {
        let d = std::env::temp_dir().join(format!("elson-beta-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// Runs the body with the URL of a fresh database on SQLite (a file) and on
/// PostgreSQL, so a test can reopen it.
macro_rules! both_urls {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = Dir::new();
                let url = format!("sqlite://{}", dir.file("elson.db").display());
                ($body)(url).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(url) = pg_fresh_url().await else { return };
                ($body)(url).await;
            }
        }
    };
}

async fn open(url: &str, environment: Option<Environment>) -> Result<Store, StoreError> {
    let options = StoreOptions {
        environment,
        max_connections: 4,
        sqlite_synchronous_full: false,
        ..StoreOptions::default()
    };
    Store::open_with(url, options).await
}

/// Runs raw SQL outside the store (what an operator's shell could do).
async fn raw(url: &str, sql: &str) -> Result<u64, String> {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    if let Some(path) = url.strip_prefix("sqlite://") {
        let mut c =
            sqlx::sqlite::SqliteConnectOptions::new().filename(path).connect().await.unwrap();
        sqlx::query(sql).execute(&mut c).await.map(|r| r.rows_affected()).map_err(|e| e.to_string())
    } else {
        let mut c =
            sqlx::postgres::PgConnectOptions::from_str(url).unwrap().connect().await.unwrap();
        sqlx::query(sql).execute(&mut c).await.map(|r| r.rows_affected()).map_err(|e| e.to_string())
    }
}

async fn raw_count(url: &str, table: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}"));
    if let Some(path) = url.strip_prefix("sqlite://") {
        let mut c =
            sqlx::sqlite::SqliteConnectOptions::new().filename(path).connect().await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
    } else {
        let mut c =
            sqlx::postgres::PgConnectOptions::from_str(url).unwrap().connect().await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
    }
}

fn field_of(e: &StoreError) -> String {
    match e.as_domain() {
        Some(ElsonError::InvalidInput { field, .. }) => field.clone(),
        _ => panic!("expected InvalidInput, got {e:?}"),
    }
}

both_urls!(the_first_scoped_open_stamps_and_others_are_refused, |url: String| async move {
    // Unscoped on an unstamped database: no stamp is written.
    let s = open(&url, None).await.unwrap();
    assert_eq!(s.environment(), None);
    s.close().await;
    assert_eq!(raw_count(&url, "store_environment").await, 0);

    let s = open(&url, Some(Environment::Beta)).await.unwrap();
    assert_eq!(s.environment(), Some(Environment::Beta));
    s.close().await;
    assert_eq!(raw_count(&url, "store_environment").await, 1);

    let e = open(&url, Some(Environment::Production)).await.unwrap_err();
    assert_eq!(
        e,
        StoreError::EnvironmentMismatch {
            what: "database",
            found: Some(Environment::Beta),
            expected: Some(Environment::Production),
        }
    );
    assert_eq!(e.code(), "ENVIRONMENT_MISMATCH");
    let msg = e.to_string();
    assert!(msg.contains("BETA") && msg.contains("PRODUCTION"), "{msg}");

    // The same environment reopens; an unscoped open takes the stamp.
    open(&url, Some(Environment::Beta)).await.unwrap().close().await;
    let s = open(&url, None).await.unwrap();
    assert_eq!(s.environment(), Some(Environment::Beta));
    s.close().await;

    // The stamp is write-once, also for raw SQL.
    assert!(raw(&url, "UPDATE store_environment SET environment = 'PRODUCTION'").await.is_err());
    assert!(raw(&url, "DELETE FROM store_environment").await.is_err());
    assert_eq!(
        open(&url, Some(Environment::Dev)).await.unwrap_err().code(),
        "ENVIRONMENT_MISMATCH"
    );
});

both_urls!(flags_of_other_environments_are_refused_and_invisible, |url: String| async move {
    let a = admin();
    // Written before the stamp, by an unscoped store.
    let s = open(&url, None).await.unwrap();
    let beta = flag("new-chart", Environment::Beta, true);
    let prod = flag("new-chart", Environment::Production, true);
    s.feature_flags().insert(&a, &beta).await.unwrap();
    s.feature_flags().insert(&a, &prod).await.unwrap();
    s.close().await;

    let s = open(&url, Some(Environment::Beta)).await.unwrap();
    let ff = s.feature_flags();
    // Insert of another environment's flag: refused, naming the field.
    let other = flag("other", Environment::Production, true);
    let e = ff.insert(&a, &other).await.unwrap_err();
    assert_eq!(field_of(&e), "environment");
    assert!(e.to_string().contains("PRODUCTION") && e.to_string().contains("BETA"), "{e}");
    assert_eq!(raw_count(&url, "feature_flags").await, 2, "nothing written");
    // Update moving our flag out: refused, unchanged.
    let mut moved = beta.clone();
    moved.environment = Environment::Staging;
    assert_eq!(field_of(&ff.update(&a, &moved).await.unwrap_err()), "environment");
    assert_eq!(ff.get(&a, beta.id).await.unwrap(), beta);
    // A foreign row from before the stamp: invisible, and cannot be moved in.
    assert_eq!(ff.get(&a, prod.id).await.unwrap_err().code(), "NOT_FOUND");
    assert!(ff.enabled_in(&a, Environment::Production).await.unwrap().is_empty());
    let mut adopt = prod.clone();
    adopt.environment = Environment::Beta;
    adopt.flag_name = "adopted".into();
    assert_eq!(field_of(&ff.update(&a, &adopt).await.unwrap_err()), "environment");
    // The seed's BETA query answers with the store's own rows only.
    assert_eq!(ff.beta_enabled(&a).await.unwrap(), vec![beta.clone()]);
    assert_eq!(ff.enabled_in(&a, Environment::Beta).await.unwrap(), vec![beta.clone()]);
    // The database refuses raw SQL too.
    let raw_insert = if url.starts_with("sqlite") {
        "INSERT INTO feature_flags (id, flag_name, enabled, environment, user_percentage, \
         user_whitelist, created_at, updated_at, created_by) VALUES (randomblob(16), 'raw', 0, \
         'PRODUCTION', 0, '[]', 0, 0, 'x')"
    } else {
        "INSERT INTO feature_flags (id, flag_name, enabled, environment, user_percentage, \
         user_whitelist, created_at, updated_at, created_by) VALUES (gen_random_uuid(), 'raw', \
         false, 'PRODUCTION', 0, '{}', now(), now(), 'x')"
    };
    let err = raw(&url, raw_insert).await.unwrap_err();
    assert!(err.contains("ck_feature_flags_environment"), "{err}");
    assert_eq!(raw_count(&url, "feature_flags").await, 2);
    // Beta testers are welcome in BETA.
    let mut tester = user(UserRole::User, "tester@example.com");
    tester.status = UserStatus::BetaTester;
    given(&s, &tester).await;
    s.close().await;
});

both_urls!(production_holds_no_beta_testers_and_no_beta_flags, |url: String| async move {
    let a = admin();
    let s = open(&url, Some(Environment::Production)).await.unwrap();
    let mut tester = user(UserRole::User, "tester@example.com");
    tester.status = UserStatus::BetaTester;
    let e = try_given(&s, &tester).await.unwrap_err();
    assert_eq!(field_of(&e), "status");
    assert!(e.to_string().contains("BETA_TESTER"), "{e}");
    assert_eq!(s.users().get(&a, tester.id).await.unwrap_err().code(), "NOT_FOUND");
    let u = user(UserRole::User, "regular@example.com");
    given(&s, &u).await;
    let e = s.set_status(&a, u.id, UserStatus::BetaTester, t0()).await.unwrap_err();
    assert_eq!(field_of(&e), "status");
    assert_eq!(s.users().get(&a, u.id).await.unwrap().status, UserStatus::Active);
    // A BETA flag has no place here; the BETA query finds nothing.
    let f = flag("new-chart", Environment::Beta, true);
    assert_eq!(field_of(&s.feature_flags().insert(&a, &f).await.unwrap_err()), "environment");
    assert!(s.feature_flags().beta_enabled(&a).await.unwrap().is_empty());
    let own = flag("new-chart", Environment::Production, true);
    s.feature_flags().insert(&a, &own).await.unwrap();
    assert_eq!(s.feature_flags().enabled_in(&a, Environment::Production).await.unwrap(), vec![own]);
    s.close().await;
});

/// Everything the typed API reads back about generated demo data, as text.
async fn demo_state(s: &Store, summary: &DemoSummary) -> String {
    let a = admin();
    let mut out = Vec::new();
    for id in &summary.user_ids {
        out.push(format!("{:?}", s.users().get(&a, *id).await.unwrap()));
        out.push(format!("{:?}", s.beta_feedback().by_user(&a, *id).await.unwrap()));
        out.push(format!("{:?}", s.notifications().list_for_user(&a, *id, 1000, 0).await.unwrap()));
    }
    for id in &summary.guardian_ids {
        out.push(format!("{:?}", s.relationships().list_for_guardian(&a, *id).await.unwrap()));
    }
    for id in &summary.portfolio_ids {
        out.push(format!("{:?}", s.portfolios().get(&a, *id).await.unwrap()));
        out.push(format!("{:?}", s.positions().list_for_portfolio(&a, *id).await.unwrap()));
        out.push(format!("{:?}", s.trades().history(&a, *id, 1000, 0).await.unwrap()));
    }
    for sym in &demo::SYMBOLS[..10] {
        out.push(format!("{:?}", s.volatility_regimes().recent(&a, sym).await.unwrap()));
    }
    for env in Environment::ALL {
        out.push(format!("{:?}", s.feature_flags().enabled_in(&a, *env).await.unwrap()));
    }
    out.join("\n")
}

fn longest_digit_run(s: &str) -> usize {
    s.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0)
}

both_urls!(demo_data_is_sanitized_and_deterministic, |url: String| async move {
    let a = admin();
    let sizes = DemoSizes::small();
    let s1 = open(&url, Some(Environment::Production)).await.unwrap();
    let sum1 = demo::generate(&s1, &a, 11, &sizes).await.unwrap();
    assert_eq!(sum1, demo::plan(11, &sizes).await.unwrap(), "plan = what generate wrote");
    // The same seed into another database of the same environment.
    let url2 = match url.strip_prefix("sqlite://") {
        Some(p) => format!("sqlite://{p}.second"),
        None => pg_fresh_url().await.unwrap(),
    };
    let s2 = open(&url2, Some(Environment::Production)).await.unwrap();
    let sum2 = demo::generate(&s2, &a, 11, &sizes).await.unwrap();
    assert_eq!(sum1, sum2);
    let state = demo_state(&s1, &sum1).await;
    assert_eq!(state, demo_state(&s2, &sum2).await, "same seed, same rows");
    assert!(state.len() > 10_000);
    // Sanitized: reserved domain, names from the fixed lists, no long digit
    // runs (phone, SSN or card numbers) anywhere in what can be read back.
    for id in &sum1.user_ids {
        let u = s1.users().get(&a, *id).await.unwrap();
        assert!(u.email.ends_with(&format!("@{}", demo::EMAIL_DOMAIN)), "{}", u.email);
        assert!(demo::FIRST_NAMES.contains(&u.first_name.as_deref().unwrap()), "{u:?}");
        assert!(demo::LAST_NAMES.contains(&u.last_name.as_deref().unwrap()), "{u:?}");
        assert_ne!(u.status, UserStatus::BetaTester, "no beta testers in production");
    }
    let digits = state
        .split(|c: char| c.is_whitespace() || c == ',' || c == '"' || c == '(')
        .filter(|w| !w.contains('-') && !w.contains('.') && !w.contains(':'))
        .map(longest_digit_run)
        .max()
        .unwrap();
    assert!(digits < 10, "a {digits}-digit number in the demo text");
    // Every flag is the store's own environment.
    let flags = s1.feature_flags().enabled_in(&a, Environment::Production).await.unwrap();
    assert!(flags.iter().all(|f| f.environment == Environment::Production));
    s1.close().await;
    s2.close().await;
    if let Some(p) = url2.strip_prefix("sqlite://") {
        std::fs::remove_file(p).ok();
    }
});

// ---------------------------------------------------------------- snapshots

both_urls!(postgres_points_to_pg_dump_and_others_may_not_snapshot, |url: String| async move {
    let a = admin();
    let store = open(&url, None).await.unwrap();
    let dir = Dir::new();
    let file = dir.file("s.db");
    let kid = Actor { id: Uuid::new_v4(), role: UserRole::Minor, status: UserStatus::Active };
    assert_eq!(store.snapshot(&kid, &file).await.unwrap_err().code(), "FORBIDDEN");
    assert_eq!(store.restore(&kid, &file).await.unwrap_err().code(), "FORBIDDEN");
    let asleep = Actor { status: UserStatus::Suspended, ..a };
    assert_eq!(store.snapshot(&asleep, &file).await.unwrap_err().code(), "FORBIDDEN");
    if store.backend() == elson_store::Backend::Postgres {
        for e in [
            store.snapshot(&a, &file).await.unwrap_err(),
            store.restore(&a, &file).await.unwrap_err(),
        ] {
            assert_eq!(e.code(), "UNSUPPORTED");
            assert!(e.to_string().contains("pg_dump"), "{e}");
        }
        assert!(!file.exists());
    } else {
        store.snapshot(&a, &file).await.unwrap();
        assert!(file.exists());
    }
});

async fn family_with_cash(s: &Store, tag: &str, cash: &str) -> (Actor, Uuid) {
    let u = user(UserRole::User, &format!("{tag}@example.com"));
    given(s, &u).await;
    let mut p = portfolio(u.id, "0.00");
    p.guardian_approval = false;
    given(s, &p).await;
    let me = Actor::from(&u);
    s.deposit(&me, p.id, dec(cash), at(0)).await.unwrap();
    (me, p.id)
}

async fn trade_once(s: &Store, _me: &Actor, pid: Uuid, i: u64) -> bool {
    // Pairs: buy, then sell the same quantity again, so cash lasts.
    let pair = (i / 2) as i64;
    let symbol = ["AAPL", "MSFT", "VTI"][(pair % 3) as usize];
    let side = if i.is_multiple_of(2) { TradeSide::Buy } else { TradeSide::Sell };
    let qty = Decimal::new(10_000 + (pair * 7919) % 2_000_000, 6);
    let price = Decimal::new(5_000 + (i as i64 * 104_729) % 20_000, 2);
    let order = OrderRequest {
        trade: NewTrade::market(Uuid::now_v7(), pid, symbol, side, qty),
        asset_type: AssetType::Stock,
        market_price: Some(price),
    };
    let fill = Fill::at(price, AssetType::Stock);
    match s.place_and_execute(&admin(), order, &fill, at(1 + i as i64)).await {
        Ok(_) => true,
        Err(e) if matches!(e.code(), "INSUFFICIENT_FUNDS" | "INSUFFICIENT_QUANTITY") => false,
        Err(e) => panic!("unexpected {e}"),
    }
}

/// The data model's portfolio invariants, and cash = deposit − Σ buys + Σ
/// sells over the trades the database holds: the snapshot is one
/// transaction's view. Returns the number of executed trades.
async fn assert_consistent(s: &Store, pid: Uuid, deposit: Decimal) -> usize {
    let a = admin();
    let pf = s.portfolios().get(&a, pid).await.unwrap();
    assert!(pf.cash_balance >= Decimal::ZERO);
    let positions = s.positions().list_for_portfolio(&a, pid).await.unwrap();
    let sum: Decimal = positions.iter().map(|p| p.current_value).sum();
    assert_eq!(pf.total_value, pf.cash_balance + sum, "total = positions + cash");
    let mut cash = deposit;
    let mut n = 0;
    let mut offset = 0;
    loop {
        let page = s.trades().history(&a, pid, 1000, offset).await.unwrap();
        if page.is_empty() {
            break;
        }
        offset += page.len() as i64;
        for t in page {
            assert_eq!(t.status, TradeStatus::Executed);
            n += 1;
            match t.side {
                TradeSide::Buy => cash -= t.total_amount.unwrap(),
                TradeSide::Sell => cash += t.total_amount.unwrap(),
            }
        }
    }
    assert_eq!(pf.cash_balance, cash, "cash = deposit − Σ buys + Σ sells");
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_snapshots_taken_during_writes_are_consistent() {
    let dir = Dir::new();
    let url = format!("sqlite://{}", dir.file("elson.db").display());
    let s = open(&url, Some(Environment::Beta)).await.unwrap();
    let (me, pid) = family_with_cash(&s, "busy", "5000.00").await;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let done = std::sync::Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..3u64 {
        let (s, stop, done) = (s.clone(), stop.clone(), done.clone());
        writers.push(tokio::spawn(async move {
            let mut i = w * 1_000_000;
            let mut ok = 0;
            while !stop.load(Ordering::Relaxed) {
                if trade_once(&s, &me, pid, i).await {
                    ok += 1;
                    done.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
            ok
        }));
    }
    // Each snapshot once the writers got further (however loaded the
    // machine), and more writes after the last one.
    let progressed = |seen: usize| {
        let done = done.clone();
        async move {
            while done.load(Ordering::Relaxed) < seen + 10 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            done.load(Ordering::Relaxed)
        }
    };
    let mut snaps = Vec::new();
    let mut seen = 0;
    for k in 0..4 {
        seen = progressed(seen).await;
        let file = dir.file(&format!("snap-{k}.db"));
        s.snapshot(&admin(), &file).await.unwrap();
        snaps.push(file);
    }
    progressed(done.load(Ordering::Relaxed)).await;
    stop.store(true, Ordering::Relaxed);
    let mut total = 0;
    for w in writers {
        total += w.await.unwrap();
    }
    let mut counts = Vec::new();
    for file in &snaps {
        let snap =
            open(&format!("sqlite://{}", file.display()), Some(Environment::Beta)).await.unwrap();
        counts.push(assert_consistent(&snap, pid, dec("5000.00")).await);
        snap.close().await;
    }
    eprintln!("{total} trades executed; snapshots saw {counts:?}");
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert!(counts[0] > 0 && *counts.last().unwrap() < total, "taken during the writes");
    assert_eq!(assert_consistent(&s, pid, dec("5000.00")).await, total);
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_restore_round_trip() {
    let a = admin();
    let dir = Dir::new();
    let url = format!("sqlite://{}", dir.file("elson.db").display());
    let s = open(&url, Some(Environment::Dev)).await.unwrap();
    let summary = demo::generate(&s, &a, 5, &DemoSizes::small()).await.unwrap();
    let (me, pid) = family_with_cash(&s, "trader", "2000.00").await;
    for i in 0..20 {
        trade_once(&s, &me, pid, i).await;
    }
    let before = demo_state(&s, &summary).await;
    let before_pf = s.portfolios().get(&a, pid).await.unwrap();
    let audit_before = raw_count(&url, "audit_log").await;
    let file = dir.file("snap.db");
    s.snapshot(&a, &file).await.unwrap();

    // Writes after the snapshot.
    let late = user(UserRole::User, "late@example.com");
    given(&s, &late).await;
    for i in 20..30 {
        trade_once(&s, &me, pid, i).await;
    }
    let f = flag("late-flag", Environment::Dev, true);
    s.feature_flags().insert(&a, &f).await.unwrap();
    let changed = s.users().get(&a, summary.user_ids[0]).await.unwrap();
    let mut profile = profile_of(&changed);
    profile.first_name = Some("Changed".into());
    s.update_profile(&Actor::from(&changed), changed.id, profile, t0()).await.unwrap();
    assert_ne!(demo_state(&s, &summary).await, before);

    // A clone shares the database (and the portfolio cache, filled here
    // with the later state): it sees the restore too.
    let clone = s.clone();
    assert_ne!(clone.portfolios().get(&a, pid).await.unwrap(), before_pf);
    // Every call is on record (issue 5, access): the rows written after the
    // snapshot must survive the restore too.
    let audit_pre_restore = raw_count(&url, "audit_log").await;
    assert!(audit_pre_restore > audit_before);
    s.restore(&a, &file).await.unwrap();
    assert_eq!(clone.users().get(&a, late.id).await.unwrap_err().code(), "NOT_FOUND");
    assert_eq!(clone.feature_flags().get(&a, f.id).await.unwrap_err().code(), "NOT_FOUND");
    assert_eq!(demo_state(&clone, &summary).await, before, "everything else equal");
    assert_eq!(clone.portfolios().get(&a, pid).await.unwrap(), before_pf);
    assert_consistent(&clone, pid, dec("2000.00")).await;
    // The audit log kept its history (nothing written before the restore is
    // lost; the reads since are recorded too) and recorded the restore.
    assert!(raw_count(&url, "audit_log").await > audit_pre_restore);
    assert_eq!(
        raw_count(&url, "audit_log WHERE action = 'restore' AND entity = 'database'").await,
        1
    );
    // The store keeps working, triggers included.
    given(&s, &late).await;
    let mut r = regime("ZZZ", at(0), VolatilityLevel::Low, 1);
    s.volatility_regimes().insert(&a, &r).await.unwrap();
    r = regime("ZZZ", at(60), VolatilityLevel::High, 1);
    assert_eq!(s.volatility_regimes().insert(&a, &r).await.unwrap_err().code(), "INVALID_INPUT");
    let foreign = flag("x", Environment::Beta, true);
    assert_eq!(field_of(&s.feature_flags().insert(&a, &foreign).await.unwrap_err()), "environment");
    // Restoring the same snapshot twice is fine; the file is left as it was.
    s.restore(&a, &file).await.unwrap();
    assert_eq!(s.users().get(&a, late.id).await.unwrap_err().code(), "NOT_FOUND");
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_in_memory_stores_have_no_snapshots() {
    let a = admin();
    let dir = Dir::new();
    let s = Store::open("sqlite::memory:").await.unwrap();
    let file = dir.file("mem.db");
    for e in [s.snapshot(&a, &file).await.unwrap_err(), {
        std::fs::write(&file, b"x").unwrap();
        s.restore(&a, &file).await.unwrap_err()
    }] {
        assert_eq!(e.code(), "UNSUPPORTED");
        assert!(e.to_string().contains("in-memory"), "{e}");
    }
}

/// A file-backed SQLite store in `dir`.
async fn file_store(dir: &Dir, name: &str, env: Option<Environment>) -> Store {
    open(&format!("sqlite://{}", dir.file(name).display()), env).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_snapshot_never_overwrites() {
    let a = admin();
    let dir = Dir::new();
    let s = file_store(&dir, "elson.db", None).await;
    for (name, content) in [("empty.db", &b""[..]), ("notes.txt", &b"keep me"[..])] {
        let file = dir.file(name);
        std::fs::write(&file, content).unwrap();
        let e = s.snapshot(&a, &file).await.unwrap_err();
        assert!(matches!(e.as_domain(), Some(ElsonError::Conflict { .. })), "{e:?}");
        assert_eq!(std::fs::read(&file).unwrap(), content, "untouched");
    }
    // Directory missing: a storage error, no file left behind.
    let nowhere = dir.file("no/such/dir/s.db");
    assert_eq!(s.snapshot(&a, &nowhere).await.unwrap_err().code(), "STORAGE");
    assert!(!nowhere.exists());
    assert_eq!(field_of(&s.snapshot(&a, "").await.unwrap_err()), "path");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_restore_refuses_foreign_environments() {
    let a = admin();
    let dir = Dir::new();
    let beta_url = format!("sqlite://{}", dir.file("beta.db").display());
    let beta = open(&beta_url, Some(Environment::Beta)).await.unwrap();
    given(&beta, user(UserRole::User, "b@example.com")).await;
    let beta_snap = dir.file("beta-snap.db");
    beta.snapshot(&a, &beta_snap).await.unwrap();
    let plain = file_store(&dir, "plain.db", None).await;
    let plain_snap = dir.file("plain-snap.db");
    plain.snapshot(&a, &plain_snap).await.unwrap();

    let prod_url = format!("sqlite://{}", dir.file("prod.db").display());
    let prod = open(&prod_url, Some(Environment::Production)).await.unwrap();
    let u = user(UserRole::User, "p@example.com");
    given(&prod, &u).await;
    assert_eq!(
        prod.restore(&a, &beta_snap).await.unwrap_err(),
        StoreError::EnvironmentMismatch {
            what: "snapshot",
            found: Some(Environment::Beta),
            expected: Some(Environment::Production),
        }
    );
    assert_eq!(
        prod.restore(&a, &plain_snap).await.unwrap_err(),
        StoreError::EnvironmentMismatch {
            what: "snapshot",
            found: None,
            expected: Some(Environment::Production),
        }
    );
    assert_eq!(prod.users().get(&a, u.id).await.unwrap(), u, "nothing changed");
    // And an unstamped database takes no stamped snapshot.
    assert_eq!(plain.restore(&a, &beta_snap).await.unwrap_err().code(), "ENVIRONMENT_MISMATCH");
}

fn snapshot_reason(e: &StoreError) -> String {
    match e {
        StoreError::Snapshot { reason, .. } => reason.clone(),
        other => panic!("expected Snapshot, got {other:?}"),
    }
}

async fn corrupt_copy(src: &Path, dst: &Path, edit: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = std::fs::read(src).unwrap();
    edit(&mut bytes);
    std::fs::write(dst, bytes).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_bad_snapshot_files_are_typed_errors() {
    let a = admin();
    let dir = Dir::new();
    let url = format!("sqlite://{}", dir.file("elson.db").display());
    let s = open(&url, Some(Environment::Staging)).await.unwrap();
    demo::generate(&s, &a, 3, &DemoSizes::small()).await.unwrap();
    let good = dir.file("good.db");
    s.snapshot(&a, &good).await.unwrap();
    let u = user(UserRole::User, "still-here@example.com");
    given(&s, &u).await;

    // Missing.
    let e = s.restore(&a, dir.file("missing.db")).await.unwrap_err();
    assert!(
        matches!(e.as_domain(), Some(ElsonError::NotFound { entity, .. }) if entity == "snapshot")
    );
    assert!(!dir.file("missing.db").exists(), "not created by the attempt");
    // Not a database at all.
    let junk = dir.file("junk.db");
    std::fs::write(&junk, vec![0x5Au8; 64 * 1024]).unwrap();
    snapshot_reason(&s.restore(&a, &junk).await.unwrap_err());
    // A damaged database: pages overwritten in the middle.
    let damaged = dir.file("damaged.db");
    corrupt_copy(&good, &damaged, |b| {
        let mid = b.len() / 2;
        for x in &mut b[mid..mid + 8192] {
            *x = 0xA5;
        }
    })
    .await;
    snapshot_reason(&s.restore(&a, &damaged).await.unwrap_err());
    // Truncated.
    let short = dir.file("short.db");
    corrupt_copy(&good, &short, |b| b.truncate(b.len() / 3)).await;
    snapshot_reason(&s.restore(&a, &short).await.unwrap_err());
    // A SQLite database that is not an Elson store.
    let other = dir.file("other.db");
    let mut c = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&other)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::query("CREATE TABLE t (x)").execute(&mut c).await.unwrap();
    drop(c);
    assert!(snapshot_reason(&s.restore(&a, &other).await.unwrap_err()).contains("Elson"));
    // A newer schema, and an older one.
    let newer = dir.file("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    raw(
        &format!("sqlite://{}", newer.display()),
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', 1, x'00', 0)",
    )
    .await
    .unwrap();
    assert!(snapshot_reason(&s.restore(&a, &newer).await.unwrap_err()).contains("newer"));
    let older = dir.file("older.db");
    std::fs::copy(&good, &older).unwrap();
    raw(
        &format!("sqlite://{}", older.display()),
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .await
    .unwrap();
    assert!(snapshot_reason(&s.restore(&a, &older).await.unwrap_err()).contains("older"));

    // Nothing changed by any of them, and the good one still restores.
    assert_eq!(s.users().get(&a, u.id).await.unwrap(), u);
    s.restore(&a, &good).await.unwrap();
    assert_eq!(s.users().get(&a, u.id).await.unwrap_err().code(), "NOT_FOUND");
    s.close().await;
}

// ------------------------------------------------- PostgreSQL: pg_dump round trip

/// The directory of `pg_dump` and `pg_restore`: next to `initdb`, as
/// `scripts/with-postgres` finds it (same major version as the server).
fn pg_bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    dirs.sort();
    let from_path = std::env::var_os("PATH").map(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("initdb"))
            .filter(|i| i.exists())
            .filter_map(|i| std::fs::canonicalize(i).ok()?.parent().map(Path::to_path_buf))
            .collect::<Vec<_>>()
    });
    dirs.extend(from_path.unwrap_or_default());
    dirs.into_iter().find(|d| {
        d.join("initdb").exists() && d.join("pg_dump").exists() && d.join("pg_restore").exists()
    })
}

fn run_tool(bin: &Path, args: &[&str]) {
    let out = std::process::Command::new(bin).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}",
        bin.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `pg_dump -Fc` of `from`, `pg_restore` into the fresh database `to`.
async fn dump_and_restore(bin: &Path, from: &str, to: &str, file: &Path) {
    let (bin, from, to, file) =
        (bin.to_path_buf(), from.to_string(), to.to_string(), file.display().to_string());
    tokio::task::spawn_blocking(move || {
        run_tool(&bin.join("pg_dump"), &["-Fc", "-f", &file, "--dbname", &from]);
        run_tool(
            &bin.join("pg_restore"),
            &["--exit-on-error", "--no-owner", "--dbname", &to, &file],
        );
    })
    .await
    .unwrap();
}

/// (table or view → (rows, md5 of every row's text in order)), and every
/// sequence's position: the whole content of a PostgreSQL database.
async fn pg_digest(url: &str) -> std::collections::BTreeMap<String, (i64, String)> {
    use sqlx::Row;
    let mut c = sqlx::postgres::PgConnectOptions::from_str(url).unwrap().connect().await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'm') ORDER BY 1",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut out = std::collections::BTreeMap::new();
    for t in tables {
        let sql = format!(
            "SELECT count(*) AS n, coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), '') \
             AS h FROM \"{t}\" x"
        );
        let r = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut c).await.unwrap();
        out.insert(t, (r.get::<i64, _>("n"), r.get::<String, _>("h")));
    }
    let seqs = sqlx::query(
        "SELECT sequencename::text AS s, coalesce(last_value, 0) AS v FROM pg_sequences \
         WHERE schemaname = current_schema()",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    for r in seqs {
        out.insert(
            format!("sequence {}", r.get::<String, _>("s")),
            (r.get::<i64, _>("v"), String::new()),
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_dump_and_restore_round_trip() {
    let Some(url) = pg_fresh_url().await else { return };
    let Some(bin) = pg_bin_dir() else {
        assert!(
            std::env::var_os("ELSON_REQUIRE_PG").is_none(),
            "ELSON_REQUIRE_PG is set but pg_dump/pg_restore next to initdb were not found"
        );
        eprintln!("notice: pg_dump not found, skipping the dump/restore round trip");
        return;
    };
    let a = admin();
    let dir = Dir::new();
    let s = open(&url, Some(Environment::Beta)).await.unwrap();
    let summary = demo::generate(&s, &a, 21, &DemoSizes::small()).await.unwrap();
    s.model_parameters().insert(&a, &model_parameter(at(0), None)).await.unwrap();
    s.backtest_results().insert(&a, &backtest()).await.unwrap();
    let (me, pid) = family_with_cash(&s, "dumped", "5000.00").await;

    // 1. A dump taken while trades execute is one consistent view.
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let done = std::sync::Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..3u64 {
        let (s, stop, done) = (s.clone(), stop.clone(), done.clone());
        writers.push(tokio::spawn(async move {
            let (mut i, mut ok) = (w * 1_000_000, 0);
            while !stop.load(Ordering::Relaxed) {
                if trade_once(&s, &me, pid, i).await {
                    ok += 1;
                    done.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
            ok
        }));
    }
    let progressed = |seen: usize| {
        let done = done.clone();
        async move {
            while done.load(Ordering::Relaxed) < seen + 10 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    };
    progressed(0).await;
    let during = pg_fresh_url().await.unwrap();
    dump_and_restore(&bin, &url, &during, &dir.file("during.dump")).await;
    progressed(done.load(Ordering::Relaxed)).await;
    stop.store(true, Ordering::Relaxed);
    let mut total = 0;
    for w in writers {
        total += w.await.unwrap();
    }
    let restored = open(&during, Some(Environment::Beta)).await.unwrap();
    let seen = assert_consistent(&restored, pid, dec("5000.00")).await;
    eprintln!("{total} trades executed; the dump taken meanwhile holds {seen}");
    assert!(seen > 0 && seen < total, "taken during the writes");
    restored.close().await;

    // 2. A dump of the quiet database restores to an identical one.
    // pg_restore refreshes materialized views, so bring portfolio_analytics
    // up to date first: a stale view would differ from its restored copy.
    s.refresh_portfolio_analytics(&a).await.unwrap();
    let copy = pg_fresh_url().await.unwrap();
    dump_and_restore(&bin, &url, &copy, &dir.file("quiet.dump")).await;
    let (want, got) = (pg_digest(&url).await, pg_digest(&copy).await);
    assert!(want.len() >= 14, "{:?}", want.keys());
    for t in ["users", "trades", "feature_flags", "audit_log", "store_environment"] {
        assert!(want.contains_key(t), "{t} missing from {:?}", want.keys());
    }
    assert_eq!(want, got, "every table's rows and every sequence");
    // The restored database is a working store of the same environment.
    let c = open(&copy, Some(Environment::Beta)).await.unwrap();
    assert_eq!(demo_state(&c, &summary).await, demo_state(&s, &summary).await);
    assert_eq!(
        c.portfolios().get(&a, pid).await.unwrap(),
        s.portfolios().get(&a, pid).await.unwrap()
    );
    assert_eq!(assert_consistent(&c, pid, dec("5000.00")).await, total);
    assert_eq!(
        c.feature_flags().beta_enabled(&a).await.unwrap(),
        s.feature_flags().beta_enabled(&a).await.unwrap()
    );
    let u = user(UserRole::User, "after-restore@example.com");
    given(&c, &u).await;
    assert_eq!(c.users().get(&a, u.id).await.unwrap(), u);
    c.close().await;
    assert_eq!(
        open(&copy, Some(Environment::Production)).await.unwrap_err().code(),
        "ENVIRONMENT_MISMATCH"
    );
    s.close().await;
}

/// Issue 15 item 9: a restore checks every rule of the core on the
/// incoming rows before it replaces anything. A snapshot edited to break a
/// book (a total that is not cash plus positions) or the families (every
/// user made ADMIN, so a link no longer joins a GUARDIAN and a MINOR) is
/// refused as a snapshot error, and the database is as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_restore_refuses_snapshots_that_break_the_core() {
    use sqlx::Connection;
    let a = admin();
    let dir = Dir::new();
    let url = format!("sqlite://{}", dir.file("elson.db").display());
    let s = open(&url, Some(Environment::Dev)).await.unwrap();
    let (_g, _m, p) = family(&s, "restore").await;
    let (me, pid) = family_with_cash(&s, "edited", "2000.00").await;
    // Buy, sell the same, buy: one position is held.
    for i in 0..5 {
        trade_once(&s, &me, pid, i).await;
    }
    let edits = [
        "UPDATE portfolios SET total_value = total_value + 100000000",
        "UPDATE users SET role = 'ADMIN'",
        "UPDATE positions SET quantity = quantity * 2, current_value = current_value * 2, \
         gain_loss = gain_loss * 2",
    ];
    let before = (
        s.portfolios().get(&a, p.id).await.unwrap(),
        s.portfolios().get(&a, pid).await.unwrap(),
        s.users()
            .list_by_role_status(&a, UserRole::Admin, UserStatus::Active, 10, 0)
            .await
            .unwrap(),
    );
    for (k, edit) in edits.iter().enumerate() {
        let file = dir.file(&format!("edited-{k}.db"));
        s.snapshot(&a, &file).await.unwrap();
        let mut raw =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display())).await.unwrap();
        let done = sqlx::query(*edit).execute(&mut raw).await.unwrap();
        assert!(done.rows_affected() > 0, "{edit}");
        raw.close().await.unwrap();
        let e = s.restore(&a, &file).await.unwrap_err();
        assert_eq!(e.code(), "SNAPSHOT", "{edit}: {e}");
        assert!(e.to_string().contains("breaks a rule of the core"), "{edit}: {e}");
        let now = (
            s.portfolios().get(&a, p.id).await.unwrap(),
            s.portfolios().get(&a, pid).await.unwrap(),
            s.users()
                .list_by_role_status(&a, UserRole::Admin, UserStatus::Active, 10, 0)
                .await
                .unwrap(),
        );
        assert_eq!(now, before, "{edit}: nothing replaced");
    }
    // The unedited snapshot still restores.
    let file = dir.file("clean.db");
    s.snapshot(&a, &file).await.unwrap();
    s.restore(&a, &file).await.unwrap();
    s.close().await;
}
