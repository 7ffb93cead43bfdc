//! Hostile routes, on both backends: every role (USER, MINOR, GUARDIAN of
//! the family, GUARDIAN of another family, a suspended user, ADMIN, the
//! system) tries every way to change money, positions, a trade's status,
//! approval, quantity or price, links, notifications and feedback. Each
//! refused route answers its typed error, writes no domain row, and leaves
//! an audit row with that error's code; each allowed route does exactly
//! what the core says.
//!
//! Routes that no longer exist (a row `update` of a portfolio, an `insert`
//! of a position or trade, a fee schedule passed by the caller, a link's
//! minor changed) are refused at compile time; see the `compile_fail`
//! examples of `elson_store::commands`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use elson_store::elson_core::accounting::FeeSchedule;
use elson_store::elson_core::entities::{
    NewBetaFeedback, NewPortfolio, NewTrade, NotificationEvent, PortfolioSettings, User,
};
use elson_store::elson_core::enums::*;
use elson_store::elson_core::families::{Permissions, Verdict};
use elson_store::{
    Actor, Fill, ImportBatch, NewAccount, NewLink, OrderRequest, Store, StoreOptions,
};
use rust_decimal::Decimal;
use uuid::Uuid;

/// Asserts that `$call` is refused with `$code`, writes no domain row, and
/// leaves an audit row of `$actor` with outcome `$code`.
macro_rules! refused {
    ($store:expr, $url:expr, $actor:expr, $code:expr, $call:expr) => {{
        let before = domain_counts(&$url).await;
        let e = $call.await.expect_err(concat!("must be refused: ", stringify!($call)));
        assert_eq!(e.code(), $code, "{}: {e}", stringify!($call));
        assert_eq!(domain_counts(&$url).await, before, "no domain row: {}", stringify!($call));
        let log = $store.audit_log().recent(&admin(), 5).await.unwrap();
        assert!(
            log.iter().any(|x| x.actor_id == $actor.id && x.outcome == $code),
            "an audit row of the refusal of {}: {log:#?}",
            stringify!($call)
        );
    }};
}

struct World {
    ga: User,
    ma: User,
    pa: Uuid,
    gb: User,
    pb: Uuid,
    plain: User,
    pp: Uuid,
    suspended: User,
    ps: Uuid,
    admin_user: User,
}

async fn world(store: &Store) -> World {
    let (ga, ma, pa) = family(store, "a").await;
    let (gb, _mb, pb) = family(store, "b").await;
    let plain = user(UserRole::User, "plain@example.com");
    let mut suspended = user(UserRole::User, "suspended@example.com");
    suspended.status = UserStatus::Suspended;
    let admin_user = user(UserRole::Admin, "admin@example.com");
    let mut pp = portfolio(plain.id, "500.00");
    pp.guardian_approval = false;
    let ps = portfolio(suspended.id, "500.00");
    let batch = ImportBatch {
        users: vec![plain.clone(), suspended.clone(), admin_user.clone()],
        portfolios: vec![pp.clone(), ps.clone()],
        ..ImportBatch::default()
    };
    given(store, batch).await;
    World { ga, ma, pa: pa.id, gb, pb: pb.id, plain, pp: pp.id, suspended, ps: ps.id, admin_user }
}

fn market(portfolio_id: Uuid, side: TradeSide, qty: &str) -> OrderRequest {
    OrderRequest {
        trade: NewTrade::market(Uuid::now_v7(), portfolio_id, "AAPL", side, dec(qty)),
        asset_type: AssetType::Stock,
        market_price: Some(dec("10.00")),
    }
}

fn limit(portfolio_id: Uuid, qty: &str, price: &str) -> OrderRequest {
    OrderRequest {
        trade: NewTrade::limit(
            Uuid::now_v7(),
            portfolio_id,
            "AAPL",
            TradeSide::Buy,
            dec(qty),
            dec(price),
        ),
        asset_type: AssetType::Stock,
        market_price: None,
    }
}

