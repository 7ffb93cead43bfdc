//! PostgreSQL scale features (issue 5, part 5) on both backends: monthly
//! partitions and `ensure_partitions`, the hash-partitioned notifications,
//! the portfolio analytics view, and the portfolio read cache.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use common::*;
use elson_store::elson_core::entities::{NewTrade, Portfolio, PortfolioSettings, Trade};
use elson_store::elson_core::enums::*;
use elson_store::elson_core::families::Verdict;
use elson_store::{Actor, Backend, Fill, ImportBatch, OrderRequest, Store, StoreOptions};
use rust_decimal::Decimal;
use sqlx::{ConnectOptions, Connection, Row};
use uuid::Uuid;

fn fill(price: &str) -> Fill {
    Fill::at(dec(price), AssetType::Stock)
}

fn market(portfolio_id: Uuid, symbol: &str, qty: &str, price: &str) -> OrderRequest {
    OrderRequest {
        trade: NewTrade::market(Uuid::now_v7(), portfolio_id, symbol, TradeSide::Buy, dec(qty)),
        asset_type: AssetType::Stock,
        market_price: Some(dec(price)),
    }
}

/// A trade placed (PENDING) on `portfolio_id` at `when`, by the system.
async fn placed(store: &Store, portfolio_id: Uuid, symbol: &str, when: DateTime<Utc>) -> Trade {
    let order = market(portfolio_id, symbol, "1", "10.00");
    store.place_trade(&admin(), order, when).await.unwrap().trade
}

async fn solo(store: &Store, cash: &str) -> (Actor, Portfolio) {
    let u = user(UserRole::User, &format!("solo-{}@example.com", Uuid::new_v4().simple()));
    given(store, &u).await;
    let mut p = portfolio(u.id, "0.00");
    p.guardian_approval = false;
    given(store, &p).await;
    let p = store.deposit(&Actor::from(&u), p.id, dec(cash), at(1)).await.unwrap();
    (Actor::from(&u), p)
}

fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
}

/// A raw connection to the same PostgreSQL database as `url`.
async fn raw_pg(url: &str) -> sqlx::PgConnection {
    sqlx::postgres::PgConnectOptions::from_str(url).unwrap().connect().await.unwrap()
}

async fn partition_of(c: &mut sqlx::PgConnection, table: &str, id: Uuid) -> String {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT tableoid::regclass::text AS p FROM {table} WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(c)
    .await
    .unwrap()
    .get("p")
}

async fn explain_text(c: &mut sqlx::PgConnection, sql: &str) -> String {
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}"))).fetch_all(c).await.unwrap();
    rows.iter().map(|r| r.get::<String, _>(0)).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn sqlite_has_no_partitions_and_says_so() {
    let store = sqlite_store().await;
    let created = store.ensure_partitions(&admin(), utc(2031, 4, 20), 2).await.unwrap();
    assert!(created.is_empty());
    // A far-future trade is an ordinary row.
    let (_, p) = solo(&store, "100.00").await;
    let t = placed(&store, p.id, "AAPL", utc(2031, 5, 15)).await;
    assert_eq!(store.trades().get(&admin(), t.id).await.unwrap(), t);
}

