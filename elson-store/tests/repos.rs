//! Every repository round-trips its entity exactly, and the seven common and
//! two beta queries of the data model answer correctly, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::*;
use elson_store::elson_core::enums::*;
use elson_store::{Actor, MemoryAudit, Store};
use uuid::Uuid;

both_backends!(users_round_trip_and_login_query, |store: Store| async move {
    let a = admin();
    let mut u = user(UserRole::User, "ada@example.com");
    u.two_factor_secret = Some("JBSWY3DPEHPK3PXP".into());
    u.preferences = Some(serde_json::json!({"theme": "dark", "n": [1, 2]}));
    store.users().insert(&a, &u).await.unwrap();
    assert_eq!(store.users().get(&a, u.id).await.unwrap(), u);

    let auth = store.users().find_for_login(&a, "  ADA@example.com ").await.unwrap().unwrap();
    assert_eq!((auth.id, auth.role, auth.status), (u.id, UserRole::User, UserStatus::Active));
    assert_eq!(auth.password_hash, u.password_hash);
    assert!(store.users().find_for_login(&a, "nobody@example.com").await.unwrap().is_none());

    u.status = UserStatus::BetaTester;
    u.first_name = None;
    u.updated_at = at(5);
    store.users().update(&a, &u).await.unwrap();
    assert_eq!(store.users().get(&a, u.id).await.unwrap(), u);

    store.users().record_login(&a, u.id, at(60)).await.unwrap();
    assert_eq!(store.users().get(&a, u.id).await.unwrap().last_login, Some(at(60)));

    let betas = store
        .users()
        .list_by_role_status(&a, UserRole::User, UserStatus::BetaTester, 10, 0)
        .await
        .unwrap();
    assert_eq!(betas.len(), 1);
    assert!(
        store
            .users()
            .list_by_role_status(&a, UserRole::Admin, UserStatus::Active, 10, 0)
            .await
            .unwrap()
            .is_empty()
    );
});

both_backends!(portfolios_positions_and_overview, |store: Store| async move {
    let a = admin();
    let u = user(UserRole::User, "owner@example.com");
    store.users().insert(&a, &u).await.unwrap();
    let p1 = portfolio(u.id, "1234.56");
    let mut p2 = portfolio(u.id, "0.01");
    p2.created_at = at(10);
    p2.performance_metrics = Some(serde_json::json!({"ytd": "0.05"}));
    store.portfolios().insert(&a, &p1).await.unwrap();
    store.portfolios().insert(&a, &p2).await.unwrap();
    assert_eq!(store.portfolios().get(&a, p1.id).await.unwrap(), p1);
    let cash = store.portfolios().get(&a, p1.id).await.unwrap().cash_balance;
    assert_eq!(cash.to_string(), "1234.56", "decimals keep the column scale");

    let pos_a = position(p1.id, "AAPL");
    let mut pos_b = position(p1.id, "VTI");
    pos_b.quantity = dec("0.000001");
    pos_b.gain_loss = dec("-3.50");
    pos_b.gain_loss_percent = dec("-12.25");
    store.positions().insert(&a, &pos_a).await.unwrap();
    store.positions().insert(&a, &pos_b).await.unwrap();
    assert_eq!(store.positions().get(&a, pos_b.id).await.unwrap(), pos_b);
    let listed = store.positions().list_for_portfolio(&a, p1.id).await.unwrap();
    assert_eq!(listed, vec![pos_a.clone(), pos_b.clone()]);

    let overview = store.portfolios().overview(&a, u.id).await.unwrap();
    assert_eq!(overview.len(), 2);
    assert_eq!((overview[0].portfolio.id, overview[0].position_count), (p1.id, 2));
    assert_eq!((overview[1].portfolio.id, overview[1].position_count), (p2.id, 0));
    assert_eq!(overview[1].portfolio, p2);

    let mut p1b = p1.clone();
    p1b.name = "Renamed".into();
    p1b.diversification_score = Some(100);
    store.portfolios().update(&a, &p1b).await.unwrap();
    assert_eq!(store.portfolios().get(&a, p1.id).await.unwrap(), p1b);
    assert_eq!(store.portfolios().list_for_user(&a, u.id).await.unwrap().len(), 2);

    let mut moved = pos_a.clone();
    moved.current_price = dec("120.00");
    moved.current_value = dec("180.00");
    store.positions().update(&a, &moved).await.unwrap();
    assert_eq!(store.positions().get(&a, pos_a.id).await.unwrap(), moved);
});