fn price(p: &str) -> Fill {
    Fill::at(dec(p), AssetType::Stock)
}

both_backends_url!(an_owner_states_no_price_and_no_fees, |store: Store, url: String| async move {
    let w = world(&store).await;
    let me = Actor::from(&w.plain);
    // "A deposit of 100.00 became 1,000,099.00": buy at 0.01, sell at 10,000.
    let placed = store.place_trade(&me, market(w.pp, TradeSide::Buy, "100"), at(1)).await.unwrap();
    refused!(
        store,
        url,
        me,
        "FORBIDDEN",
        store.execute_trade(&me, placed.trade.id, &price("0.01"), at(2))
    );
    refused!(
        store,
        url,
        me,
        "FORBIDDEN",
        store.place_and_execute(&me, market(w.pp, TradeSide::Buy, "100"), &price("0.01"), at(2))
    );
    // A MARKET order without a price: the owner cannot say what the market is.
    let at_limit = Fill::at_limit(AssetType::Stock);
    refused!(
        store,
        url,
        me,
        "FORBIDDEN",
        store.execute_trade(&me, placed.trade.id, &at_limit, at(2))
    );
    // Marking one's own holdings up (to raise the sizing limit) is refused.
    refused!(
        store,
        url,
        me,
        "FORBIDDEN",
        store.mark_to_market(&me, w.pp, &[("AAPL", dec("10000.00"))], at(3))
    );
    // Nor at "their own limit": an owner who sets the limit sets the price.
    let cheap = limit(w.pp, "100", "0.01");
    refused!(store, url, me, "FORBIDDEN", store.place_and_execute(&me, cheap, &at_limit, at(4)));
    let waiting = store.place_trade(&me, limit(w.pp, "2", "10.00"), at(4)).await.unwrap();
    refused!(
        store,
        url,
        me,
        "FORBIDDEN",
        store.execute_trade(&me, waiting.trade.id, &at_limit, at(4))
    );
    // The price feed fills the LIMIT order at its limit, with the platform's fees.
    let done = store.execute_trade(&admin(), waiting.trade.id, &at_limit, at(4)).await.unwrap();
    let fees = FeeSchedule::default().fee(dec("20.00")).unwrap();
    assert_eq!(done.trade.status, TradeStatus::Executed);
    assert_eq!((done.trade.price, done.trade.fees), (Some(dec("10.00")), Some(fees)));
    assert_eq!(done.portfolio.cash_balance, dec("500.00") - dec("20.00") - fees);
    // ... and the price feed fills the waiting MARKET order at the market.
    let filled = store.execute_trade(&admin(), placed.trade.id, &price("3.00"), at(5)).await;
    assert_eq!(filled.unwrap().trade.price, Some(dec("3.00")));
});

both_backends!(fees_are_the_platforms, |store: Store| async move {
    let _ = store;
    for (fees, expected) in [(FeeSchedule::zero(), "0.00"), (FeeSchedule::default(), "0.50")] {
        let opts = StoreOptions { fees, ..StoreOptions::default() };
        let store = Store::open_with("sqlite::memory:", opts).await.unwrap();
        let w = world(&store).await;
        let order = market(w.pp, TradeSide::Buy, "1");
        let r = store.place_and_execute(&admin(), order, &price("10.00"), at(1)).await.unwrap();
        assert_eq!(r.trade.fees, Some(dec(expected)));
    }
});

