//! Every repository round-trips its entity exactly, and the seven common and
//! two beta queries of the data model answer correctly, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::*;
use elson_store::elson_core::entities::{
    NewTrade, NotificationEvent, PortfolioSettings, Trade, User,
};
use elson_store::elson_core::enums::*;
use elson_store::{Actor, ImportBatch, MemoryAudit, NewAccount, NewLink, OrderRequest, Store};
use uuid::Uuid;

/// A minor's MARKET buy of `qty` AAPL at 10.00 on `portfolio_id`.
async fn place(
    store: &Store,
    minor: &User,
    portfolio_id: Uuid,
    qty: &str,
    when: chrono::DateTime<chrono::Utc>,
) -> Trade {
    let order = OrderRequest {
        trade: NewTrade::market(Uuid::now_v7(), portfolio_id, "AAPL", TradeSide::Buy, dec(qty)),
        asset_type: AssetType::Stock,
        market_price: Some(dec("10.00")),
    };
    store.place_trade(&Actor::from(minor), order, when).await.unwrap().trade
}

both_backends!(users_round_trip_and_login_query, |store: Store| async move {
    let a = admin();
    let mut u = user(UserRole::User, "ada@example.com");
    u.two_factor_secret = Some("JBSWY3DPEHPK3PXP".into());
    u.preferences = Some(serde_json::json!({"theme": "dark", "n": [1, 2]}));
    given(&store, &u).await;
    assert_eq!(store.users().get(&a, u.id).await.unwrap(), u);

    let auth = store.users().find_for_login(&a, "  ADA@example.com ").await.unwrap().unwrap();
    assert_eq!((auth.id, auth.role, auth.status), (u.id, UserRole::User, UserStatus::Active));
    assert_eq!(auth.password_hash, u.password_hash);
    assert!(store.users().find_for_login(&a, "nobody@example.com").await.unwrap().is_none());

    // Standing through the admin's command, profile through the user's.
    store.set_status(&a, u.id, UserStatus::BetaTester, at(4)).await.unwrap();
    let mut profile = profile_of(&u);
    profile.first_name = None;
    let changed = store.update_profile(&Actor::from(&u), u.id, profile, at(5)).await.unwrap();
    (u.status, u.first_name, u.updated_at) = (UserStatus::BetaTester, None, at(5));
    assert_eq!(changed, u);
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
    given(&store, &u).await;
    let (mut batch, mut p1, pos_a) = holding(u.id, "1234.56", "AAPL");
    // A second, tiny holding: its value rounds to no money.
    let mut pos_b = position(p1.id, "VTI");
    pos_b.quantity = dec("0.000001");
    (pos_b.current_value, pos_b.gain_loss, pos_b.gain_loss_percent) =
        (dec("0.00"), dec("0.00"), dec("0.00"));
    let mut bought_b = batch.trades[0].clone();
    (bought_b.id, bought_b.symbol, bought_b.quantity) =
        (Uuid::now_v7(), "VTI".into(), pos_b.quantity);
    (bought_b.fees, bought_b.total_amount) = (Some(dec("0.50")), Some(dec("0.50")));
    batch.positions.push(pos_b.clone());
    batch.trades.push(bought_b);
    given(&store, batch).await;
    let mut p2 = portfolio(u.id, "0.01");
    p2.created_at = at(10);
    p2.performance_metrics = Some(serde_json::json!({"ytd": "0.05"}));
    given(&store, &p2).await;
    assert_eq!(store.portfolios().get(&a, p1.id).await.unwrap(), p1);
    let cash = store.portfolios().get(&a, p1.id).await.unwrap().cash_balance;
    assert_eq!(cash.to_string(), "1234.56", "decimals keep the column scale");
    assert_eq!(store.positions().get(&a, pos_b.id).await.unwrap(), pos_b);
    let listed = store.positions().list_for_portfolio(&a, p1.id).await.unwrap();
    assert_eq!(listed, vec![pos_a.clone(), pos_b.clone()]);

    let overview = store.portfolios().overview(&a, u.id).await.unwrap();
    assert_eq!(overview.len(), 2);
    assert_eq!((overview[0].portfolio.id, overview[0].position_count), (p1.id, 2));
    assert_eq!((overview[1].portfolio.id, overview[1].position_count), (p2.id, 0));
    assert_eq!(overview[1].portfolio, p2);

    let mut settings = PortfolioSettings::of(&p1);
    settings.name = "Renamed".into();
    settings.diversification_score = Some(100);
    let p1b = store.update_portfolio_settings(&Actor::from(&u), p1.id, settings, at(20)).await;
    (p1.name, p1.diversification_score, p1.updated_at) = ("Renamed".into(), Some(100), at(20));
    assert_eq!(p1b.unwrap(), p1);
    assert_eq!(store.portfolios().get(&a, p1.id).await.unwrap(), p1);
    assert_eq!(store.portfolios().list_for_user(&a, u.id).await.unwrap().len(), 2);

    // The price feed revalues a position: price, value, gain and the total.
    let (after, marked) =
        store.mark_to_market(&a, p1.id, &[("AAPL", dec("120.00"))], at(30)).await.unwrap();
    let moved = marked.iter().find(|x| x.id == pos_a.id).unwrap();
    assert_eq!((moved.current_price, moved.current_value), (dec("120.00"), dec("180.00")));
    assert_eq!((moved.gain_loss, moved.gain_loss_percent), (dec("30.00"), dec("20.00")));
    assert_eq!(after.total_value, p1.total_value + dec("15.00"));
    assert_eq!(&store.positions().get(&a, pos_a.id).await.unwrap(), moved);
});

