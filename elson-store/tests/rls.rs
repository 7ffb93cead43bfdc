//! PostgreSQL row-level security (migration 0010), on the real server of
//! `scripts/with-postgres`: a LOGIN member of the application role
//! `elson_app` sees, even with a raw `SELECT *`, only the rows of the actor
//! set for its transaction; nothing without one; it cannot UPDATE or DELETE
//! `audit_log`; and the store works unchanged when connected as it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::str::FromStr;

use common::*;
use elson_store::elson_core::entities::{NewTrade, User};
use elson_store::elson_core::enums::*;
use elson_store::elson_core::families::Verdict;
use elson_store::{Actor, Caller, Fill, OrderRequest, Store, StoreOptions};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection, Row};
use uuid::Uuid;

struct Families {
    ga: User,
    ma: User,
    pa: Uuid,
    ga_own: Uuid,
    gb: User,
    mb: User,
    pb: Uuid,
    trade_a: Uuid,
    trade_b: Uuid,
}

fn market(portfolio_id: Uuid, qty: &str, price: &str) -> OrderRequest {
    OrderRequest {
        trade: NewTrade::market(Uuid::now_v7(), portfolio_id, "VTI", TradeSide::Buy, dec(qty)),
        asset_type: AssetType::Etf,
        market_price: Some(dec(price)),
    }
}

/// Two families, each with a minor's trade and notifications.
async fn seed(store: &Store) -> Families {
    let (ga, ma, pa) = family(store, "rls-a").await;
    let (gb, mb, pb) = family(store, "rls-b").await;
    let ga_own = portfolio(ga.id, "100.00");
    given(store, &ga_own).await;
    let trade_a =
        store.place_trade(&Actor::from(&ma), market(pa.id, "2", "45.10"), at(1)).await.unwrap();
    let trade_b =
        store.place_trade(&Actor::from(&mb), market(pb.id, "2", "45.10"), at(1)).await.unwrap();
    Families {
        ga,
        ma,
        pa: pa.id,
        ga_own: ga_own.id,
        gb,
        mb,
        pb: pb.id,
        trade_a: trade_a.trade.id,
        trade_b: trade_b.trade.id,
    }
}

