//! Bad input: unknown ids, duplicates, oversize text, decimal overflow,
//! out-of-range values — each a typed error naming the problem, and nothing
//! written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use elson_store::elson_core::ElsonError;
use elson_store::elson_core::entities::{NotificationEvent, Position, Trade};
use elson_store::elson_core::enums::*;
use elson_store::{ImportBatch, Store, StoreError};
use uuid::Uuid;

fn field_of(e: &StoreError) -> String {
    match e.as_domain() {
        Some(ElsonError::InvalidInput { field, .. }) => field.clone(),
        other => panic!("expected InvalidInput, got {other:?} ({e})"),
    }
}

both_backends!(unknown_ids_are_not_found, |store: Store| async move {
    let a = admin();
    let id = Uuid::new_v4();
    let cases = [
        store.users().get(&a, id).await.err(),
        store.portfolios().get(&a, id).await.err(),
        store.positions().get(&a, id).await.err(),
        store.trades().get(&a, id).await.err(),
        store.relationships().get(&a, id).await.err(),
        store.notifications().get(&a, id).await.err(),
        store.volatility_regimes().get(&a, id).await.err(),
        store.model_parameters().get(&a, id).await.err(),
        store.backtest_results().get(&a, id).await.err(),
        store.beta_feedback().get(&a, id).await.err(),
        store.feature_flags().get(&a, id).await.err(),
    ];
    for e in cases {
        let e = e.expect("an unknown id must fail");
        assert!(
            matches!(e.as_domain(), Some(ElsonError::NotFound { id: got, .. }) if *got == id.to_string()),
            "{e}"
        );
    }
    // Updates of unknown rows, too.
    let nobody = user(UserRole::User, "x@example.com");
    assert_eq!(
        store.update_profile(&a, id, profile_of(&nobody), t0()).await.unwrap_err().code(),
        "NOT_FOUND"
    );
    assert_eq!(
        store.set_status(&a, id, UserStatus::Suspended, t0()).await.unwrap_err().code(),
        "NOT_FOUND"
    );
    assert_eq!(store.withdraw(&a, id, dec("1.00"), t0()).await.unwrap_err().code(), "NOT_FOUND");
    assert_eq!(store.accept_link(&a, id, t0()).await.unwrap_err().code(), "NOT_FOUND");
    assert_eq!(store.cancel_trade(&a, id, t0()).await.unwrap_err().code(), "NOT_FOUND");
    let read = NotificationEvent::MarkRead;
    assert_eq!(store.mark_notification(&a, id, read, t0()).await.unwrap_err().code(), "NOT_FOUND");
    assert_eq!(store.users().record_login(&a, id, t0()).await.unwrap_err().code(), "NOT_FOUND");
    assert_eq!(
        store
            .feature_flags()
            .update(&a, &flag("f", Environment::Dev, true))
            .await
            .unwrap_err()
            .code(),
        "NOT_FOUND"
    );
});

both_backends!(unknown_references_are_not_found_and_write_nothing, |store: Store| async move {
    let a = admin();
    let ghost = Uuid::new_v4();
    let p = portfolio(ghost, "10.00");
    let e = try_given(&store, &p).await.unwrap_err();
    assert!(
        matches!(e.as_domain(), Some(ElsonError::NotFound { entity, id }) if entity == "user" && *id == ghost.to_string()),
        "{e}"
    );
    assert_eq!(store.portfolios().get(&a, p.id).await.unwrap_err().code(), "NOT_FOUND");
    let t = trade(ghost, "AAPL", t0());
    let e = try_given(&store, ImportBatch { trades: vec![t], ..ImportBatch::default() })
        .await
        .unwrap_err();
    assert!(
        matches!(e.as_domain(), Some(ElsonError::NotFound { entity, .. }) if entity == "portfolio"),
        "{e}"
    );
    let n = notification(ghost);
    assert_eq!(try_given(&store, &n).await.unwrap_err().code(), "NOT_FOUND");
    let u = user(UserRole::Guardian, "g@example.com");
    given(&store, &u).await;
    let e = try_given(&store, &relationship(u.id, ghost)).await.unwrap_err();
    assert_eq!(e.code(), "NOT_FOUND");
});