#[tokio::test]
async fn postgres_future_rows_land_in_default_and_move_into_their_month() {
    let Some(url) = pg_fresh_url().await else { return };
    let store = Store::open(&url).await.unwrap();
    let a = admin();
    let mut raw = raw_pg(&url).await;
    let (_, p) = solo(&store, "100.00").await;

    // Inside the initial range: its month's partition.
    let now_trade = placed(&store, p.id, "AAPL", t0()).await;
    assert_eq!(partition_of(&mut raw, "trades", now_trade.id).await, "trades_2026_01");

    // Far in the future: the DEFAULT partition takes it, the insert succeeds.
    let future = placed(&store, p.id, "MSFT", utc(2031, 5, 15)).await;
    assert_eq!(partition_of(&mut raw, "trades", future.id).await, "trades_default");
    let reading = regime("SPY", utc(2031, 5, 16), VolatilityLevel::Low, 1);
    store.volatility_regimes().insert(&a, &reading).await.unwrap();
    assert_eq!(
        partition_of(&mut raw, "volatility_regimes", reading.id).await,
        "volatility_regimes_default"
    );

    let created = store.ensure_partitions(&a, utc(2031, 4, 20), 2).await.unwrap();
    let names: Vec<&str> = created.iter().map(|c| c.partition.as_str()).collect();
    assert_eq!(
        names,
        [
            "trades_2031_04",
            "volatility_regimes_2031_04",
            "trades_2031_05",
            "volatility_regimes_2031_05",
            "trades_2031_06",
            "volatility_regimes_2031_06"
        ]
    );
    let moved: Vec<u64> = created.iter().map(|c| c.rows_moved).collect();
    assert_eq!(moved, [0, 0, 1, 1, 0, 0]);
    assert_eq!(partition_of(&mut raw, "trades", future.id).await, "trades_2031_05");
    assert_eq!(
        partition_of(&mut raw, "volatility_regimes", reading.id).await,
        "volatility_regimes_2031_05"
    );
    // Idempotent.
    assert!(store.ensure_partitions(&a, utc(2031, 4, 1), 2).await.unwrap().is_empty());

    // Everything is still readable through the parent tables.
    assert_eq!(store.trades().get(&a, future.id).await.unwrap(), future);
    assert_eq!(store.trades().get(&a, now_trade.id).await.unwrap(), now_trade);
    let history = store.trades().history(&a, p.id, 10, 0).await.unwrap();
    assert_eq!(history.iter().map(|t| t.id).collect::<Vec<_>>(), [future.id, now_trade.id]);
    assert_eq!(store.volatility_regimes().get(&a, reading.id).await.unwrap(), reading);
    // New rows of the new month go straight to its partition, and the new
    // partition carries the parent's checks, indices and trigger.
    let order = market(p.id, "GOOG", "1", "10.00");
    let next = store.place_trade(&a, order.clone(), utc(2031, 6, 2)).await.unwrap().trade;
    assert_eq!(partition_of(&mut raw, "trades", next.id).await, "trades_2031_06");
    // The partition's own CHECK refuses an EXECUTED row without
    // `executed_at`, written behind the store's back.
    let bad = sqlx::query(
        "INSERT INTO trades (id, portfolio_id, symbol, order_type, side, quantity, status, \
         created_at, guardian_approval) \
         VALUES ($1, $2, 'GOOG', 'MARKET', 'BUY', 1, 'EXECUTED', $3, 'NOT_REQUIRED')",
    )
    .bind(Uuid::now_v7())
    .bind(p.id)
    .bind(utc(2031, 6, 3))
    .execute(&mut raw)
    .await
    .unwrap_err();
    assert!(bad.to_string().contains("check"), "{bad}");
    let jump = regime("SPY", utc(2031, 6, 1), VolatilityLevel::Extreme, 1);
    let e = store.volatility_regimes().insert(&a, &jump).await.unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT", "the stabilization trigger spans partitions: {e}");
    let indexed: i64 =
        sqlx::query("SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'trades_2031_06'")
            .fetch_one(&mut raw)
            .await
            .unwrap()
            .get("n");
    assert_eq!(indexed, 7, "primary key and the six indices of trades");
    // The same id at the same instant is still a conflict.
    let again = store.place_trade(&a, order, utc(2031, 6, 2)).await.unwrap_err();
    assert_eq!(again.code(), "CONFLICT");
}

#[tokio::test]
async fn postgres_queries_with_the_key_prune_partitions() {
    let Some(url) = pg_fresh_url().await else { return };
    let store = Store::open(&url).await.unwrap();
    let (_, p) = solo(&store, "10.00").await;
    let mut raw = raw_pg(&url).await;
    let plan = explain_text(
        &mut raw,
        "SELECT count(*) FROM trades WHERE created_at >= '2026-03-02' AND created_at < '2026-03-09'",
    )
    .await;
    assert!(plan.contains("trades_2026_03"), "{plan}");
    assert_eq!(plan.matches("on trades_").count(), 1, "one partition: {plan}");
    let plan = explain_text(
        &mut raw,
        &format!("SELECT * FROM notifications WHERE user_id = '{}'", p.user_id),
    )
    .await;
    assert_eq!(plan.matches(" on notifications_p").count(), 1, "one hash partition: {plan}");
    // Notifications written by the trading operations are found again.
    let n = notification(p.user_id);
    given(&store, &n).await;
    assert!(partition_of(&mut raw, "notifications", n.id).await.starts_with("notifications_p"));
    let listed = store.notifications().list_for_user(&admin(), p.user_id, 10, 0).await.unwrap();
    assert_eq!(listed, vec![n]);
    // Hash partitions spread users.
    let parts: i64 = sqlx::query(
        "SELECT count(*) AS n FROM pg_inherits WHERE inhparent = 'notifications'::regclass",
    )
    .fetch_one(&mut raw)
    .await
    .unwrap()
    .get("n");
    assert_eq!(parts, 8);
}