both_backends_url!(a_minor_decides_nothing_for_themself, |store: Store, url: String| async move {
    let w = world(&store).await;
    let kid = Actor::from(&w.ma);
    let placed = store.place_trade(&kid, market(w.pa, TradeSide::Buy, "10"), at(1)).await.unwrap();
    assert_eq!(placed.trade.guardian_approval, GuardianApproval::Pending);
    refused!(
        store,
        url,
        kid,
        "FORBIDDEN",
        store.decide_trade(&kid, placed.trade.id, Verdict::Approve, at(2))
    );
    let g = Actor::from(&w.ga);
    store.decide_trade(&g, placed.trade.id, Verdict::Approve, at(3)).await.unwrap();
    // Approved: still the child states no price.
    refused!(
        store,
        url,
        kid,
        "FORBIDDEN",
        store.execute_trade(&kid, placed.trade.id, &price("0.01"), at(4))
    );
    let link = store.relationships().list_for_minor(&kid, w.ma.id).await.unwrap().remove(0);
    let all = Permissions {
        trading: true,
        withdrawals: true,
        advanced_orders: true,
        ..Permissions::default()
    };
    let settings = link.approval_settings.clone();
    refused!(
        store,
        url,
        kid,
        "FORBIDDEN",
        store.update_link_settings(&kid, link.id, all, settings, at(5))
    );
    let mut off = PortfolioSettings::of(&store.portfolios().get(&kid, w.pa).await.unwrap());
    off.guardian_approval = false;
    refused!(store, url, kid, "FORBIDDEN", store.update_portfolio_settings(&kid, w.pa, off, at(5)));
    refused!(store, url, kid, "FORBIDDEN", store.withdraw(&kid, w.pa, dec("1.00"), at(5)));
    let mut bold = profile_of(&w.ma);
    bold.risk_profile = Some(RiskProfile::Aggressive);
    refused!(store, url, kid, "FORBIDDEN", store.update_profile(&kid, w.ma.id, bold, at(5)));
    refused!(
        store,
        url,
        kid,
        "FORBIDDEN",
        store.mark_to_market(&kid, w.pa, &[("AAPL", dec("99.00"))], at(5))
    );
    // The guardian's approval request is not the child's to read or archive.
    let theirs = store.notifications().list_for_user(&g, w.ga.id, 10, 0).await.unwrap();
    let request = theirs.first().expect("the guardian was asked").id;
    refused!(
        store,
        url,
        kid,
        "FORBIDDEN",
        store.mark_notification(&kid, request, NotificationEvent::Archive, at(6))
    );
    // The price feed executes the approved order.
    store.execute_trade(&admin(), placed.trade.id, &price("10.00"), at(7)).await.unwrap();
});

both_backends_url!(
    guardians_decide_but_never_act_for_the_child,
    |store: Store, url: String| async move {
        let w = world(&store).await;
        let g = Actor::from(&w.ga);
        let kid = Actor::from(&w.ma);
        let placed =
            store.place_trade(&kid, market(w.pa, TradeSide::Buy, "10"), at(1)).await.unwrap();
        refused!(store, url, g, "FORBIDDEN", store.cancel_trade(&g, placed.trade.id, at(2)));
        refused!(
            store,
            url,
            g,
            "FORBIDDEN",
            store.execute_trade(&g, placed.trade.id, &price("10.00"), at(2))
        );
        refused!(store, url, g, "FORBIDDEN", store.withdraw(&g, w.pa, dec("1.00"), at(2)));
        refused!(
            store,
            url,
            g,
            "FORBIDDEN",
            store.place_trade(&g, market(w.pa, TradeSide::Buy, "1"), at(2))
        );
        // The last ACTIVE guardian stays.
        let link = store.relationships().list_for_guardian(&g, w.ga.id).await.unwrap().remove(0);
        refused!(store, url, g, "CONFLICT", store.deactivate_link(&g, link.id, at(3)));
        // Settings are the guardian's; the two people linked are not.
        let strict = Permissions { trading: false, ..link.permissions };
        let changed = store
            .update_link_settings(&g, link.id, strict, link.approval_settings.clone(), at(4))
            .await
            .unwrap();
        assert_eq!((changed.guardian_id, changed.minor_id), (w.ga.id, w.ma.id));
        assert!(!changed.permissions.trading);
    }
);