both_backends!(duplicates_are_conflicts, |store: Store| async move {
    let a = admin();
    let u = user(UserRole::User, "dup@example.com");
    given(&store, &u).await;
    let mut twin = user(UserRole::User, "dup@example.com");
    twin.first_name = Some("Twin".into());
    let e = try_given(&store, &twin).await.unwrap_err();
    assert!(
        matches!(e.as_domain(), Some(ElsonError::Conflict { reason }) if reason.contains("email")),
        "{e}"
    );
    assert_eq!(
        store.users().get(&a, twin.id).await.unwrap_err().code(),
        "NOT_FOUND",
        "nothing written"
    );
    assert_eq!(
        store.users().find_for_login(&a, "dup@example.com").await.unwrap().unwrap().id,
        u.id
    );

    let mut same_id = user(UserRole::User, "other@example.com");
    same_id.id = u.id;
    let e = try_given(&store, &same_id).await.unwrap_err();
    assert!(
        matches!(e.as_domain(), Some(ElsonError::Conflict { reason }) if reason.contains("id")),
        "{e}"
    );

    // Two positions of one symbol: refused before the unique index sees them.
    let (mut batch, p, _) = holding(u.id, "1.00", "AAPL");
    batch.positions.push(position(p.id, "AAPL"));
    let e = try_given(&store, batch).await.unwrap_err();
    assert_eq!(field_of(&e), "symbol");
    assert_eq!(store.portfolios().get(&a, p.id).await.unwrap_err().code(), "NOT_FOUND");

    store.feature_flags().insert(&a, &flag("f", Environment::Beta, true)).await.unwrap();
    assert_eq!(
        store
            .feature_flags()
            .insert(&a, &flag("f", Environment::Beta, false))
            .await
            .unwrap_err()
            .code(),
        "CONFLICT"
    );
    store.feature_flags().insert(&a, &flag("f", Environment::Dev, false)).await.unwrap();

    let (g, m, _) = family(&store, "d").await;
    assert_eq!(try_given(&store, &relationship(g.id, m.id)).await.unwrap_err().code(), "CONFLICT");
});

both_backends!(oversize_text_and_bad_values_are_input_errors, |store: Store| async move {
    let a = admin();
    let mut u = user(UserRole::User, "ok@example.com");
    u.first_name = Some("x".repeat(101));
    assert_eq!(field_of(&try_given(&store, &u).await.unwrap_err()), "first_name");
    let mut u = user(UserRole::User, &format!("{}@example.com", "x".repeat(250)));
    assert_eq!(field_of(&try_given(&store, &u).await.unwrap_err()), "email");
    u.email = "Upper@Example.com".into();
    assert_eq!(field_of(&try_given(&store, &u).await.unwrap_err()), "email");
    u.email = "no-at-sign".into();
    assert_eq!(field_of(&try_given(&store, &u).await.unwrap_err()), "email");
    assert!(
        store
            .users()
            .list_by_role_status(&a, UserRole::User, UserStatus::Active, 10, 0)
            .await
            .unwrap()
            .is_empty(),
        "nothing written"
    );

    let owner = user(UserRole::User, "owner@example.com");
    given(&store, &owner).await;
    let mut n = notification(owner.id);
    n.title = "t".repeat(101);
    assert_eq!(field_of(&try_given(&store, &n).await.unwrap_err()), "title");
    let mut f = feedback(owner.id, t0());
    f.screenshots = vec!["u".repeat(256)];
    assert_eq!(field_of(&try_given(&store, &f).await.unwrap_err()), "screenshots");
    let mut ff = flag("x", Environment::Beta, true);
    ff.user_percentage = 101;
    assert_eq!(
        field_of(&store.feature_flags().insert(&a, &ff).await.unwrap_err()),
        "user_percentage"
    );
    ff.user_percentage = 10;
    ff.flag_name = String::new();
    assert_eq!(field_of(&store.feature_flags().insert(&a, &ff).await.unwrap_err()), "flag_name");

    let mut p = portfolio(owner.id, "1.00");
    p.risk_score = Some(101);
    assert_eq!(field_of(&try_given(&store, &p).await.unwrap_err()), "risk_score");
    p.risk_score = None;
    p.cash_balance = dec("-0.01");
    assert_eq!(field_of(&try_given(&store, &p).await.unwrap_err()), "cash_balance");
    p.cash_balance = dec("1.001");
    assert_eq!(field_of(&try_given(&store, &p).await.unwrap_err()), "cash_balance");
    assert!(
        store.portfolios().list_for_user(&a, owner.id).await.unwrap().is_empty(),
        "nothing written"
    );

    let mut r = relationship(owner.id, owner.id);
    assert_eq!(field_of(&try_given(&store, &r).await.unwrap_err()), "minor_id");
    let (_, minor, _) = family(&store, "bad").await;
    r.minor_id = minor.id;
    r.approval_settings.max_trade_amount = Some(dec("-5"));
    assert_eq!(
        field_of(&try_given(&store, &r).await.unwrap_err()),
        "approval_settings.max_trade_amount"
    );

    let mp = model_parameter(at(10), Some(at(10)));
    assert_eq!(
        field_of(&store.model_parameters().insert(&a, &mp).await.unwrap_err()),
        "effective_to"
    );
    assert_eq!(
        field_of(&store.trades().history(&a, Uuid::new_v4(), 0, 0).await.unwrap_err()),
        "limit"
    );
    assert_eq!(
        field_of(&store.trades().history(&a, Uuid::new_v4(), 10, -1).await.unwrap_err()),
        "offset"
    );
});