both_backends!(trade_history_is_paginated_newest_first, |store: Store| async move {
    let a = admin();
    let u = user(UserRole::User, "trader@example.com");
    store.users().insert(&a, &u).await.unwrap();
    let p = portfolio(u.id, "100.00");
    store.portfolios().insert(&a, &p).await.unwrap();
    let mut trades = Vec::new();
    for i in 0..7 {
        let mut t = trade(p.id, "MSFT", at(i));
        t.guardian_approval = GuardianApproval::NotRequired;
        if i == 3 {
            t.status = TradeStatus::Executed;
            t.executed_at = Some(at(100));
            t.total_amount = Some(dec("20.55"));
            t.fees = Some(dec("0.05"));
            t.notes = Some("filled".into());
            t.confidence_score = None;
        }
        store.trades().insert(&a, &t).await.unwrap();
        trades.push(t);
    }
    assert_eq!(store.trades().get(&a, trades[3].id).await.unwrap(), trades[3]);
    let page1 = store.trades().history(&a, p.id, 3, 0).await.unwrap();
    let page3 = store.trades().history(&a, p.id, 3, 6).await.unwrap();
    assert_eq!(
        page1.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![trades[6].id, trades[5].id, trades[4].id]
    );
    assert_eq!(page3, vec![trades[0].clone()]);
    assert!(store.trades().history(&a, Uuid::new_v4(), 3, 0).await.unwrap().is_empty());

    let mut t = trades[0].clone();
    t.status = TradeStatus::Cancelled;
    store.trades().update(&a, &t).await.unwrap();
    assert_eq!(store.trades().get(&a, t.id).await.unwrap().status, TradeStatus::Cancelled);
});

both_backends!(guardian_approval_queue, |store: Store| async move {
    let a = admin();
    let (g, m, p) = family(&store, "q").await;
    let (_g2, _m2, p2) = family(&store, "other").await;
    let pending = trade(p.id, "AAPL", at(1));
    let mut approved = trade(p.id, "AAPL", at(2));
    approved.guardian_approval = GuardianApproval::Approved;
    let other_family = trade(p2.id, "AAPL", at(3));
    for t in [&pending, &approved, &other_family] {
        store.trades().insert(&a, t).await.unwrap();
    }
    let queue = store.trades().approval_queue(&a, g.id).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].trade, pending);
    assert_eq!(queue[0].portfolio_name, p.name);
    assert_eq!(queue[0].first_name, m.first_name);
    assert_eq!(queue[0].last_name, m.last_name);
    assert!(store.trades().approval_queue(&a, m.id).await.unwrap().is_empty());
});

// The guardian's own queue: each item is checked against the link its row
// joined, the read is on record (basis GUARDIAN), and a minor whose link is
// no longer ACTIVE drops out.
both_backends!(guardian_reads_own_queue_while_the_link_is_active, |store: Store| async move {
    let a = admin();
    let (g, _m, p) = family(&store, "own").await;
    let (g2, _m2, p2) = family(&store, "own2").await;
    let mine = trade(p.id, "AAPL", at(1));
    store.trades().insert(&a, &mine).await.unwrap();
    store.trades().insert(&a, &trade(p2.id, "AAPL", at(2))).await.unwrap();
    let guardian = Actor::from(&g);
    let queue = store.trades().approval_queue(&guardian, g.id).await.unwrap();
    assert_eq!(queue.iter().map(|i| i.trade.id).collect::<Vec<_>>(), vec![mine.id]);
    let log = store.audit_log().recent(&a, 50).await.unwrap();
    let read = log
        .iter()
        .find(|e| e.action == "query" && e.actor_id == g.id && e.entity == "trades")
        .expect("the guardian's read of the ward's trades is on record");
    assert_eq!(read.detail.as_deref(), Some("basis=GUARDIAN"));
    // The other guardian sees their own ward's trade, not ours.
    let other = store.trades().approval_queue(&Actor::from(&g2), g2.id).await.unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].trade.portfolio_id, p2.id);
    let mut link = store.relationships().list_for_guardian(&a, g.id).await.unwrap().remove(0);
    link.status = RelationshipStatus::Inactive;
    store.relationships().update(&a, &link).await.unwrap();
    assert!(store.trades().approval_queue(&guardian, g.id).await.unwrap().is_empty());
});

both_backends!(relationships_round_trip_typed_json, |store: Store| async move {
    let a = admin();
    let (g, m, _) = family(&store, "r").await;
    let rels = store.relationships().list_for_guardian(&a, g.id).await.unwrap();
    assert_eq!(rels.len(), 1);
    let mut r = rels[0].clone();
    assert_eq!(r.minor_id, m.id);
    assert_eq!(r.approval_settings.auto_approve_below, Some(dec("25.00")));
    assert!(r.permissions.trading);
    r.permissions.advanced_orders = true;
    r.approval_settings.daily_trade_limit = Some(3);
    r.status = RelationshipStatus::Inactive;
    store.relationships().update(&a, &r).await.unwrap();
    assert_eq!(store.relationships().get(&a, r.id).await.unwrap(), r);
    assert_eq!(store.relationships().list_for_minor(&a, m.id).await.unwrap(), vec![r]);
});