both_backends_url!(another_familys_guardian_gets_nothing, |store: Store, url: String| async move {
    let w = world(&store).await;
    let other = Actor::from(&w.gb);
    let kid = Actor::from(&w.ma);
    let placed = store.place_trade(&kid, market(w.pa, TradeSide::Buy, "10"), at(1)).await.unwrap();
    refused!(
        store,
        url,
        other,
        "FORBIDDEN",
        store.decide_trade(&other, placed.trade.id, Verdict::Approve, at(2))
    );
    let ours = store.relationships().list_for_minor(&admin(), w.ma.id).await.unwrap().remove(0);
    let strict = Permissions::default();
    refused!(
        store,
        url,
        other,
        "FORBIDDEN",
        store.update_link_settings(&other, ours.id, strict, ours.approval_settings.clone(), at(2))
    );
    refused!(store, url, other, "FORBIDDEN", store.deactivate_link(&other, ours.id, at(2)));
    refused!(store, url, other, "FORBIDDEN", store.deposit(&other, w.pa, dec("1.00"), at(2)));
    refused!(
        store,
        url,
        other,
        "FORBIDDEN",
        store.open_portfolio(&other, Uuid::new_v4(), NewPortfolio::standard(w.ma.id, "x"), at(2))
    );
    // Proposing themself is allowed and grants nothing; verifying it is not theirs.
    let proposal =
        store.link_guardian(&other, w.ma.id, NewLink::parent(w.gb.id), at(3)).await.unwrap();
    assert_eq!(proposal.status, RelationshipStatus::Pending);
    refused!(store, url, other, "FORBIDDEN", store.accept_link(&other, proposal.id, at(4)));
    refused!(
        store,
        url,
        other,
        "FORBIDDEN",
        store.decide_trade(&other, placed.trade.id, Verdict::Approve, at(4))
    );
    assert_eq!(store.portfolios().get(&other, w.pa).await.unwrap_err().code(), "FORBIDDEN");
    let _ = w.pb;
});

both_backends_url!(a_suspended_user_does_nothing, |store: Store, url: String| async move {
    let w = world(&store).await;
    let s = Actor::from(&w.suspended);
    // Claiming ACTIVE changes nothing: the store reads the standing.
    let claim = Actor { status: UserStatus::Active, ..s };
    refused!(store, url, s, "FORBIDDEN", store.deposit(&claim, w.ps, dec("1.00"), at(1)));
    refused!(store, url, s, "FORBIDDEN", store.withdraw(&claim, w.ps, dec("1.00"), at(1)));
    refused!(
        store,
        url,
        s,
        "FORBIDDEN",
        store.place_trade(&claim, market(w.ps, TradeSide::Buy, "1"), at(1))
    );
    refused!(
        store,
        url,
        s,
        "FORBIDDEN",
        store.update_profile(&claim, w.suspended.id, profile_of(&w.suspended), at(1))
    );
    let note = NewBetaFeedback::new(
        w.suspended.id,
        FeedbackType::Bug,
        FeedbackSeverity::Low,
        "let me in",
        "please",
    );
    refused!(store, url, s, "FORBIDDEN", store.submit_feedback(&claim, None, note, at(1)));
    let settings = PortfolioSettings::of(&store.portfolios().get(&admin(), w.ps).await.unwrap());
    refused!(
        store,
        url,
        s,
        "FORBIDDEN",
        store.update_portfolio_settings(&claim, w.ps, settings, at(1))
    );
});

both_backends_url!(admins_operate_but_move_no_money, |store: Store, url: String| async move {
    let w = world(&store).await;
    let a = Actor::from(&w.admin_user);
    refused!(store, url, a, "FORBIDDEN", store.deposit(&a, w.pb, dec("1.00"), at(1)));
    refused!(store, url, a, "FORBIDDEN", store.withdraw(&a, w.pb, dec("1.00"), at(1)));
    refused!(
        store,
        url,
        a,
        "FORBIDDEN",
        store.mark_to_market(&a, w.pp, &[("AAPL", dec("1.00"))], at(1))
    );
    refused!(
        store,
        url,
        a,
        "FORBIDDEN",
        store.place_and_execute(&a, market(w.pp, TradeSide::Buy, "1"), &price("1.00"), at(1))
    );
    refused!(store, url, a, "FORBIDDEN", store.import(&a, ImportBatch::default(), at(1)));
    refused!(
        store,
        url,
        a,
        "FORBIDDEN",
        store.set_role(&a, w.admin_user.id, UserRole::User, at(1))
    );
    // Operating the platform: another user's standing.
    let down = store.set_status(&a, w.plain.id, UserStatus::Suspended, at(2)).await.unwrap();
    assert_eq!(down.status, UserStatus::Suspended);
    let me = Actor::from(&w.plain);
    refused!(store, url, me, "FORBIDDEN", store.deposit(&me, w.pp, dec("1.00"), at(3)));
});