both_backends!(decimal_overflow_is_an_input_error, |store: Store| async move {
    let a = admin();
    let owner = user(UserRole::User, "rich@example.com");
    given(&store, &owner).await;
    let p = portfolio(owner.id, "9999999999999.99");
    given(&store, &p).await;
    let mut too_big = portfolio(owner.id, "10000000000000.00");
    too_big.total_value = dec("1");
    assert_eq!(field_of(&try_given(&store, &too_big).await.unwrap_err()), "cash_balance");

    // A trade comes in with its portfolio.
    let fresh = portfolio(owner.id, "0.00");
    let with_trade = |t: &Trade| ImportBatch {
        portfolios: vec![fresh.clone()],
        trades: vec![t.clone()],
        ..ImportBatch::default()
    };
    let mut t = trade(fresh.id, "AAPL", t0());
    t.guardian_approval = GuardianApproval::NotRequired;
    t.quantity = dec("0.0000001");
    assert_eq!(field_of(&try_given(&store, with_trade(&t)).await.unwrap_err()), "quantity");
    t.quantity = dec("0");
    assert_eq!(field_of(&try_given(&store, with_trade(&t)).await.unwrap_err()), "quantity");
    t.quantity = dec("1");
    t.confidence_score = Some(dec("1.01"));
    let e = try_given(&store, with_trade(&t)).await.unwrap_err();
    assert_eq!(field_of(&e), "confidence_score");
    t.confidence_score = None;
    t.fees = Some(dec("100000000.00"));
    assert_eq!(field_of(&try_given(&store, with_trade(&t)).await.unwrap_err()), "fees");
    assert_eq!(store.portfolios().get(&a, fresh.id).await.unwrap_err().code(), "NOT_FOUND");
    assert!(
        store.trades().history(&a, fresh.id, 10, 0).await.unwrap().is_empty(),
        "nothing written"
    );

    let mut b = backtest();
    b.sharpe_ratio = dec("1000000.0000");
    assert_eq!(
        field_of(&store.backtest_results().insert(&a, &b).await.unwrap_err()),
        "sharpe_ratio"
    );
    b.sharpe_ratio = dec("1");
    b.win_rate = dec("100.01");
    assert_eq!(field_of(&store.backtest_results().insert(&a, &b).await.unwrap_err()), "win_rate");
    let mut v = regime("SPY", t0(), VolatilityLevel::Low, 1);
    v.volatility_value = dec("0.00001");
    assert_eq!(
        field_of(&store.volatility_regimes().insert(&a, &v).await.unwrap_err()),
        "volatility_value"
    );

    // The biggest value that fits round-trips exactly.
    assert_eq!(p.total_value, dec("9999999999999.99"));
    assert_eq!(
        store.portfolios().get(&a, p.id).await.unwrap().total_value,
        dec("9999999999999.99")
    );
});

