//! Concurrent writers on one portfolio never overdraw it: 16 tasks × N
//! random buys and sells through `place_and_execute`, on an SQLite file
//! (WAL, BEGIN IMMEDIATE) and on PostgreSQL (row lock on the portfolio).
//! Afterwards cash and positions equal the sum of the committed trades.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use common::*;
use elson_store::elson_core::entities::NewTrade;
use elson_store::elson_core::enums::*;
use elson_store::{Actor, Fill, OrderRequest, Store, StoreOptions};
use rust_decimal::Decimal;
use uuid::Uuid;

const TASKS: usize = 16;
/// Orders per task: 500 as the issue asks; `ELSON_CONCURRENCY_OPS` scales it
/// down (or up) when the machine is busy.
fn ops_per_task() -> usize {
    std::env::var("ELSON_CONCURRENCY_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(500)
}
const SYMBOLS: &[&str] = &["AAPL", "MSFT", "VTI"];

async fn hammer(store: Store) {
    let a = admin();
    let u = user(UserRole::User, "busy@example.com");
    given(&store, &u).await;
    let mut p = portfolio(u.id, "0.00");
    p.guardian_approval = false;
    given(&store, &p).await;
    let me = Actor::from(&u);
    let initial = dec("5000.00");
    store.deposit(&me, p.id, initial, at(0)).await.unwrap();
    let ops = ops_per_task();
    let started = std::time::Instant::now();

    let mut handles = Vec::new();
    for task in 0..TASKS {
        let store = store.clone();
        let pid = p.id;
        handles.push(tokio::spawn(async move {
            let mut seed = 0x5EED_u64 ^ (task as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut next = move || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            let (mut ok, mut refused) = (0usize, 0usize);
            for i in 0..ops {
                let symbol = SYMBOLS[(next() % SYMBOLS.len() as u64) as usize];
                let side = if next() % 2 == 0 { TradeSide::Buy } else { TradeSide::Sell };
                let qty = Decimal::new(1 + (next() % 3_000_000) as i64, 6); // up to 3 units
                let price = Decimal::new(5_000 + (next() % 20_000) as i64, 2); // 50–250
                let order = OrderRequest {
                    trade: NewTrade::market(Uuid::now_v7(), pid, symbol, side, qty),
                    asset_type: AssetType::Stock,
                    market_price: Some(price),
                };
                let fill = Fill::at(price, AssetType::Stock);
                match store.place_and_execute(&admin(), order, &fill, at(1 + i as i64)).await {
                    Ok(r) => {
                        assert!(r.portfolio.cash_balance >= Decimal::ZERO, "cash went negative");
                        ok += 1;
                    }
                    Err(e)
                        if matches!(e.code(), "INSUFFICIENT_FUNDS" | "INSUFFICIENT_QUANTITY") =>
                    {
                        refused += 1
                    }
                    Err(e) => panic!("task {task} op {i}: unexpected {e}"),
                }
            }
            (ok, refused)
        }));
    }
    let (mut ok, mut refused) = (0, 0);
    for h in handles {
        let (o, r) = h.await.unwrap();
        ok += o;
        refused += r;
    }
    let elapsed = started.elapsed();
    eprintln!(
        "{:?}: {TASKS}×{ops} orders, {ok} executed, {refused} refused in {elapsed:?} ({:.0} orders/s)",
        store.backend(),
        (TASKS * ops) as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(ok + refused, TASKS * ops);
    assert!(ok > TASKS * ops / 4, "most orders should execute ({ok})");
    assert!(refused > 0, "the test should exercise refusals too");

    // Replay the committed trades: cash and positions must match exactly.
    let mut cash = initial;
    let mut held: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut offset = 0;
    let mut executed = 0;
    loop {
        let page = store.trades().history(&a, p.id, 1000, offset).await.unwrap();
        if page.is_empty() {
            break;
        }
        offset += page.len() as i64;
        for t in page {
            assert_eq!(
                t.status,
                TradeStatus::Executed,
                "no partial (PENDING) trade is left behind"
            );
            executed += 1;
            let amount = t.total_amount.unwrap();
            let q = held.entry(t.symbol.clone()).or_default();
            match t.side {
                TradeSide::Buy => {
                    cash -= amount;
                    *q += t.quantity;
                }
                TradeSide::Sell => {
                    cash += amount;
                    *q -= t.quantity;
                }
            }
        }
    }
    assert_eq!(executed, ok);
    let pf = store.portfolios().get(&a, p.id).await.unwrap();
    assert_eq!(pf.cash_balance, cash, "cash = deposit − Σ buys + Σ sells");
    assert!(pf.cash_balance >= Decimal::ZERO);
    let positions = store.positions().list_for_portfolio(&a, p.id).await.unwrap();
    let stored: BTreeMap<String, Decimal> =
        positions.iter().map(|x| (x.symbol.clone(), x.quantity)).collect();
    held.retain(|_, q| !q.is_zero());
    assert_eq!(stored, held, "positions = Σ bought − Σ sold");
    let sum: Decimal = positions.iter().map(|x| x.current_value).sum();
    assert_eq!(pf.total_value, pf.cash_balance + sum);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_concurrent_writers_never_overdraw() {
    let dir = std::env::temp_dir().join(format!("elson-conc-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("elson.db").display());
    // synchronous=NORMAL: this test is about isolation, not power-loss durability.
    let options = StoreOptions { sqlite_synchronous_full: false, ..StoreOptions::default() };
    let store = Store::open_with(&url, options).await.unwrap();
    hammer(store.clone()).await;
    store.close().await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_writers_never_overdraw() {
    let Some(url) = pg_fresh_url().await else { return };
    // synchronous_commit=off: isolation is under test, not durability; the
    // row lock and the transaction boundaries are exactly the same.
    let url = format!("{url}?options=-c%20synchronous_commit%3Doff");
    let store =
        Store::open_with(&url, StoreOptions { max_connections: 16, ..StoreOptions::default() })
            .await
            .unwrap();
    hammer(store.clone()).await;
    store.close().await;
}

/// Reads park their PostgreSQL connection for the next call (instead of
/// sqlx's ping on release): on a pool of two, twelve tasks of readers (one
/// of them audited) and writers all finish, every deposit counts, and
/// closing the store leaves no connection behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_parked_connections_never_keep_callers_waiting() {
    use sqlx::{ConnectOptions, Row};
    use std::str::FromStr;
    let Some(url) = pg_fresh_url().await else { return };
    let store =
        Store::open_with(&url, StoreOptions { max_connections: 2, ..StoreOptions::default() })
            .await
            .unwrap();
    let (g, m, p) = family(&store, "parked").await;
    let (g, m) = (Actor::from(&g), Actor::from(&m));
    let before = store.portfolios().get(&m, p.id).await.unwrap().cash_balance;
    const ROUNDS: usize = 60;
    let mut handles = Vec::new();
    for task in 0..12 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..ROUNDS {
                match task % 3 {
                    0 => {
                        store.trades().approval_queue(&g, g.id).await.unwrap();
                    }
                    1 => {
                        store.trades().history(&m, p.id, 20, 0).await.unwrap();
                        store.portfolios().overview(&m, m.id).await.unwrap();
                    }
                    _ => {
                        store.deposit(&admin(), p.id, dec("1.00"), at(i as i64)).await.unwrap();
                    }
                }
            }
        }));
    }
    let all = async {
        for h in handles {
            h.await.unwrap();
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(120), all)
        .await
        .expect("no caller starves");
    let after = store.portfolios().get(&m, p.id).await.unwrap().cash_balance;
    assert_eq!(after - before, Decimal::from(4 * ROUNDS as i64));
    tokio::time::timeout(std::time::Duration::from_secs(30), store.close())
        .await
        .expect("close returns the parked connections");
    let mut raw =
        sqlx::postgres::PgConnectOptions::from_str(&url).unwrap().connect().await.unwrap();
    // A closed connection's server process may take a moment to exit.
    let mut left = -1;
    for _ in 0..50 {
        left = sqlx::query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        )
        .fetch_one(&mut raw)
        .await
        .unwrap()
        .get::<i64, _>("n");
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "connections left open after close");
}
