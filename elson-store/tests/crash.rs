//! Crash safety on SQLite: a child process (this test binary, re-invoked)
//! executes trades in a loop on a database file and reports each committed
//! trade; the parent kills it with SIGKILL at a random moment, 20 times.
//! After each kill the store reopens, every reported trade is there, no
//! partial trade exists, and cash and positions equal the replayed trades.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use elson_store::elson_core::entities::NewTrade;
use elson_store::elson_core::enums::*;
use elson_store::{Actor, Fill, OrderRequest, Store};
use rust_decimal::Decimal;
use uuid::Uuid;

const CHILD_DB: &str = "ELSON_CRASH_CHILD_DB";
const CHILD_PORTFOLIO: &str = "ELSON_CRASH_CHILD_PORTFOLIO";
const CHILD_USER: &str = "ELSON_CRASH_CHILD_USER";
const ROUNDS: usize = 20;

/// The child: runs only when the parent sets the environment; a no-op in
/// ordinary test runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child() {
    let Ok(url) = std::env::var(CHILD_DB) else { return };
    let pid: Uuid = std::env::var(CHILD_PORTFOLIO).unwrap().parse().unwrap();
    let uid: Uuid = std::env::var(CHILD_USER).unwrap().parse().unwrap();
    let _me = Actor { id: uid, role: UserRole::User, status: UserStatus::Active };
    let store = Store::open(&url).await.unwrap();
    let mut seed = u64::from(std::process::id()) | 1;
    let mut out = std::io::stdout();
    for i in 0u64.. {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let side = if seed % 3 == 0 { TradeSide::Sell } else { TradeSide::Buy };
        let symbol = ["AAPL", "MSFT"][(seed >> 8) as usize % 2];
        let qty = Decimal::new(1 + (seed >> 16) as i64 % 500_000, 6);
        let price = Decimal::new(1_000 + (seed >> 32) as i64 % 9_000, 2);
        let order = OrderRequest {
            trade: NewTrade::market(Uuid::now_v7(), pid, symbol, side, qty),
            asset_type: AssetType::Stock,
            market_price: Some(price),
        };
        let fill = Fill::at(price, AssetType::Stock);
        let now = at(i as i64);
        if let Ok(r) = store.place_and_execute(&admin(), order, &fill, now).await {
            // Reported only after the commit returned.
            writeln!(out, "COMMITTED {}", r.trade.id).unwrap();
            out.flush().unwrap();
        }
    }
}

fn verify(
    rt: &tokio::runtime::Runtime,
    url: &str,
    pid: Uuid,
    initial: Decimal,
    reported: &HashSet<Uuid>,
) -> usize {
    rt.block_on(async {
        let a = admin();
        let store = Store::open(url).await.unwrap();
        let mut cash = initial;
        let mut held: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut seen = HashSet::new();
        let mut offset = 0;
        loop {
            let page = store.trades().history(&a, pid, 1000, offset).await.unwrap();
            if page.is_empty() {
                break;
            }
            offset += page.len() as i64;
            for t in page {
                assert_eq!(t.status, TradeStatus::Executed, "partial trade {} left behind", t.id);
                assert!(t.executed_at.is_some() && t.total_amount.is_some() && t.fees.is_some());
                let q = held.entry(t.symbol.clone()).or_default();
                match t.side {
                    TradeSide::Buy => {
                        cash -= t.total_amount.unwrap();
                        *q += t.quantity;
                    }
                    TradeSide::Sell => {
                        cash += t.total_amount.unwrap();
                        *q -= t.quantity;
                    }
                }
                seen.insert(t.id);
            }
        }
        let missing: Vec<_> = reported.difference(&seen).collect();
        assert!(missing.is_empty(), "reported committed but missing after the crash: {missing:?}");
        let pf = store.portfolios().get(&a, pid).await.unwrap();
        assert_eq!(pf.cash_balance, cash, "cash = deposit − Σ buys + Σ sells");
        assert!(pf.cash_balance >= Decimal::ZERO);
        let positions = store.positions().list_for_portfolio(&a, pid).await.unwrap();
        let stored: BTreeMap<String, Decimal> =
            positions.iter().map(|x| (x.symbol.clone(), x.quantity)).collect();
        held.retain(|_, q| !q.is_zero());
        assert_eq!(stored, held);
        let sum: Decimal = positions.iter().map(|x| x.current_value).sum();
        assert_eq!(pf.total_value, pf.cash_balance + sum);
        store.close().await;
        seen.len()
    })
}

#[test]
fn sqlite_survives_sigkill_20_times() {
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = std::env::temp_dir().join(format!("elson-crash-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("elson.db").display());
    let initial = dec("100000.00");
    let (uid, pid) = rt.block_on(async {
        let store = Store::open(&url).await.unwrap();
        let u = user(UserRole::User, "crash@example.com");
        given(&store, &u).await;
        let mut p = portfolio(u.id, "0.00");
        p.guardian_approval = false;
        given(&store, &p).await;
        store.deposit(&Actor::from(&u), p.id, initial, at(0)).await.unwrap();
        store.close().await;
        (u.id, p.id)
    });

    let exe = std::env::current_exe().unwrap();
    let mut reported: HashSet<Uuid> = HashSet::new();
    let mut rng = Instant::now().elapsed().subsec_nanos() as u64 | 1;
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_DB, &url)
            .env(CHILD_PORTFOLIO, pid.to_string())
            .env(CHILD_USER, uid.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::<Uuid>::new()));
        let reader = {
            let lines = Arc::clone(&lines);
            let stdout = child.stdout.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if let Some(id) = line.strip_prefix("COMMITTED ") {
                        lines.lock().unwrap().push(id.trim().parse().unwrap());
                    }
                }
            })
        };
        // Let it commit a few trades, then kill it at a random moment.
        let deadline = Instant::now() + Duration::from_secs(20);
        while lines.lock().unwrap().len() < 3 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(Duration::from_millis(rng % 250));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        reader.join().unwrap();
        let got = lines.lock().unwrap().clone();
        assert!(!got.is_empty(), "round {round}: the child committed nothing");
        reported.extend(got);
        let total = verify(&rt, &url, pid, initial, &reported);
        eprintln!("round {round}: {} reported, {total} trades on disk", reported.len());
        assert!(total >= reported.len());
    }
    std::fs::remove_dir_all(&dir).ok();
}