both_backends!(trade_history_is_paginated_newest_first, |store: Store| async move {
    let a = admin();
    let u = user(UserRole::User, "trader@example.com");
    given(&store, &u).await;
    let mut p = portfolio(u.id, "100.00");
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
        trades.push(t);
    }
    // The executed buy (2.000001 at 10.25) is the portfolio's one holding.
    let mut held = position(p.id, "MSFT");
    (held.quantity, held.average_price, held.current_price) =
        (dec("2.000001"), dec("10.25"), dec("10.25"));
    (held.current_value, held.gain_loss, held.gain_loss_percent) =
        (dec("20.50"), dec("0.00"), dec("0.00"));
    p.total_value = dec("120.50");
    let batch = ImportBatch {
        portfolios: vec![p.clone()],
        positions: vec![held],
        trades: trades.clone(),
        ..ImportBatch::default()
    };
    given(&store, batch).await;
    assert_eq!(store.trades().get(&a, trades[3].id).await.unwrap(), trades[3]);
    let page1 = store.trades().history(&a, p.id, 3, 0).await.unwrap();
    let page3 = store.trades().history(&a, p.id, 3, 6).await.unwrap();
    assert_eq!(
        page1.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![trades[6].id, trades[5].id, trades[4].id]
    );
    assert_eq!(page3, vec![trades[0].clone()]);
    assert!(store.trades().history(&a, Uuid::new_v4(), 3, 0).await.unwrap().is_empty());

    let cancelled = store.cancel_trade(&Actor::from(&u), trades[0].id, at(200)).await.unwrap();
    assert_eq!(cancelled.trade.status, TradeStatus::Cancelled);
    assert_eq!(store.trades().get(&a, trades[0].id).await.unwrap(), cancelled.trade);
});