both_backends!(analytics_match_the_tables, |store: Store| async move {
    let a = admin();
    let (me, p) = solo(&store, "1000.00").await;
    store
        .place_and_execute(&admin(), market(p.id, "AAPL", "2", "100.00"), &fill("100.00"), at(10))
        .await
        .unwrap();
    store
        .place_and_execute(&admin(), market(p.id, "MSFT", "1", "50.00"), &fill("50.00"), at(20))
        .await
        .unwrap();
    store.place_trade(&me, market(p.id, "GOOG", "1", "10.00"), at(30)).await.unwrap();
    let pg = store.backend() == Backend::Postgres;
    if pg {
        // Created after the last refresh: not in the materialized view yet.
        assert_eq!(store.portfolios().analytics(&a, p.id).await.unwrap_err().code(), "NOT_FOUND");
    }
    store.refresh_portfolio_analytics(&a).await.unwrap();
    let expect = |store: Store| async move {
        let portfolio = store.portfolios().get(&a, p.id).await.unwrap();
        let positions = store.positions().list_for_portfolio(&a, p.id).await.unwrap();
        let trades = store.trades().history(&a, p.id, 100, 0).await.unwrap();
        let count = |s: TradeStatus| trades.iter().filter(|t| t.status == s).count() as i64;
        elson_store::PortfolioAnalytics {
            portfolio_id: p.id,
            user_id: p.user_id,
            cash_balance: portfolio.cash_balance,
            total_value: portfolio.total_value,
            position_count: positions.len() as i64,
            positions_value: positions.iter().map(|x| x.current_value).sum(),
            gain_loss: positions.iter().map(|x| x.gain_loss).sum::<Decimal>(),
            trades_pending: count(TradeStatus::Pending),
            trades_executed: count(TradeStatus::Executed),
            trades_cancelled: count(TradeStatus::Cancelled),
            trades_rejected: count(TradeStatus::Rejected),
            last_trade_at: trades.iter().map(|t| t.created_at).max(),
        }
    };
    let fresh = expect(store.clone()).await;
    assert_eq!((fresh.trades_executed, fresh.trades_pending, fresh.position_count), (2, 1, 2));
    assert_eq!(store.portfolios().analytics(&a, p.id).await.unwrap(), fresh);
    assert_eq!(
        store.portfolios().analytics_for_user(&a, p.user_id).await.unwrap(),
        vec![fresh.clone()]
    );

    // Another trade: stale on PostgreSQL until the next refresh, live on SQLite.
    let pending = store.trades().history(&a, p.id, 1, 0).await.unwrap()[0].id;
    store.cancel_trade(&me, pending, at(40)).await.unwrap();
    let now = expect(store.clone()).await;
    assert_eq!((now.trades_pending, now.trades_cancelled), (0, 1));
    let seen = store.portfolios().analytics(&a, p.id).await.unwrap();
    assert_eq!(seen, if pg { fresh } else { now.clone() });
    store.refresh_portfolio_analytics(&a).await.unwrap();
    assert_eq!(store.portfolios().analytics(&a, p.id).await.unwrap(), now);
    assert_eq!(
        store.portfolios().analytics(&a, Uuid::new_v4()).await.unwrap_err().code(),
        "NOT_FOUND"
    );
});