both_backends_url!(
    the_system_may_act_for_anyone_but_break_nothing,
    |store: Store, url: String| async move {
        let w = world(&store).await;
        let sys = admin();
        refused!(
            store,
            url,
            sys,
            "INSUFFICIENT_FUNDS",
            store.withdraw(&sys, w.pp, dec("500.01"), at(1))
        );
        for bad in ["-1", "0", "1000000000000000"] {
            refused!(
                store,
                url,
                sys,
                "INVALID_INPUT",
                store.mark_to_market(&sys, w.pp, &[("NOT-HELD", dec(bad))], at(1))
            );
        }
        refused!(
            store,
            url,
            sys,
            "INVALID_INPUT",
            store.place_and_execute(
                &sys,
                market(w.pp, TradeSide::Sell, "1"),
                &Fill::at_limit(AssetType::Stock),
                at(1)
            )
        );
        refused!(
            store,
            url,
            sys,
            "INSUFFICIENT_QUANTITY",
            store.place_and_execute(
                &sys,
                market(w.pp, TradeSide::Sell, "1"),
                &price("10.00"),
                at(1)
            )
        );
        // Whole rows: every invariant is checked before anything is written.
        let owner = user(UserRole::User, "import@example.com");
        let mut rich = portfolio(owner.id, "10.00");
        rich.total_value = dec("1000000.00");
        let batch = ImportBatch {
            users: vec![owner.clone()],
            portfolios: vec![rich],
            ..ImportBatch::default()
        };
        refused!(store, url, sys, "INVALID_INPUT", store.import(&sys, batch, at(1)));
        let (mut from_nothing, _, _) = holding(owner.id, "0.00", "AAPL");
        from_nothing.users.push(owner.clone());
        from_nothing.trades.clear(); // a position no executed trade explains
        refused!(store, url, sys, "INVALID_INPUT", store.import(&sys, from_nothing, at(1)));
        let mut ghost_sell = portfolio(owner.id, "100.00");
        ghost_sell.guardian_approval = false;
        let mut sold = trade(ghost_sell.id, "AAPL", t0());
        (sold.side, sold.status, sold.executed_at) =
            (TradeSide::Sell, TradeStatus::Executed, Some(t0()));
        (sold.price, sold.fees, sold.total_amount) =
            (Some(dec("10.25")), Some(dec("0.50")), Some(dec("20.00")));
        sold.guardian_approval = GuardianApproval::NotRequired;
        let batch = ImportBatch {
            users: vec![owner.clone()],
            portfolios: vec![ghost_sell],
            trades: vec![sold],
            ..ImportBatch::default()
        };
        refused!(store, url, sys, "INVALID_INPUT", store.import(&sys, batch, at(1)));
        let lonely = user(UserRole::Minor, "lonely@example.com");
        refused!(
            store,
            url,
            sys,
            "INVALID_INPUT",
            store.import(
                &sys,
                ImportBatch { users: vec![lonely], ..ImportBatch::default() },
                at(1)
            )
        );
        let mut nil = user(UserRole::User, "nil@example.com");
        nil.id = Uuid::nil();
        refused!(
            store,
            url,
            sys,
            "INVALID_INPUT",
            store.import(&sys, ImportBatch { users: vec![nil], ..ImportBatch::default() }, at(1))
        );
        // A minor approving their own trade by import: approval on an adult's trade.
        let mut self_approved = portfolio(owner.id, "0.00");
        self_approved.guardian_approval = true;
        let mut t = trade(self_approved.id, "AAPL", t0());
        t.guardian_approval = GuardianApproval::Approved;
        let batch = ImportBatch {
            users: vec![owner.clone()],
            portfolios: vec![self_approved],
            trades: vec![t],
            ..ImportBatch::default()
        };
        refused!(store, url, sys, "INVALID_INPUT", store.import(&sys, batch, at(1)));
        // A MINOR is enrolled with a guardian, only while under 18.
        let mut adult = NewAccount::new("adult@example.com", "a long passphrase", UserRole::Minor);
        adult.date_of_birth = chrono::NaiveDate::from_ymd_opt(1990, 1, 1);
        refused!(
            store,
            url,
            sys,
            "INVALID_INPUT",
            store.enroll_minor(&sys, adult, NewLink::parent(w.ga.id), at(1))
        );
        // Issue 15 item 7: no account under the system actor's nil id, not even
        // by a sign-up claiming it.
        let mut nil_account =
            NewAccount::new("nil@example.com", "a long passphrase", UserRole::User);
        nil_account.id = Some(Uuid::nil());
        let claim = Actor { id: Uuid::nil(), role: UserRole::User, status: UserStatus::Active };
        refused!(
            store,
            url,
            claim,
            "INVALID_INPUT",
            store.create_user(&claim, nil_account.clone(), at(1))
        );
        refused!(store, url, sys, "INVALID_INPUT", store.create_user(&sys, nil_account, at(1)));
        let no_guardian = NewAccount::new("kid@example.com", "a long passphrase", UserRole::Minor);
        refused!(store, url, sys, "INVALID_INPUT", store.create_user(&sys, no_guardian, at(1)));
        refused!(
            store,
            url,
            sys,
            "INVALID_INPUT",
            store.set_role(&sys, w.plain.id, UserRole::Minor, at(1))
        );
        // What the system may do, it does through the core.
        let p = store.withdraw(&sys, w.pp, dec("100.00"), at(2)).await.unwrap();
        assert_eq!((p.cash_balance, p.total_value), (dec("400.00"), dec("400.00")));
        let _ = Decimal::ZERO;
    }
);