/// A fresh LOGIN role that is a member of `elson_app`, and the URL of the
/// test database for it (trust authentication on 127.0.0.1).
async fn app_login(owner_url: &str) -> PgConnectOptions {
    let name = format!("elson_login_{}", Uuid::new_v4().simple());
    let mut owner = PgConnection::connect(owner_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE ROLE {name} LOGIN IN ROLE elson_app")))
        .execute(&mut owner)
        .await
        .unwrap();
    let member: bool = sqlx::query_scalar(
        "SELECT rolbypassrls = false AND rolsuper = false FROM pg_roles WHERE rolname = $1",
    )
    .bind(&name)
    .fetch_one(&mut owner)
    .await
    .unwrap();
    assert!(member, "the login role neither bypasses RLS nor is a superuser");
    PgConnectOptions::from_str(owner_url).unwrap().username(&name)
}

/// Ids visible in `table` to `conn`'s current transaction.
async fn ids(conn: &mut PgConnection, sql: &'static str) -> Vec<Uuid> {
    let mut v: Vec<Uuid> =
        sqlx::query(sql).fetch_all(&mut *conn).await.unwrap().iter().map(|r| r.get(0)).collect();
    v.sort();
    v
}

fn sorted(mut v: Vec<Uuid>) -> Vec<Uuid> {
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_role_sees_only_the_actors_family_even_with_select_star() {
    let Some(url) = pg_fresh_url().await else { return };
    let store = Store::open(&url).await.unwrap();
    let f = seed(&store).await;
    let opts = app_login(&url).await;
    let mut app = opts.connect().await.unwrap();

    // No actor set: nothing is visible.
    let mut tx = app.begin().await.unwrap();
    for sql in [
        "SELECT * FROM users",
        "SELECT * FROM portfolios",
        "SELECT * FROM trades",
        "SELECT * FROM positions",
        "SELECT * FROM notifications",
        "SELECT * FROM relationships",
        "SELECT * FROM audit_log",
    ] {
        let n = sqlx::query(sql).fetch_all(&mut *tx).await.unwrap().len();
        assert_eq!(n, 0, "{sql} without an actor");
    }
    tx.rollback().await.unwrap();

    // Family A's guardian, set the way the store does it (role from `users`).
    let mut tx = app.begin().await.unwrap();
    let role: String = sqlx::query_scalar("SELECT role FROM elson_act_as($1, false)")
        .bind(f.ga.id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(role, "GUARDIAN");
    assert_eq!(ids(&mut tx, "SELECT id FROM users").await, sorted(vec![f.ga.id, f.ma.id]));
    assert_eq!(ids(&mut tx, "SELECT id FROM portfolios").await, sorted(vec![f.pa, f.ga_own]));
    assert_eq!(ids(&mut tx, "SELECT id FROM trades").await, vec![f.trade_a]);
    // `SELECT *` is filtered the same way: every row is family A's.
    let rows = sqlx::query("SELECT * FROM portfolios").fetch_all(&mut *tx).await.unwrap();
    for r in &rows {
        let owner: Uuid = r.get("user_id");
        assert!(owner == f.ga.id || owner == f.ma.id);
    }
    let rows = sqlx::query("SELECT * FROM trades").fetch_all(&mut *tx).await.unwrap();
    assert!(rows.iter().all(|r| r.get::<Uuid, _>("portfolio_id") == f.pa));
    // The approval notification went to the guardian.
    let told: Vec<Uuid> = sqlx::query("SELECT * FROM notifications")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("user_id"))
        .collect();
    assert!(!told.is_empty() && told.iter().all(|u| *u == f.ga.id || *u == f.ma.id));
    // Writing family B's rows is impossible too: they are not there.
    let changed = sqlx::query("UPDATE portfolios SET name = 'x' WHERE id = $1")
        .bind(f.pb)
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(changed, 0);
    // ...and a row for family B cannot be inserted under family A's actor.
    let e = sqlx::query(
        "INSERT INTO notifications (id, user_id, type, title, message, created_at, status, priority) \
         VALUES ($1, $2, 'SYSTEM', 't', 'm', now(), 'UNREAD', 'LOW')",
    )
    .bind(Uuid::new_v4())
    .bind(f.mb.id)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert!(e.to_string().contains("row-level security"), "{e}");
    tx.rollback().await.unwrap();

    // The settings end with the transaction: the next one sees nothing.
    let mut tx = app.begin().await.unwrap();
    assert!(ids(&mut tx, "SELECT id FROM users").await.is_empty());
    tx.rollback().await.unwrap();

    // Family A's minor sees only their own rows (not the guardian's portfolio).
    let mut tx = app.begin().await.unwrap();
    sqlx::query("SELECT * FROM elson_act_as($1, false)")
        .bind(f.ma.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(ids(&mut tx, "SELECT id FROM portfolios").await, vec![f.pa]);
    assert_eq!(ids(&mut tx, "SELECT id FROM users").await, vec![f.ma.id]);
    tx.rollback().await.unwrap();

    // A forged role setting is overwritten by elson_act_as; and a suspended
    // user gets no actor at all.
    store.set_status(&admin(), f.gb.id, UserStatus::Suspended, at(50)).await.unwrap();
    let mut tx = app.begin().await.unwrap();
    sqlx::query("SELECT * FROM elson_act_as($1, false)")
        .bind(f.gb.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert!(ids(&mut tx, "SELECT id FROM portfolios").await.is_empty());
    tx.rollback().await.unwrap();

    // The system actor sees everything.
    let mut tx = app.begin().await.unwrap();
    sqlx::query("SELECT * FROM elson_act_as($1, true)")
        .bind(Uuid::nil())
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(ids(&mut tx, "SELECT id FROM trades").await, sorted(vec![f.trade_a, f.trade_b]));
    // audit_log: appended, never changed — refused by the database.
    for sql in ["UPDATE audit_log SET outcome = 'OK'", "DELETE FROM audit_log"] {
        let mut sp = tx.begin().await.unwrap();
        let e = sqlx::query(sql).execute(&mut *sp).await.unwrap_err();
        assert!(e.to_string().contains("permission denied"), "{sql}: {e}");
        sp.rollback().await.unwrap();
    }
    tx.rollback().await.unwrap();
    // Even the owner's UPDATE/DELETE/TRUNCATE hit the append-only triggers
    // (issue 15 item 4: TRUNCATE fires no row trigger; migration 16).
    let mut owner = PgConnection::connect(&url).await.unwrap();
    let before: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&mut owner).await.unwrap();
    assert!(before > 0);
    for sql in
        ["UPDATE audit_log SET outcome = 'OK'", "DELETE FROM audit_log", "TRUNCATE audit_log"]
    {
        let e = sqlx::query(sql).execute(&mut owner).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    let after: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&mut owner).await.unwrap();
    assert_eq!(after, before, "nothing removed");
}

/// The three settings of the current transaction.
async fn settings(tx: &mut PgConnection) -> (String, String, String) {
    sqlx::query_as(
        "SELECT COALESCE(current_setting('elson.actor_id', true), ''), \
         COALESCE(current_setting('elson.actor_role', true), ''), \
         COALESCE(current_setting('elson.standing', true), '')",
    )
    .fetch_one(tx)
    .await
    .unwrap()
}

/// `elson_begin_as` (migration 13, what the store runs in every BEGIN) sets
/// the row-level-security settings exactly as `elson_act_as` does, for an
/// active user, a suspended one, an unknown id and the system actor, and
/// keeps the standing the store reads back; a system flag on another id
/// is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn begin_as_sets_what_act_as_sets_and_keeps_the_standing() {
    let Some(url) = pg_fresh_url().await else { return };
    let store = Store::open(&url).await.unwrap();
    let f = seed(&store).await;
    store.set_status(&admin(), f.gb.id, UserStatus::Suspended, at(50)).await.unwrap();
    let mut app = app_login(&url).await.connect().await.unwrap();
    let unknown = Uuid::new_v4();
    let cases = [
        (f.ga.id, false, "GUARDIAN ACTIVE"),
        (f.gb.id, false, "GUARDIAN SUSPENDED"),
        (unknown, false, ""),
        (Uuid::nil(), true, "ADMIN ACTIVE"),
    ];
    for (id, system, standing) in cases {
        let mut tx = app.begin().await.unwrap();
        sqlx::query("SELECT * FROM elson_act_as($1, $2)")
            .bind(id)
            .bind(system)
            .execute(&mut *tx)
            .await
            .unwrap();
        let (act_id, act_role, _) = settings(&mut tx).await;
        tx.rollback().await.unwrap();

        let mut tx = app.begin().await.unwrap();
        let returned: String = sqlx::query_scalar("SELECT elson_begin_as($1, $2)")
            .bind(id)
            .bind(system)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        let (begin_id, begin_role, kept) = settings(&mut tx).await;
        let visible = ids(&mut tx, "SELECT id FROM portfolios").await;
        tx.rollback().await.unwrap();
        assert_eq!((begin_id, begin_role), (act_id, act_role), "{standing:?}");
        assert_eq!((returned.as_str(), kept.as_str()), (standing, standing));
        match standing {
            "GUARDIAN ACTIVE" => assert_eq!(visible, sorted(vec![f.pa, f.ga_own])),
            "ADMIN ACTIVE" => assert_eq!(visible.len(), 3),
            _ => assert!(visible.is_empty(), "{standing:?} sees {visible:?}"),
        }
    }
    let mut tx = app.begin().await.unwrap();
    let e = sqlx::query("SELECT elson_begin_as($1, true)")
        .bind(f.ga.id)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("only the nil id is the system actor"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_works_unchanged_as_the_app_role() {
    let Some(url) = pg_fresh_url().await else { return };
    let owner_store = Store::open(&url).await.unwrap();
    let f = seed(&owner_store).await;
    let opts = app_login(&url).await;
    let app_url = opts.to_url_lossy().to_string();
    let options = StoreOptions { migrate: false, max_connections: 2, ..StoreOptions::default() };
    let store = Store::open_with(&app_url, options).await.unwrap();

    let (g, m) = (Actor::from(&f.ga), Actor::from(&f.ma));
    // A payment webhook (the system actor) funds the child's portfolio.
    let p = store.deposit(&admin(), f.pa, dec("10.00"), at(2)).await.unwrap();
    assert_eq!(p.cash_balance, dec("1010.00"));
    // An idempotent command under row-level security: the guardian's
    // retried deposit is claimed, recorded and replayed as their own row.
    let retried = Caller::new(&g).with_command_id(Uuid::new_v4());
    let first = store.deposit(retried, f.pa, dec("5.00"), at(2)).await.unwrap();
    assert_eq!(store.deposit(retried, f.pa, dec("5.00"), at(3)).await.unwrap(), first);
    assert_eq!(first.cash_balance, dec("1015.00"));
    let e = store.deposit(retried, f.pa, dec("6.00"), at(3)).await.unwrap_err();
    assert_eq!(e.code(), "IDEMPOTENCY_CONFLICT");
    // The guardian reads the child's portfolio and decides the pending trade.
    assert_eq!(store.portfolios().get(&g, f.pa).await.unwrap().user_id, f.ma.id);
    assert_eq!(store.trades().approval_queue(&g, f.ga.id).await.unwrap().len(), 1);
    store.decide_trade(&g, f.trade_a, Verdict::Approve, at(3)).await.unwrap();
    // The child executes it (notifying the guardian across the family).
    let fill = Fill::at(dec("45.10"), AssetType::Etf);
    let done = store.execute_trade(&admin(), f.trade_a, &fill, at(4)).await.unwrap();
    assert_eq!(done.trade.status, TradeStatus::Executed);
    assert_eq!(store.positions().list_for_portfolio(&m, f.pa).await.unwrap().len(), 1);
    // Family B's rows do not even exist for family A: not found.
    assert_eq!(store.portfolios().get(&g, f.pb).await.unwrap_err().code(), "NOT_FOUND");
    assert_eq!(store.trades().get(&g, f.trade_b).await.unwrap_err().code(), "NOT_FOUND");
    // The audit trail was written under row-level security too.
    let log = store.audit_log().recent(&admin(), 100).await.unwrap();
    assert!(log.iter().any(|e| e.actor_id == g.id && e.action == "decide" && e.outcome == "OK"));
    assert!(log.iter().any(|e| e.actor_id == Uuid::nil() && e.action == "execute"));
    let _ = f.mb;
    // The demo generator's bulk writes run as the system actor under RLS too.
    let summary =
        elson_store::demo::generate(&store, &admin(), 3, &elson_store::demo::DemoSizes::small())
            .await
            .unwrap();
    assert!(summary.trades > 0);
    // ...and nobody else may run it.
    let e =
        elson_store::demo::generate(&store, &g, 4, &elson_store::demo::DemoSizes::small()).await;
    assert_eq!(e.unwrap_err().code(), "FORBIDDEN");
}

/// Reads send the actor's settings with each statement and keep no
/// transaction (`oneshot`): on a pool of one connection, as the application
/// role, one family's reads never leave what they saw to the next caller,
/// and the connection itself carries no actor between calls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_connection_serves_one_family_after_another_and_keeps_no_actor() {
    let Some(url) = pg_fresh_url().await else { return };
    let owner_store = Store::open(&url).await.unwrap();
    let f = seed(&owner_store).await;
    let opts = app_login(&url).await;
    let app_url = opts.to_url_lossy().to_string();
    let options = StoreOptions { migrate: false, max_connections: 1, ..StoreOptions::default() };
    let store = Store::open_with(&app_url, options).await.unwrap();
    let (ga, gb) = (Actor::from(&f.ga), Actor::from(&f.gb));
    for _ in 0..3 {
        let queue_a = store.trades().approval_queue(&ga, f.ga.id).await.unwrap();
        assert_eq!(queue_a.iter().map(|i| i.trade.id).collect::<Vec<_>>(), [f.trade_a]);
        // Right after family A's read, on the same connection: B sees only B.
        let queue_b = store.trades().approval_queue(&gb, f.gb.id).await.unwrap();
        assert_eq!(queue_b.iter().map(|i| i.trade.id).collect::<Vec<_>>(), [f.trade_b]);
        assert_eq!(store.portfolios().get(&gb, f.pa).await.unwrap_err().code(), "NOT_FOUND");
        assert_eq!(store.trades().history(&ga, f.pa, 10, 0).await.unwrap().len(), 1);
        // A user that does not exist sees nothing of what was just read.
        let nobody = Actor { id: Uuid::new_v4(), ..ga };
        assert_eq!(store.portfolios().get(&nobody, f.pa).await.unwrap_err().code(), "NOT_FOUND");
    }
    // The one pooled connection is idle, not idle in a transaction (whose
    // transaction-local settings would still name an actor). A failed
    // call's connection goes back through sqlx's release check, a statement
    // of its own, so the state is read until that has run.
    let role = opts.get_username().to_string();
    let mut owner = PgConnectOptions::from_str(&url).unwrap().connect().await.unwrap();
    let mut states: Vec<String> = Vec::new();
    for _ in 0..50 {
        states = sqlx::query(
            "SELECT state FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()",
        )
        .bind(&role)
        .fetch_all(&mut owner)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("state"))
        .collect();
        if states != ["active"] {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(states, ["idle"]);
}