#[tokio::test]
async fn postgres_refresh_does_not_wait_for_readers() {
    let Some(url) = pg_fresh_url().await else { return };
    let store = Store::open(&url).await.unwrap();
    let (_me, p) = solo(&store, "500.00").await;
    store.refresh_portfolio_analytics(&admin()).await.unwrap();
    // A reader holds a transaction open on the view.
    let mut reader = raw_pg(&url).await;
    let mut tx = reader.begin().await.unwrap();
    let n: i64 = sqlx::query("SELECT count(*) AS n FROM portfolio_analytics")
        .fetch_one(&mut *tx)
        .await
        .unwrap()
        .get("n");
    assert_eq!(n, 1);
    store
        .place_and_execute(&admin(), market(p.id, "AAPL", "1", "10.00"), &fill("10.00"), at(5))
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), store.refresh_portfolio_analytics(&admin()))
        .await
        .expect("the refresh waited for a reader")
        .unwrap();
    // The reader is not blocked either, and sees the refreshed contents.
    let executed: i64 =
        sqlx::query("SELECT trades_executed FROM portfolio_analytics WHERE portfolio_id = $1")
            .bind(p.id)
            .fetch_one(&mut *tx)
            .await
            .unwrap()
            .get(0);
    assert_eq!(executed, 1);
    tx.commit().await.unwrap();
}

/// Two stores on one database: `cached` with the given TTL, `other` without a
/// cache (another process, as far as `cached` can tell).
async fn two_stores(backend: Backend, ttl: Duration) -> Option<(Store, Store)> {
    let url = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("elson-cache-{}", Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}", dir.join("elson.db").display())
        }
        Backend::Postgres => pg_fresh_url().await?,
    };
    let opts = |ttl| StoreOptions {
        portfolio_cache_ttl: ttl,
        max_connections: 4,
        ..StoreOptions::default()
    };
    let cached = Store::open_with(&url, opts(ttl)).await.unwrap();
    let other = Store::open_with(&url, opts(Duration::ZERO)).await.unwrap();
    Some((cached, other))
}

async fn cache_case(backend: Backend) {
    let Some((store, other)) = two_stores(backend, Duration::from_secs(60)).await else { return };
    let a = admin();
    let (me, p) = solo(&store, "100.00").await;
    let s0 = store.portfolio_cache_stats();
    let first = store.portfolios().get(&a, p.id).await.unwrap();
    assert_eq!(first, p);
    let s1 = store.portfolio_cache_stats();
    assert_eq!((s1.misses - s0.misses, s1.hits - s0.hits), (1, 0));

    // Changed behind this store's back: a cached read does not query, so it
    // still returns the row it holds.
    let mut renamed = PortfolioSettings::of(&p);
    renamed.name = "Renamed elsewhere".into();
    other.update_portfolio_settings(&a, p.id, renamed, at(2)).await.unwrap();
    assert_eq!(store.portfolios().get(&a, p.id).await.unwrap(), first);
    assert_eq!(store.portfolio_cache_stats().hits - s1.hits, 1);

    // A write through this store invalidates when it commits.
    let after = store.deposit(&me, p.id, dec("5.00"), at(2)).await.unwrap();
    assert_eq!(after.name, "Renamed elsewhere");
    assert_eq!(store.portfolios().get(&a, p.id).await.unwrap(), after);
    assert_eq!(store.portfolios().get(&a, p.id).await.unwrap(), after, "cached again");

    // A write that rolls back leaves the committed row cached.
    let hits = store.portfolio_cache_stats().hits;
    let orders = vec![
        (market(p.id, "AAPL", "0.5", "10.00"), fill("10.00")),
        (market(p.id, "MSFT", "1000", "10.00"), fill("10.00")), // insufficient funds
    ];
    assert!(store.place_and_execute_batch(&admin(), orders, at(3)).await.is_err());
    assert_eq!(store.portfolios().get(&a, p.id).await.unwrap(), after);
    assert_eq!(store.portfolio_cache_stats().hits, hits + 1);
    assert_eq!(other.portfolios().get(&a, p.id).await.unwrap(), after, "nothing written");

    // Every trading write invalidates.
    let executed = store
        .place_and_execute(&admin(), market(p.id, "AAPL", "1", "10.00"), &fill("10.00"), at(4))
        .await
        .unwrap();
    assert_eq!(store.portfolios().get(&a, p.id).await.unwrap(), executed.portfolio);
    let marked = store.mark_to_market(&a, p.id, &[("AAPL", dec("12.00"))], at(5)).await.unwrap().0;
    assert_eq!(store.portfolios().get(&a, p.id).await.unwrap(), marked);
    let mut settings = PortfolioSettings::of(&marked);
    settings.description = Some("edited".into());
    let edited = store.update_portfolio_settings(&a, p.id, settings, at(6)).await.unwrap();
    assert_eq!(store.portfolios().get(&a, p.id).await.unwrap(), edited);
    assert!(store.portfolio_cache_stats().invalidations >= 5);

    // Clearing drops everything.
    let mut settings = PortfolioSettings::of(&edited);
    settings.description = None;
    let cleared = other.update_portfolio_settings(&a, p.id, settings, at(7)).await.unwrap();
    store.clear_portfolio_cache();
    assert_eq!(store.portfolios().get(&a, p.id).await.unwrap(), cleared);
}