both_backends!(guardian_approval_queue, |store: Store| async move {
    let a = admin();
    let (g, m, p) = family(&store, "q").await;
    let (_g2, m2, p2) = family(&store, "other").await;
    // Over the link's auto-approval amount (25.00) the order waits; under it
    // it is approved at creation.
    let pending = place(&store, &m, p.id, "10", at(1)).await;
    let approved = place(&store, &m, p.id, "1", at(2)).await;
    assert_eq!(approved.guardian_approval, GuardianApproval::Approved);
    place(&store, &m2, p2.id, "10", at(3)).await;
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
    let (g, m, p) = family(&store, "own").await;
    let (g2, m2, p2) = family(&store, "own2").await;
    let mine = place(&store, &m, p.id, "10", at(1)).await;
    place(&store, &m2, p2.id, "10", at(2)).await;
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
    // The guardian steps back once another is verified (a minor keeps one).
    let link = store.relationships().list_for_guardian(&a, g.id).await.unwrap().remove(0);
    let spare = user(UserRole::Guardian, "spare@example.com");
    given(&store, &spare).await;
    let next = store.link_guardian(&a, m.id, NewLink::parent(spare.id), at(3)).await.unwrap();
    store.accept_link(&a, next.id, at(4)).await.unwrap();
    store.deactivate_link(&guardian, link.id, at(5)).await.unwrap();
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
    r.updated_at = at(7);
    let changed = store
        .update_link_settings(&a, r.id, r.permissions, r.approval_settings.clone(), at(7))
        .await
        .unwrap();
    assert_eq!(changed, r);
    assert_eq!(store.relationships().get(&a, r.id).await.unwrap(), r);
    assert_eq!(store.relationships().list_for_minor(&a, m.id).await.unwrap(), vec![r.clone()]);
    // The minor's last ACTIVE link does not end.
    let e = store.deactivate_link(&a, r.id, at(8)).await.unwrap_err();
    assert_eq!(e.code(), "CONFLICT");
    assert_eq!(store.relationships().get(&a, r.id).await.unwrap(), r);
});

both_backends!(notifications_round_trip, |store: Store| async move {
    let a = admin();
    let u = user(UserRole::User, "n@example.com");
    given(&store, &u).await;
    let mut n = notification(u.id);
    given(&store, &n).await;
    assert_eq!(store.notifications().get(&a, n.id).await.unwrap(), n);
    let read = store
        .mark_notification(&Actor::from(&u), n.id, NotificationEvent::MarkRead, at(30))
        .await
        .unwrap();
    n.status = NotificationStatus::Read;
    n.read_at = Some(at(30));
    assert_eq!(read, n);
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
    given(&store, &u).await;
    given(&store, &dev).await;
    let older = feedback(u.id, at(0));
    let mut newer = feedback(u.id, at(60));
    newer.screenshots.clear();
    newer.environment_details = None;
    given(&store, &older).await;
    given(&store, &newer).await;
    assert_eq!(
        store.beta_feedback().by_user(&a, u.id).await.unwrap(),
        vec![newer.clone(), older.clone()]
    );
    let o = store
        .advance_feedback(&Actor::from(&dev), older.id, FeedbackStatus::Reviewing, at(90))
        .await
        .unwrap();
    assert_eq!((o.status, o.updated_at), (FeedbackStatus::Reviewing, at(90)));
    assert_eq!(store.beta_feedback().get(&a, o.id).await.unwrap(), o);
    // Forward only.
    let e = store.advance_feedback(&a, older.id, FeedbackStatus::New, at(91)).await.unwrap_err();
    assert_eq!(e.code(), "INVALID_TRANSITION");
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
    let mut me = NewAccount::new("me@example.com", "a long passphrase", UserRole::Guardian);
    me.id = Some(Uuid::new_v4());
    let actor = Actor { id: me.id.unwrap(), role: UserRole::Guardian, status: UserStatus::Active };
    store.create_user(&actor, me.clone(), t0()).await.unwrap();
    let _ = store.users().get(&actor, Uuid::new_v4()).await;
    let events = audit.events();
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[0].actor, events[0].action, events[0].entity, events[0].outcome),
        (actor, "create_user", "users", "OK")
    );
    assert_eq!(events[0].entity_id, me.id);
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
        given(&store, &u).await;
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
        given(&store, &u).await;
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