both_backends!(notifications_round_trip, |store: Store| async move {
    let a = admin();
    let u = user(UserRole::User, "n@example.com");
    store.users().insert(&a, &u).await.unwrap();
    let mut n = notification(u.id);
    store.notifications().insert(&a, &n).await.unwrap();
    assert_eq!(store.notifications().get(&a, n.id).await.unwrap(), n);
    n.status = NotificationStatus::Read;
    n.read_at = Some(at(30));
    store.notifications().update(&a, &n).await.unwrap();
    assert_eq!(
        store.notifications().list_for_user(&a, u.id, 10, 0).await.unwrap(),
        vec![n.clone()]
    );
    assert_eq!(
        store
            .notifications()
            .list_for_user_status(&a, u.id, NotificationStatus::Read)
            .await
            .unwrap(),
        vec![n]
    );
    assert!(
        store
            .notifications()
            .list_for_user_status(&a, u.id, NotificationStatus::Unread)
            .await
            .unwrap()
            .is_empty()
    );
});

both_backends!(volatility_last_30_and_stabilization_rule, |store: Store| async move {
    let a = admin();
    let mut rows = Vec::new();
    for i in 0..35 {
        let r = regime("SPY", at(i * 60), VolatilityLevel::Normal, i as i32 + 1);
        store.volatility_regimes().insert(&a, &r).await.unwrap();
        rows.push(r);
    }
    store
        .volatility_regimes()
        .insert(&a, &regime("QQQ", at(0), VolatilityLevel::High, 1))
        .await
        .unwrap();
    let recent = store.volatility_regimes().recent(&a, "SPY").await.unwrap();
    assert_eq!(recent.len(), 30);
    assert_eq!(recent[0], rows[34]);
    assert_eq!(recent[29], rows[5]);
    assert_eq!(store.volatility_regimes().get(&a, rows[0].id).await.unwrap(), rows[0]);

    // A level change needs stabilization_count >= 3, enforced by the database.
    let jump = regime("SPY", at(10_000), VolatilityLevel::Extreme, 1);
    let e = store.volatility_regimes().insert(&a, &jump).await.unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT", "{e}");
    assert!(store.volatility_regimes().get(&a, jump.id).await.is_err(), "nothing written");
    let stabilized = regime("SPY", at(10_000), VolatilityLevel::Extreme, 3);
    store.volatility_regimes().insert(&a, &stabilized).await.unwrap();
});

both_backends!(model_parameters_are_effective_dated, |store: Store| async move {
    let a = admin();
    let first = model_parameter(at(0), Some(at(100)));
    let second = model_parameter(at(100), None);
    store.model_parameters().insert(&a, &first).await.unwrap();
    store.model_parameters().insert(&a, &second).await.unwrap();
    assert_eq!(store.model_parameters().get(&a, first.id).await.unwrap(), first);
    let overlapping = model_parameter(at(50), Some(at(150)));
    let e = store.model_parameters().insert(&a, &overlapping).await.unwrap_err();
    assert_eq!(e.code(), "CONFLICT", "{e}");
    let open_before = model_parameter(at(-50), None);
    assert_eq!(
        store.model_parameters().insert(&a, &open_before).await.unwrap_err().code(),
        "CONFLICT"
    );
    let lvl = VolatilityLevel::High;
    let mp = store.model_parameters();
    let pick =
        async |t| mp.effective_at(&a, lvl, "position_sizing", "factor_closed", t).await.unwrap();
    assert_eq!(pick(at(99)).await.unwrap().id, first.id);
    assert_eq!(pick(at(100)).await.unwrap().id, second.id);
    assert!(pick(at(-1)).await.is_none());
    // Updating a row does not conflict with itself.
    let mut f2 = first.clone();
    f2.description = Some("tuned".into());
    store.model_parameters().update(&a, &f2).await.unwrap();
    assert_eq!(
        store
            .model_parameters()
            .list_for_key(&a, lvl, "position_sizing", "factor_closed")
            .await
            .unwrap(),
        vec![f2, second]
    );
});

both_backends!(backtest_results_round_trip, |store: Store| async move {
    let a = admin();
    let b = backtest();
    store.backtest_results().insert(&a, &b).await.unwrap();
    assert_eq!(store.backtest_results().get(&a, b.id).await.unwrap(), b);
    assert_eq!(store.backtest_results().list_for(&a, "SPY", "v1.2").await.unwrap(), vec![b]);
    assert!(store.backtest_results().list_for(&a, "SPY", "v9").await.unwrap().is_empty());
});