async fn cache_ttl_case(backend: Backend) {
    let Some((store, other)) = two_stores(backend, Duration::from_millis(300)).await else {
        return;
    };
    let a = admin();
    let (_, p) = solo(&store, "100.00").await;
    store.portfolios().get(&a, p.id).await.unwrap();
    let mut renamed = PortfolioSettings::of(&p);
    renamed.name = "Later".into();
    other.update_portfolio_settings(&a, p.id, renamed.clone(), at(2)).await.unwrap();
    assert_eq!(store.portfolios().get(&a, p.id).await.unwrap().name, p.name, "within the TTL");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(store.portfolios().get(&a, p.id).await.unwrap().name, "Later", "expired");

    // Duration::ZERO: no cache at all.
    let hits = other.portfolio_cache_stats().hits;
    other.portfolios().get(&a, p.id).await.unwrap();
    other.portfolios().get(&a, p.id).await.unwrap();
    assert_eq!(other.portfolio_cache_stats().hits, hits);
    renamed.name = "Now".into();
    store.update_portfolio_settings(&a, p.id, renamed, at(3)).await.unwrap();
    assert_eq!(other.portfolios().get(&a, p.id).await.unwrap().name, "Now");
    assert_eq!(StoreOptions::default().portfolio_cache_ttl, Duration::from_secs(2));
}