both_backends!(executed_at_must_match_status_in_the_database, |store: Store| async move {
    let a = admin();
    let (_, m, _) = family(&store, "e").await;
    let p = portfolio(m.id, "0.00");
    let mut t = trade(p.id, "AAPL", t0());
    t.executed_at = Some(at(1)); // but status PENDING
    let batch =
        ImportBatch { portfolios: vec![p], trades: vec![t.clone()], ..ImportBatch::default() };
    let e = try_given(&store, batch).await.unwrap_err();
    assert_eq!(field_of(&e), "executed_at");
    assert_eq!(store.trades().get(&a, t.id).await.unwrap_err().code(), "NOT_FOUND");
});

#[tokio::test]
async fn malformed_settings_json_in_the_database_is_a_typed_error() {
    // Settings written by something else than the store (a manual fix, an
    // old version) are parsed as strictly as input: an unknown key is refused.
    let dir = std::env::temp_dir().join(format!("elson-json-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("elson.db");
    let store = Store::open(&format!("sqlite://{}", path.display())).await.unwrap();
    let (g, _, _) = family(&store, "json").await;
    let mut raw = {
        use sqlx::ConnectOptions;
        sqlx::sqlite::SqliteConnectOptions::new().filename(&path).connect().await.unwrap()
    };
    sqlx::query("UPDATE relationships SET permissions = '{\"tradng\": true}'")
        .execute(&mut raw)
        .await
        .unwrap();
    let e = store.relationships().list_for_guardian(&admin(), g.id).await.unwrap_err();
    assert!(
        matches!(e.as_domain(), Some(ElsonError::InvalidInput { field, .. }) if field == "permissions"),
        "{e}"
    );
    sqlx::query("UPDATE relationships SET permissions = '[1, 2]'").execute(&mut raw).await.unwrap();
    assert_eq!(
        store.relationships().list_for_guardian(&admin(), g.id).await.unwrap_err().code(),
        "INVALID_INPUT"
    );
    store.close().await;
    std::fs::remove_dir_all(&dir).ok();
}

/// Issue 15 item 12: identifiers with NUL, other control characters or
/// Unicode bidirectional controls. SQLite stored them and PostgreSQL
/// answered `StorageError` (its text cannot hold NUL); both now refuse
/// them as `InvalidInput` naming the field, before anything is written.
const BAD_IDENTIFIERS: [&str; 8] = [
    "AA\0PL",
    "AAPL\u{7}",
    "AA\nPL",
    "AA\u{202e}LPA",
    "AAPL\u{2066}",
    "\u{200f}AAPL",
    "AA\u{61c}PL",
    "AAPL\u{85}",
];

both_backends!(
    identifiers_with_control_or_bidi_characters_are_refused_alike,
    |store: Store| async move {
        use elson_store::OrderRequest;
        use elson_store::elson_core::entities::NewTrade;
        let a = admin();
        let u = user(UserRole::User, "identifiers@example.com");
        given(&store, &u).await;
        let mut p = portfolio(u.id, "1000.00");
        p.guardian_approval = false;
        given(&store, &p).await;
        // Whole rows come in with a portfolio of their own (not written).
        let fresh = portfolio(u.id, "0.00");
        let rows = |t: Option<Trade>, x: Option<Position>| ImportBatch {
            portfolios: vec![fresh.clone()],
            trades: t.into_iter().collect(),
            positions: x.into_iter().collect(),
            ..ImportBatch::default()
        };

        for bad in BAD_IDENTIFIERS {
            let order = OrderRequest {
                trade: NewTrade::market(Uuid::now_v7(), p.id, bad, TradeSide::Buy, dec("1")),
                asset_type: AssetType::Stock,
                market_price: Some(dec("10.00")),
            };
            let e = store.place_trade(&a, order, at(1)).await.unwrap_err();
            assert_eq!(field_of(&e), "symbol", "{bad:?}");

            let e = try_given(&store, rows(Some(trade(fresh.id, bad, at(2))), None)).await;
            assert_eq!(field_of(&e.unwrap_err()), "symbol", "{bad:?}");
            let e = try_given(&store, rows(None, Some(position(fresh.id, bad)))).await;
            assert_eq!(field_of(&e.unwrap_err()), "symbol", "{bad:?}");
            let mut pos = position(fresh.id, "VTI");
            pos.sector = Some(format!("Tech{bad}"));
            let e = try_given(&store, rows(None, Some(pos))).await;
            assert_eq!(field_of(&e.unwrap_err()), "sector", "{bad:?}");
            let v = regime(bad, at(3), VolatilityLevel::Low, 1);
            let e = store.volatility_regimes().insert(&a, &v).await.unwrap_err();
            assert_eq!(field_of(&e), "symbol", "{bad:?}");
            let mut b = backtest();
            b.model_version = format!("v1{bad}");
            let e = store.backtest_results().insert(&a, &b).await.unwrap_err();
            assert_eq!(field_of(&e), "model_version", "{bad:?}");
            let mut mp = model_parameter(at(0), None);
            mp.parameter_name = format!("max{bad}");
            let e = store.model_parameters().insert(&a, &mp).await.unwrap_err();
            assert_eq!(field_of(&e), "parameter_name", "{bad:?}");
            let e = store
                .feature_flags()
                .insert(&a, &flag(&format!("beta{bad}"), Environment::Beta, true))
                .await
                .unwrap_err();
            assert_eq!(field_of(&e), "flag_name", "{bad:?}");
        }
        // Nothing was written: no trade, no position, cash untouched.
        assert!(store.trades().history(&a, p.id, 100, 0).await.unwrap().is_empty());
        assert!(store.positions().list_for_portfolio(&a, p.id).await.unwrap().is_empty());
        assert_eq!(store.portfolios().get(&a, p.id).await.unwrap().cash_balance, dec("1000.00"));
        // Free text keeps tabs, newlines and right-to-left marks (prose in
        // any script), but never NUL, which PostgreSQL cannot store.
        let mut t = trade(fresh.id, "AAPL", at(5));
        t.guardian_approval = GuardianApproval::NotRequired;
        t.notes = Some("nul\0inside".into());
        assert_eq!(field_of(&try_given(&store, rows(Some(t), None)).await.unwrap_err()), "notes");
        let mut t = trade(fresh.id, "AAPL", at(4));
        t.guardian_approval = GuardianApproval::NotRequired;
        t.notes = Some("line one\n\tשלום \u{200f}(RTL)".into());
        given(&store, rows(Some(t.clone()), None)).await;
        assert_eq!(store.trades().get(&a, t.id).await.unwrap(), t);
    }
);

// Issue 15 item 12: the store validated a flag with its own column checks,
// so a name the core's constructor refuses (surrounding whitespace, which
// moves every user's rollout bucket) was stored. Insert and update now go
// through the core's rules for a flag.
both_backends!(feature_flags_are_checked_by_the_core_rules, |store: Store| async move {
    let a = admin();
    for bad in [" beta-search", "beta-search ", "\tbeta-search", "beta-search\n"] {
        let e = store.feature_flags().insert(&a, &flag(bad, Environment::Beta, true)).await;
        assert_eq!(field_of(&e.unwrap_err()), "flag_name", "{bad:?}");
    }
    let mut f = flag("beta-search", Environment::Beta, true);
    store.feature_flags().insert(&a, &f).await.unwrap();
    f.flag_name = "beta-search ".into();
    assert_eq!(field_of(&store.feature_flags().update(&a, &f).await.unwrap_err()), "flag_name");
    // An expiry at or before creation is refused as the constructor does.
    f.flag_name = "beta-search".into();
    f.expires_at = Some(f.created_at);
    assert_eq!(field_of(&store.feature_flags().update(&a, &f).await.unwrap_err()), "expires_at");
    let stored = store.feature_flags().get(&a, f.id).await.unwrap();
    assert_eq!(stored.flag_name, "beta-search");
    assert_eq!(stored.expires_at, Some(at(86_400)));
    assert!(store.feature_flags().enabled_in(&a, Environment::Beta).await.unwrap().len() == 1);
});