both_backends_url!(a_child_is_enrolled_with_a_guardian, |store: Store, url: String| async move {
    let w = world(&store).await;
    let sys = admin();
    let mut kid = NewAccount::new("new-kid@example.com", "a long passphrase", UserRole::Minor);
    kid.date_of_birth = chrono::NaiveDate::from_ymd_opt(2015, 6, 1);
    let g = Actor::from(&w.ga);
    // A guardian may not create accounts, not even their child's.
    refused!(
        store,
        url,
        g,
        "FORBIDDEN",
        store.enroll_minor(&g, kid.clone(), NewLink::parent(w.ga.id), at(1))
    );
    let (minor, link) =
        store.enroll_minor(&sys, kid, NewLink::parent(w.ga.id), at(2)).await.unwrap();
    assert_eq!((minor.role, link.status), (UserRole::Minor, RelationshipStatus::Active));
    assert_eq!((link.guardian_id, link.minor_id), (w.ga.id, minor.id));
    // The guardian now reads the child's profile (audited).
    assert_eq!(store.users().get(&g, minor.id).await.unwrap().id, minor.id);
    // Only a GUARDIAN links to a MINOR.
    let mut wrong = NewAccount::new("kid2@example.com", "a long passphrase", UserRole::Minor);
    wrong.date_of_birth = chrono::NaiveDate::from_ymd_opt(2015, 6, 1);
    refused!(
        store,
        url,
        sys,
        "INVALID_INPUT",
        store.enroll_minor(&sys, wrong, NewLink::parent(w.plain.id), at(3))
    );
});