#[tokio::test]
async fn sqlite_cache_hits_invalidates_and_survives_rollback() {
    cache_case(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_cache_hits_invalidates_and_survives_rollback() {
    cache_case(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_cache_expires() {
    cache_ttl_case(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_cache_expires() {
    cache_ttl_case(Backend::Postgres).await;
}

both_backends!(
    place_and_execute_writes_in_one_statement_and_fails_whole,
    |store: Store| async move {
        // On PostgreSQL the trade, notification, position and portfolio rows go
        // out as one statement; a refused row refuses all of them.
        let a = admin();
        let (_me, p) = solo(&store, "100.00").await;
        let first = market(p.id, "AAPL", "1", "10.00");
        let done =
            store.place_and_execute(&admin(), first.clone(), &fill("10.00"), at(5)).await.unwrap();
        let before = store.portfolios().get(&a, p.id).await.unwrap();
        assert_eq!(before, done.portfolio);
        let positions = store.positions().list_for_portfolio(&a, p.id).await.unwrap();
        // The same trade id at the same instant: the database refuses the insert.
        let e = store.place_and_execute(&admin(), first, &fill("10.00"), at(5)).await.unwrap_err();
        assert_eq!(e.code(), "CONFLICT", "{e}");
        store.clear_portfolio_cache();
        assert_eq!(store.portfolios().get(&a, p.id).await.unwrap(), before, "nothing written");
        assert_eq!(store.positions().list_for_portfolio(&a, p.id).await.unwrap(), positions);
        // Selling everything (a deleted position) and buying another symbol.
        let sell = OrderRequest {
            trade: NewTrade::market(Uuid::now_v7(), p.id, "AAPL", TradeSide::Sell, dec("1")),
            asset_type: AssetType::Stock,
            market_price: Some(dec("10.00")),
        };
        store.place_and_execute(&admin(), sell, &fill("10.00"), at(6)).await.unwrap();
        assert!(store.positions().list_for_portfolio(&a, p.id).await.unwrap().is_empty());
        let r = store
            .place_and_execute(&admin(), market(p.id, "MSFT", "2", "5.00"), &fill("5.00"), at(7))
            .await
            .unwrap();
        let now = store.positions().list_for_portfolio(&a, p.id).await.unwrap();
        assert_eq!(now.len(), 1);
        assert_eq!(r.portfolio.total_value, r.portfolio.cash_balance + now[0].current_value);
        assert_eq!(
            store.notifications().list_for_user(&a, p.user_id, 100, 0).await.unwrap().len(),
            3
        );
    }
);

#[tokio::test]
async fn postgres_migration_11_keeps_what_earlier_migrations_put_on_the_tables() {
    // Row-level security, policies, grants and triggers that an earlier
    // migration (e.g. 0010) put on trades/notifications survive the conversion.
    let Some(url) = pg_fresh_url().await else { return };
    let store = Store::open_with(&url, StoreOptions { migrate: false, ..StoreOptions::default() })
        .await
        .unwrap();
    store.migrate_to(10).await.unwrap();
    let mut raw = raw_pg(&url).await;
    let role = format!("elson_app_{}", Uuid::new_v4().simple());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE ROLE {role}; \
         ALTER TABLE trades ENABLE ROW LEVEL SECURITY; \
         CREATE POLICY trades_owner ON trades FOR SELECT TO {role} \
           USING (portfolio_id::text = current_setting('elson.portfolio', true)); \
         GRANT SELECT, INSERT ON trades TO {role}; \
         ALTER TABLE notifications ENABLE ROW LEVEL SECURITY; \
         ALTER TABLE notifications FORCE ROW LEVEL SECURITY; \
         CREATE POLICY notifications_all ON notifications USING (true) WITH CHECK (true); \
         CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; \
         CREATE TRIGGER trades_touch BEFORE UPDATE ON trades FOR EACH ROW EXECUTE FUNCTION touch();"
    )))
    .execute(&mut raw)
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let flags: (bool, bool) = {
        let r = sqlx::query(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'notifications'",
        )
        .fetch_one(&mut raw)
        .await
        .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(flags, (true, true));
    let policies: Vec<String> = sqlx::query(
        "SELECT tablename || '.' || policyname || ':' || cmd || ':' || array_to_string(roles, ',') \
         || ':' || coalesce(qual, '') FROM pg_policies ORDER BY 1",
    )
    .fetch_all(&mut raw)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect();
    // Migration 0010's own policies (access control) survive too.
    for kept in [
        "trades.trades_actor:ALL:public:elson_rls_sees_portfolio(portfolio_id)",
        "notifications.notifications_actor:ALL:public:elson_rls_sees(user_id)",
        "notifications.notifications_notify:INSERT:public:",
    ] {
        assert!(policies.iter().any(|p| p == kept), "{kept} missing: {policies:?}");
    }
    let policies: Vec<&String> = policies
        .iter()
        .filter(|p| p.contains(".notifications_all:") || p.contains(".trades_owner:"))
        .collect();
    assert_eq!(policies.len(), 2, "{policies:?}");
    assert!(
        policies[0].starts_with("notifications.notifications_all:ALL:public:true"),
        "{policies:?}"
    );
    assert!(
        policies[1].starts_with(&format!("trades.trades_owner:SELECT:{role}:")),
        "{policies:?}"
    );
    assert!(policies[1].contains("current_setting('elson.portfolio'"), "{policies:?}");
    let grants: Vec<String> = sqlx::query(
        "SELECT privilege_type::text FROM information_schema.role_table_grants \
         WHERE table_name = 'trades' AND grantee = $1 ORDER BY 1",
    )
    .bind(&role)
    .fetch_all(&mut raw)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect();
    assert_eq!(grants, ["INSERT", "SELECT"]);
    let trigger: i64 = sqlx::query(
        "SELECT count(*) FROM pg_trigger WHERE tgname = 'trades_touch' \
         AND tgrelid = 'trades'::regclass",
    )
    .fetch_one(&mut raw)
    .await
    .unwrap()
    .get(0);
    assert_eq!(trigger, 1);
    store.close().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP OWNED BY {role}; DROP ROLE {role}")))
        .execute(&mut raw)
        .await
        .unwrap();
}

#[tokio::test]
async fn postgres_ensure_partitions_errors_write_nothing() {
    let Some(url) = pg_fresh_url().await else { return };
    let store = Store::open(&url).await.unwrap();
    let a = admin();
    let e = store.ensure_partitions(&a, DateTime::<Utc>::MAX_UTC, 1).await.unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT", "{e}");
    // A role that does not own the tables may not create partitions.
    let mut raw = raw_pg(&url).await;
    let role = format!("elson_ro_{}", Uuid::new_v4().simple());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE ROLE {role} LOGIN")))
        .execute(&mut raw)
        .await
        .unwrap();
    let as_role = url.replacen("://elson@", &format!("://{role}@"), 1);
    assert_ne!(as_role, url, "the test URL names the role `elson`");
    let weak =
        Store::open_with(&as_role, StoreOptions { migrate: false, ..StoreOptions::default() })
            .await
            .unwrap();
    let e = weak.ensure_partitions(&a, utc(2031, 1, 1), 0).await.unwrap_err();
    assert_eq!(e.code(), "STORAGE", "{e}");
    // Nor refresh the materialized view it does not own.
    let e = weak.refresh_portfolio_analytics(&a).await.unwrap_err();
    assert_eq!(e.code(), "STORAGE", "{e}");
    weak.close().await;
    let n: i64 = sqlx::query("SELECT count(*) FROM pg_class WHERE relname LIKE '%_2031_01'")
        .fetch_one(&mut raw)
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "nothing created");
    assert_eq!(store.ensure_partitions(&a, utc(2031, 1, 1), 0).await.unwrap().len(), 2);
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP ROLE {role}")))
        .execute(&mut raw)
        .await
        .unwrap();
}

/// Opening (and migrating) a PostgreSQL store creates this month's and the
/// next `partition_months_ahead` months' partitions; 0 skips that.
#[tokio::test]
async fn opening_a_postgres_store_creates_the_coming_months() {
    use chrono::Datelike;
    let Some(url) = pg_fresh_url().await else { return };
    let month = |ahead: u32| {
        let today = Utc::now().date_naive();
        let m0 = today.year() * 12 + today.month0() as i32 + ahead as i32;
        format!("{:04}_{:02}", m0 / 12, m0 % 12 + 1)
    };
    let names = |store: Store| async move {
        let rows =
            store.ensure_partitions(&elson_store::system_actor(), Utc::now(), 3).await.unwrap();
        rows.into_iter().map(|p| p.partition).collect::<Vec<_>>()
    };
    // Skipped (0): a later call still has months to create — migration 11's
    // initial window ends with 2026-12, three months ahead is past it.
    let other = pg_fresh_url().await.unwrap();
    let bare = Store::open_with(
        &other,
        StoreOptions { partition_months_ahead: 0, ..StoreOptions::default() },
    )
    .await
    .unwrap();
    assert!(!names(bare.clone()).await.is_empty(), "nothing ensured when skipped");
    bare.close().await;
    let store = Store::open(&url).await.unwrap();
    assert!(names(store.clone()).await.is_empty(), "open already ensured 3 months ahead");
    let mut raw =
        sqlx::ConnectOptions::connect(&sqlx::postgres::PgConnectOptions::from_str(&url).unwrap())
            .await
            .unwrap();
    for ahead in 0..=3 {
        let name = format!("trades_{}", month(ahead));
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_class WHERE relname = $1")
            .bind(&name)
            .fetch_one(&mut raw)
            .await
            .unwrap();
        assert_eq!(n, 1, "{name} exists after open");
    }
    store.close().await;
}

/// Rows of `table` whose approval is PENDING, each as its whole row's text
/// (every column, in column order), by id.
async fn pending_rows(c: &mut sqlx::PgConnection, table: &str) -> Vec<String> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT t::text AS r FROM {table} t WHERE guardian_approval = 'PENDING' ORDER BY id"
    )))
    .fetch_all(c)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get("r"))
    .collect()
}