both_backends!(beta_feedback_by_user_newest_first, |store: Store| async move {
    let a = admin();
    let u = user(UserRole::User, "beta@example.com");
    let dev = user(UserRole::Admin, "dev@example.com");
    store.users().insert(&a, &u).await.unwrap();
    store.users().insert(&a, &dev).await.unwrap();
    let older = feedback(u.id, at(0));
    let mut newer = feedback(u.id, at(60));
    newer.screenshots.clear();
    newer.environment_details = None;
    store.beta_feedback().insert(&a, &older).await.unwrap();
    store.beta_feedback().insert(&a, &newer).await.unwrap();
    assert_eq!(
        store.beta_feedback().by_user(&a, u.id).await.unwrap(),
        vec![newer.clone(), older.clone()]
    );
    let mut o = older.clone();
    o.status = FeedbackStatus::Reviewing;
    o.assigned_to = Some(dev.id);
    store.beta_feedback().update(&a, &o).await.unwrap();
    assert_eq!(store.beta_feedback().get(&a, o.id).await.unwrap(), o);
});

both_backends!(beta_flags_query, |store: Store| async move {
    let a = admin();
    let on = flag("new-chart", Environment::Beta, true);
    let off = flag("old-chart", Environment::Beta, false);
    let prod = flag("new-chart", Environment::Production, true);
    for f in [&on, &off, &prod] {
        store.feature_flags().insert(&a, f).await.unwrap();
    }
    assert_eq!(store.feature_flags().beta_enabled(&a).await.unwrap(), vec![on.clone()]);
    assert_eq!(
        store.feature_flags().enabled_in(&a, Environment::Production).await.unwrap(),
        vec![prod]
    );
    let mut on2 = on.clone();
    on2.enabled = false;
    on2.user_whitelist.clear();
    store.feature_flags().update(&a, &on2).await.unwrap();
    assert!(store.feature_flags().beta_enabled(&a).await.unwrap().is_empty());
    assert_eq!(store.feature_flags().get(&a, on.id).await.unwrap(), on2);
});

both_backends!(every_call_reports_its_actor_to_the_audit_hook, |store: Store| async move {
    let audit = Arc::new(MemoryAudit::new());
    let store = store.with_audit(audit.clone());
    let me = user(UserRole::Guardian, "me@example.com");
    let actor = Actor::from(&me);
    store.users().insert(&actor, &me).await.unwrap();
    let _ = store.users().get(&actor, Uuid::new_v4()).await;
    let events = audit.events();
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[0].actor, events[0].action, events[0].entity, events[0].outcome),
        (actor, "insert", "users", "OK")
    );
    assert_eq!(events[0].entity_id, Some(me.id));
    assert_eq!((events[1].action, events[1].outcome), ("get", "NOT_FOUND"));
});

#[tokio::test]
async fn sqlite_file_store_persists_across_reopen() {
    let dir = std::env::temp_dir().join(format!("elson-reopen-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("elson.db").display());
    let u = user(UserRole::User, "keep@example.com");
    {
        let store = Store::open(&url).await.unwrap();
        store.users().insert(&admin(), &u).await.unwrap();
        store.close().await;
    }
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.users().get(&admin(), u.id).await.unwrap(), u);
    store.close().await;
    std::fs::remove_dir_all(&dir).ok();
}

/// A file store checkpoints its write-ahead log in the background: after a
/// few small commits — far fewer log pages than any foreground threshold —
/// the database file grows on its own, with no call of ours in between.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_log_is_checkpointed_in_the_background() {
    let (store, url) = sqlite_file_store().await;
    let path = std::path::PathBuf::from(url.strip_prefix("sqlite://").unwrap());
    let wal = path.with_extension("db-wal");
    // The 40 users need new pages (≈ 12 kB of rows and index entries): the
    // file grows once a checkpoint copies them in, whenever it runs.
    let written = std::fs::metadata(&path).unwrap().len();
    for i in 0..40 {
        let u = user(UserRole::User, &format!("ckpt{i}@example.com"));
        store.users().insert(&admin(), &u).await.unwrap();
    }
    assert!(std::fs::metadata(&wal).unwrap().len() > 0, "the commits went to the log");
    let mut grown = written;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        grown = std::fs::metadata(&path).unwrap().len();
        if grown > written {
            break;
        }
    }
    assert!(grown > written, "no checkpoint reached the file: {written} → {grown} bytes");
    store.close().await;
    remove_sqlite_file(&url);
}