/// Issue 15 item 4: a plain SQLite connection to the file cannot rewrite
/// the audit log: REPLACE and INSERT OR REPLACE delete the old row without
/// the DELETE trigger, so an insert naming an existing id is refused; an
/// UPSERT's update is an UPDATE, refused as ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_audit_log_refuses_replace_and_upsert() {
    use sqlx::{Connection, Row};
    let (store, url) = sqlite_file_store().await;
    let _ = world(&store).await;
    store.deposit(&admin(), Uuid::new_v4(), dec("1.00"), at(1)).await.unwrap_err();
    let mut raw = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let snapshot = "SELECT group_concat(id || action || outcome, ';') AS s FROM audit_log";
    let before: String = sqlx::query(snapshot).fetch_one(&mut raw).await.unwrap().get("s");
    for sql in [
        "REPLACE INTO audit_log SELECT id, actor_id, 'rewritten', entity, entity_id, at, 'OK', NULL \
         FROM audit_log",
        "INSERT OR REPLACE INTO audit_log SELECT id, actor_id, 'rewritten', entity, entity_id, at, \
         'OK', NULL FROM audit_log",
        "INSERT INTO audit_log SELECT id, actor_id, action, entity, entity_id, at, outcome, detail \
         FROM audit_log WHERE true ON CONFLICT (id) DO UPDATE SET outcome = 'OK'",
    ] {
        let e = sqlx::query(sql).execute(&mut raw).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    let after: String = sqlx::query(snapshot).fetch_one(&mut raw).await.unwrap().get("s");
    assert_eq!(after, before, "the log is as it was");
    raw.close().await.unwrap();
    store.close().await;
    remove_sqlite_file(&url);
}

// Issue 15 item 8: once a database holds encrypted PII, a store opened
// without its key provider refuses to write a user's PII (it would sit in
// the clear beside everyone's ciphertext): a typed CRYPTO error, nothing
// written, on record. The reverse — plain rows, then a key provider —
// is the documented upgrade path: the old rows still read, new rows are
// sealed, and `reseal_plaintext_users` seals the old ones.
both_backends_url!(
    pii_is_never_written_in_the_clear_beside_ciphertext,
    |store: Store, url: String| async move {
        use elson_store::security::LocalKeyProvider;
        use std::sync::Arc;
        let plain_first = user(UserRole::User, "plain-first@example.com");
        given(&store, &plain_first).await;
        let keyed = store
            .clone()
            .with_key_provider(Arc::new(LocalKeyProvider::new("k1", [7; 32]).unwrap()));
        // The upgrade path: the plain row reads through the keyed store; new rows are sealed.
        assert_eq!(keyed.users().get(&admin(), plain_first.id).await.unwrap(), plain_first);
        let sealed = user(UserRole::User, "sealed@example.com");
        given(&keyed, &sealed).await;
        assert_eq!(keyed.users().get(&admin(), sealed.id).await.unwrap(), sealed);
        // Now the database encrypts: the key-less store may not add PII in the clear.
        let sys = admin();
        let mut account = NewAccount::new("clear@example.com", "a long passphrase", UserRole::User);
        account.first_name = Some("Cleartext".into());
        refused!(store, url, sys, "CRYPTO", store.create_user(&sys, account.clone(), at(1)));
        let clear = user(UserRole::User, "clear-import@example.com");
        refused!(
            store,
            url,
            sys,
            "CRYPTO",
            store.import(&sys, ImportBatch { users: vec![clear], ..ImportBatch::default() }, at(1))
        );
        let me = Actor::from(&plain_first);
        let mut profile = profile_of(&plain_first);
        profile.first_name = Some("Still plain".into());
        refused!(
            store,
            url,
            me,
            "CRYPTO",
            store.update_profile(&me, plain_first.id, profile.clone(), at(2))
        );
        // With the key, the same writes are sealed and succeed.
        keyed.create_user(&sys, account, at(3)).await.unwrap();
        keyed.update_profile(&me, plain_first.id, profile, at(4)).await.unwrap();
        // An account without PII needs no key.
        let bare = NewAccount::new("bare@example.com", "a long passphrase", UserRole::User);
        store.create_user(&sys, bare, at(5)).await.unwrap();
    }
);