/// Migration 14: `trades_pending_approval` holds exactly the PENDING rows
/// of `trades`, column for column, after inserts, updates while pending,
/// a decision, a delete, and rows moved out of DEFAULT by
/// `ensure_partitions`; the approval queue reads it.
#[tokio::test]
async fn postgres_pending_copy_is_exactly_the_pending_trades() {
    let Some(url) = pg_fresh_url().await else { return };
    let store = Store::open(&url).await.unwrap();
    let a = admin();
    let mut raw = raw_pg(&url).await;
    // A family whose child is still a minor in 2031.
    let g = user(UserRole::Guardian, "guardian-copy@example.com");
    let mut m = user(UserRole::Minor, "minor-copy@example.com");
    m.date_of_birth = chrono::NaiveDate::from_ymd_opt(2016, 3, 1);
    let p = portfolio(m.id, "1000.00");
    let rows = ImportBatch {
        users: vec![g.clone(), m.clone()],
        relationships: vec![relationship(g.id, m.id)],
        portfolios: vec![p.clone()],
        ..ImportBatch::default()
    };
    given(&store, rows).await;
    let same = async |raw: &mut sqlx::PgConnection, n: usize| {
        let (trades, copy) =
            (pending_rows(raw, "trades").await, pending_rows(raw, "trades_pending_approval").await);
        assert_eq!(copy, trades);
        assert_eq!(copy.len(), n);
        let all: i64 = sqlx::query("SELECT count(*) AS n FROM trades_pending_approval")
            .fetch_one(&mut *raw)
            .await
            .unwrap()
            .get("n");
        assert_eq!(all, n as i64, "the copy holds only PENDING rows");
    };

    // The minor's orders over the auto-approval amount wait for a guardian;
    // a small one is approved at creation.
    let kid = Actor::from(&m);
    let order = |symbol: &str, qty: &str| market(p.id, symbol, qty, "10.00");
    let now = store.place_trade(&kid, order("AAPL", "10"), t0()).await.unwrap().trade;
    let future =
        store.place_trade(&kid, order("MSFT", "10"), utc(2031, 5, 15)).await.unwrap().trade;
    let decided_later = store.place_trade(&kid, order("SPY", "1"), t0()).await.unwrap().trade;
    assert_eq!(decided_later.guardian_approval, GuardianApproval::Approved);
    same(&mut raw, 2).await;
    assert_eq!(partition_of(&mut raw, "trades", future.id).await, "trades_default");

    // A change while pending is copied, and a row changed into PENDING
    // enters the copy: no command does either, so they are written behind
    // the store's back, which the triggers see all the same.
    let raw_update = async |raw: &mut sqlx::PgConnection, sql: &str, id: Uuid| {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).bind(id).execute(raw).await.unwrap();
    };
    raw_update(&mut raw, "UPDATE trades SET notes = 'changed while pending' WHERE id = $1", now.id)
        .await;
    let edited = store.trades().get(&a, now.id).await.unwrap();
    assert_eq!(edited.notes.as_deref(), Some("changed while pending"));
    raw_update(
        &mut raw,
        "UPDATE trades SET guardian_approval = 'PENDING' WHERE id = $1",
        decided_later.id,
    )
    .await;
    same(&mut raw, 3).await;

    // A guardian's decision takes the trade out.
    let g = Actor::from(&g);
    store.decide_trade(&g, decided_later.id, Verdict::Approve, at(60)).await.unwrap();
    same(&mut raw, 2).await;

    // Moving the future row into its new month keeps it in the copy.
    let created = store.ensure_partitions(&a, utc(2031, 5, 1), 0).await.unwrap();
    assert!(created.iter().any(|c| c.partition == "trades_2031_05" && c.rows_moved == 1));
    assert_eq!(partition_of(&mut raw, "trades", future.id).await, "trades_2031_05");
    same(&mut raw, 2).await;

    let queue = store.trades().approval_queue(&g, g.id).await.unwrap();
    let ids: Vec<Uuid> = queue.iter().map(|i| i.trade.id).collect();
    assert_eq!(ids, [edited.id, future.id]);
    assert_eq!(queue[0].trade, edited);

    // A deleted trade leaves the copy.
    sqlx::query("DELETE FROM trades WHERE id = $1")
        .bind(edited.id)
        .execute(&mut raw)
        .await
        .unwrap();
    same(&mut raw, 1).await;
}
