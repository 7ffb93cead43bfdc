//! Access control on both backends: every call asks `elson_core::authorize`
//! with the actor's stored role and status; denials write no domain row and
//! are recorded; writes and audited reads leave `audit_log` rows that commit
//! and roll back with the call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::*;
use elson_store::elson_core::entities::{NewPortfolio, NewTrade, PortfolioSettings, User};
use elson_store::elson_core::enums::*;
use elson_store::elson_core::families::{Permissions, Verdict};
use elson_store::{
    Actor, AuditEntry, Fill, MemoryAudit, NewAccount, NewLink, OrderRequest, Store, StoreOptions,
};
use uuid::Uuid;

/// Two families, an admin, a plain user and a suspended user.
struct World {
    ga: User,
    ma: User,
    pa: Uuid,
    gb: User,
    pb: Uuid,
    admin: User,
    plain: User,
    plain_p: Uuid,
    suspended: User,
    suspended_p: Uuid,
}

async fn world(store: &Store) -> World {
    let (ga, ma, pa) = family(store, "a").await;
    let (gb, _mb, pb) = family(store, "b").await;
    let real_admin = user(UserRole::Admin, "admin@example.com");
    let plain = user(UserRole::User, "plain@example.com");
    let mut suspended = user(UserRole::User, "suspended@example.com");
    suspended.status = UserStatus::Suspended;
    for u in [&real_admin, &plain, &suspended] {
        given(store, u).await;
    }
    let plain_p = portfolio(plain.id, "500.00");
    let suspended_p = portfolio(suspended.id, "500.00");
    given(store, &plain_p).await;
    given(store, &suspended_p).await;
    World {
        ga,
        ma,
        pa: pa.id,
        gb,
        pb: pb.id,
        admin: real_admin,
        plain,
        plain_p: plain_p.id,
        suspended,
        suspended_p: suspended_p.id,
    }
}

fn market(portfolio_id: Uuid, qty: &str, price: &str) -> OrderRequest {
    OrderRequest {
        trade: NewTrade::market(Uuid::now_v7(), portfolio_id, "VTI", TradeSide::Buy, dec(qty)),
        asset_type: AssetType::Etf,
        market_price: Some(dec(price)),
    }
}

fn fill(price: &str) -> Fill {
    Fill::at(dec(price), AssetType::Etf)
}

async fn log(store: &Store) -> Vec<AuditEntry> {
    store.audit_log().recent(&admin(), 1000).await.unwrap()
}

fn find<'a>(
    log: &'a [AuditEntry],
    actor: Uuid,
    action: &str,
    entity: &str,
    id: Uuid,
) -> Vec<&'a AuditEntry> {
    let id = id.to_string();
    log.iter()
        .filter(|e| {
            e.actor_id == actor
                && e.action == action
                && e.entity == entity
                && e.entity_id.as_deref() == Some(id.as_str())
        })
        .collect()
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, elson_store::StoreError>) {
    assert_eq!(r.unwrap_err().code(), "FORBIDDEN");
}

both_backends!(own_access_is_granted_and_unaudited_reads_leave_no_row, |store: Store| async move {
    let w = world(&store).await;
    let me = Actor::from(&w.plain);
    let p = store.portfolios().get(&me, w.plain_p).await.unwrap();
    assert_eq!(p.user_id, w.plain.id);
    assert_eq!(store.portfolios().list_for_user(&me, w.plain.id).await.unwrap().len(), 1);
    assert_eq!(store.users().get(&me, w.plain.id).await.unwrap().email, w.plain.email);
    // A write of one's own is recorded (basis OWNER); one's own reads are not.
    store.deposit(&me, w.plain_p, dec("10.00"), at(1)).await.unwrap();
    let l = log(&store).await;
    let dep = find(&l, me.id, "deposit", "portfolios", w.plain_p);
    assert_eq!(dep.len(), 1);
    assert_eq!((dep[0].outcome.as_str(), dep[0].detail.as_deref()), ("OK", Some("basis=OWNER")));
    assert!(find(&l, me.id, "get", "portfolios", w.plain_p).is_empty());
    // The system actor's reads are audited.
    store.portfolios().get(&admin(), w.plain_p).await.unwrap();
    let l = log(&store).await;
    let sys = find(&l, Uuid::nil(), "get", "portfolios", w.plain_p);
    assert_eq!(sys.len(), 1);
    assert_eq!(sys[0].detail.as_deref(), Some("basis=ADMIN"));
});

both_backends!(
    guardian_reads_the_minor_audited_but_never_trades_for_them,
    |store: Store| async move {
        let w = world(&store).await;
        let g = Actor::from(&w.ga);
        // Reads of the ward's data: granted, each with an audit row.
        let p = store.portfolios().get(&g, w.pa).await.unwrap();
        assert_eq!(p.user_id, w.ma.id);
        assert!(store.trades().history(&g, w.pa, 10, 0).await.unwrap().is_empty());
        assert_eq!(store.users().get(&g, w.ma.id).await.unwrap().id, w.ma.id);
        let l = log(&store).await;
        let read = find(&l, g.id, "get", "portfolios", w.pa);
        assert_eq!(read.len(), 1, "{l:#?}");
        assert_eq!(
            (read[0].outcome.as_str(), read[0].detail.as_deref()),
            ("OK", Some("basis=GUARDIAN"))
        );
        assert_eq!(find(&l, g.id, "query", "trades", w.pa).len(), 1);
        assert_eq!(find(&l, g.id, "get", "users", w.ma.id).len(), 1);
        // Funding the child's portfolio is allowed; trading for the child is not.
        store.deposit(&g, w.pa, dec("5.00"), at(1)).await.unwrap();
        let order = market(w.pa, "1", "10.00");
        let id = order.trade.id;
        forbidden(store.place_trade(&g, order, at(2)).await);
        forbidden(
            store.place_and_execute(&g, market(w.pa, "1", "10.00"), &fill("10.00"), at(3)).await,
        );
        assert_eq!(store.trades().get(&admin(), id).await.unwrap_err().code(), "NOT_FOUND");
        let l = log(&store).await;
        let denied = find(&l, g.id, "place", "trades", id);
        assert_eq!(denied.len(), 1);
        assert_eq!(denied[0].outcome, "FORBIDDEN");
        assert!(denied[0].detail.as_deref().unwrap().contains("GUARDIAN"), "{:?}", denied[0]);
        // The minor places, the guardian decides: both granted.
        let m = Actor::from(&w.ma);
        let placed = store.place_trade(&m, market(w.pa, "2", "45.10"), at(4)).await.unwrap();
        assert_eq!(store.trades().approval_queue(&g, w.ga.id).await.unwrap().len(), 1);
        // The other family's guardian sees no queue of ours and cannot decide.
        forbidden(store.trades().approval_queue(&Actor::from(&w.gb), w.ga.id).await);
        forbidden(
            store.decide_trade(&Actor::from(&w.gb), placed.trade.id, Verdict::Approve, at(5)).await,
        );
        let d = store.decide_trade(&g, placed.trade.id, Verdict::Approve, at(6)).await.unwrap();
        assert_eq!(d.trade.guardian_approval, GuardianApproval::Approved);
        // ...but the guardian may not cancel or execute it for the child.
        forbidden(store.cancel_trade(&g, placed.trade.id, at(7)).await);
        forbidden(store.execute_trade(&g, placed.trade.id, &fill("45.10"), at(7)).await);
        // Nor does the child state the price: the price feed (the system) does.
        forbidden(store.execute_trade(&m, placed.trade.id, &fill("0.01"), at(7)).await);
        store.execute_trade(&admin(), placed.trade.id, &fill("45.10"), at(8)).await.unwrap();
    }
);

both_backends_url!(
    another_family_is_forbidden_and_nothing_is_written,
    |store: Store, url: String| async move {
        let w = world(&store).await;
        let other = Actor::from(&w.gb);
        let before = domain_counts(&url).await;
        let cash = store.portfolios().get(&admin(), w.pa).await.unwrap().cash_balance;
        forbidden(store.portfolios().get(&other, w.pa).await);
        forbidden(store.portfolios().list_for_user(&other, w.ma.id).await);
        forbidden(store.users().get(&other, w.ma.id).await);
        forbidden(store.trades().history(&other, w.pa, 10, 0).await);
        forbidden(store.positions().list_for_portfolio(&other, w.pa).await);
        forbidden(store.notifications().list_for_user(&other, w.ga.id, 10, 0).await);
        forbidden(store.relationships().list_for_minor(&other, w.ma.id).await);
        forbidden(store.deposit(&other, w.pa, dec("1.00"), at(1)).await);
        forbidden(store.place_trade(&other, market(w.pa, "1", "10.00"), at(1)).await);
        let mut renamed =
            PortfolioSettings::of(&store.portfolios().get(&admin(), w.pa).await.unwrap());
        renamed.name = "mine now".into();
        forbidden(store.update_portfolio_settings(&other, w.pa, renamed, at(1)).await);
        let theirs = NewPortfolio::standard(w.ma.id, "mine");
        forbidden(store.open_portfolio(&other, Uuid::new_v4(), theirs, at(1)).await);
        forbidden(store.withdraw(&other, w.pa, dec("1.00"), at(1)).await);
        forbidden(store.link_guardian(&other, w.ma.id, NewLink::parent(w.ga.id), at(1)).await);
        let mut hijack = profile_of(&store.users().get(&admin(), w.ma.id).await.unwrap());
        hijack.first_name = Some("Hijacked".into());
        forbidden(store.update_profile(&other, w.ma.id, hijack, at(1)).await);
        assert_eq!(domain_counts(&url).await, before, "a denied call writes no domain row");
        assert_eq!(store.portfolios().get(&admin(), w.pa).await.unwrap().cash_balance, cash);
        assert_eq!(store.portfolios().get(&admin(), w.pa).await.unwrap().name, "College fund");
        // Every denial is on record.
        let l = log(&store).await;
        let denials =
            l.iter().filter(|e| e.actor_id == other.id && e.outcome == "FORBIDDEN").count();
        assert_eq!(denials, 14, "{l:#?}");
    }
);

both_backends!(a_forged_role_or_a_suspended_user_is_refused, |store: Store| async move {
    let w = world(&store).await;
    // A USER id claiming ADMIN: the store uses the stored role.
    let forged = Actor { id: w.plain.id, role: UserRole::Admin, status: UserStatus::Active };
    forbidden(store.portfolios().get(&forged, w.pa).await);
    forbidden(
        store
            .users()
            .list_by_role_status(&forged, UserRole::Minor, UserStatus::Active, 10, 0)
            .await,
    );
    forbidden(
        store.feature_flags().insert(&forged, &flag("forged", Environment::Beta, true)).await,
    );
    forbidden(store.audit_log().recent(&forged, 10).await);
    // ...and the nil id with another role is not the system actor.
    let fake_system = Actor { role: UserRole::User, ..admin() };
    forbidden(store.portfolios().get(&fake_system, w.plain_p).await);
    // A suspended user claiming ACTIVE may not even read their own data.
    let s = Actor { status: UserStatus::Active, ..Actor::from(&w.suspended) };
    forbidden(store.portfolios().get(&s, w.suspended_p).await);
    forbidden(store.deposit(&s, w.suspended_p, dec("1.00"), at(1)).await);
    // Suspending a user takes effect on their next call.
    let me = Actor::from(&w.plain);
    store.portfolios().get(&me, w.plain_p).await.unwrap();
    // Standing is an admin's: not the user's own.
    forbidden(store.set_status(&me, w.plain.id, UserStatus::Suspended, at(1)).await);
    store
        .set_status(&Actor::from(&w.admin), w.plain.id, UserStatus::Suspended, at(1))
        .await
        .unwrap();
    forbidden(store.portfolios().get(&me, w.plain_p).await);
    // Trading calls take the standing from their portfolio lock (one round
    // trip fewer on PostgreSQL): the same refusals hold there.
    forbidden(store.deposit(&me, w.plain_p, dec("1.00"), at(2)).await);
    // An id that is no user at all.
    let ghost = Actor { id: Uuid::new_v4(), role: UserRole::Admin, status: UserStatus::Active };
    forbidden(store.portfolios().get(&ghost, w.plain_p).await);
    forbidden(store.deposit(&ghost, w.plain_p, dec("1.00"), at(2)).await);
    forbidden(store.mark_to_market(&ghost, w.plain_p, &[], at(2)).await);
    let l = log(&store).await;
    assert!(l.iter().any(|e| e.actor_id == ghost.id && e.outcome == "FORBIDDEN"));
});

both_backends!(admins_read_audited_but_move_no_money_the_system_does, |store: Store| async move {
    let w = world(&store).await;
    let a = Actor::from(&w.admin);
    store.portfolios().get(&a, w.pb).await.unwrap();
    let l = store.audit_log().recent(&a, 1000).await.unwrap();
    let read = find(&l, a.id, "get", "portfolios", w.pb);
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].detail.as_deref(), Some("basis=ADMIN"));
    forbidden(store.deposit(&a, w.pb, dec("1.00"), at(1)).await);
    forbidden(store.place_trade(&a, market(w.pb, "1", "10.00"), at(1)).await);
    forbidden(
        store.volatility_regimes().insert(&a, &regime("SPY", at(1), VolatilityLevel::Low, 3)).await,
    );
    // The system actor (payment webhook, generator) may, on record.
    let p = store.deposit(&admin(), w.pb, dec("1.00"), at(2)).await.unwrap();
    assert_eq!(p.cash_balance, dec("1001.00"));
    let l = log(&store).await;
    assert_eq!(find(&l, Uuid::nil(), "deposit", "portfolios", w.pb).len(), 1);
    // Admins run the platform: flags.
    store.feature_flags().insert(&a, &flag("new-ui", Environment::Beta, true)).await.unwrap();
    // Ordinary users read neither flags nor the audit log.
    let me = Actor::from(&w.plain);
    forbidden(store.feature_flags().beta_enabled(&me).await);
    forbidden(store.audit_log().recent(&me, 10).await);
    // Market state is public and not audited.
    store.volatility_regimes().recent(&me, "SPY").await.unwrap();
});

both_backends!(
    a_minor_moves_money_only_with_every_guardians_permission,
    |store: Store| async move {
        let w = world(&store).await;
        let m = Actor::from(&w.ma);
        let g = Actor::from(&w.ga);
        let link = store.relationships().list_for_minor(&m, w.ma.id).await.unwrap().remove(0);
        let settings = link.approval_settings.clone();
        let revoked = Permissions { deposits: false, ..link.permissions };
        store.update_link_settings(&g, link.id, revoked, settings.clone(), at(1)).await.unwrap();
        forbidden(store.deposit(&m, w.pa, dec("1.00"), at(1)).await);
        let granted = Permissions { deposits: true, ..link.permissions };
        // The minor may not grant it themself; the guardian may.
        forbidden(store.update_link_settings(&m, link.id, granted, settings.clone(), at(2)).await);
        store.update_link_settings(&g, link.id, granted, settings, at(2)).await.unwrap();
        let p = store.deposit(&m, w.pa, dec("1.00"), at(2)).await.unwrap();
        assert_eq!(p.cash_balance, dec("1001.00"));
        // A minor may not open portfolios.
        let own = NewPortfolio::standard(w.ma.id, "mine");
        forbidden(store.open_portfolio(&m, Uuid::new_v4(), own, at(3)).await);
    }
);

both_backends_url!(
    audit_rows_commit_and_roll_back_with_the_write,
    |store: Store, url: String| async move {
        let w = world(&store).await;
        // Market orders fill at the price feed's price: the system's calls.
        let me = admin();
        store.deposit(&admin(), w.plain_p, dec("1000.00"), at(0)).await.unwrap();
        let before = row_counts(&url).await;
        // A refused write leaves no domain row, and one audit row naming
        // the refusal, written after the rollback.
        assert_eq!(
            store.deposit(&me, w.plain_p, dec("-5.00"), at(1)).await.unwrap_err().code(),
            "INVALID_INPUT"
        );
        let ok = market(w.plain_p, "1", "10.00");
        let ok_id = ok.trade.id;
        let too_big = market(w.plain_p, "1000", "10.00");
        let e = store
            .place_and_execute_batch(
                &me,
                vec![(ok, fill("10.00")), (too_big, fill("10.00"))],
                at(2),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "INSUFFICIENT_FUNDS");
        let refused = row_counts(&url).await;
        for ((table, n), (_, m)) in refused.iter().zip(&before) {
            let expected = if *table == "audit_log" { m + 2 } else { *m };
            assert_eq!(*n, expected, "{table}: rolled back together, the refusals on record");
        }
        let l = log(&store).await;
        let outcomes: Vec<&str> = l
            .iter()
            .filter(|e| e.actor_id == me.id && e.outcome != "OK")
            .map(|e| e.outcome.as_str())
            .collect();
        assert!(outcomes.contains(&"INVALID_INPUT") && outcomes.contains(&"INSUFFICIENT_FUNDS"));
        let before = row_counts(&url).await;
        // A successful batch writes one audit row per trade, with the trades.
        let orders = vec![
            (market(w.plain_p, "1", "10.00"), fill("10.00")),
            (market(w.plain_p, "1", "10.00"), fill("10.00")),
        ];
        let done = store.place_and_execute_batch(&me, orders, at(3)).await.unwrap();
        let after = row_counts(&url).await;
        let delta = |t: &str| {
            after.iter().find(|(n, _)| *n == t).unwrap().1
                - before.iter().find(|(n, _)| *n == t).unwrap().1
        };
        assert_eq!((delta("trades"), delta("audit_log")), (2, 2));
        let l = log(&store).await;
        for r in &done {
            assert_eq!(find(&l, me.id, "place_execute_batch", "trades", r.trade.id).len(), 1);
        }
        assert!(find(&l, me.id, "place_execute_batch", "trades", ok_id).is_empty());
    }
);

both_backends!(the_audit_hook_still_hears_every_call, |store: Store| async move {
    let w = world(&store).await;
    let hook = Arc::new(MemoryAudit::new());
    let store = store.with_audit(hook.clone());
    let other = Actor::from(&w.gb);
    let _ = store.portfolios().get(&other, w.pa).await;
    store.portfolios().get(&Actor::from(&w.ma), w.pa).await.unwrap();
    let events = hook.events();
    assert_eq!(events.len(), 2);
    assert_eq!((events[0].actor, events[0].outcome), (other, "FORBIDDEN"));
    assert_eq!(
        (events[1].action, events[1].entity, events[1].outcome),
        ("get", "portfolios", "OK")
    );
});

#[tokio::test]
async fn a_user_signs_up_but_may_not_make_themself_admin() {
    let store = sqlite_store().await;
    let account = |email: &str, role: UserRole| {
        let mut a = NewAccount::new(email, "a long passphrase", role);
        a.id = Some(Uuid::new_v4());
        a
    };
    let acting =
        |a: &NewAccount| Actor { id: a.id.unwrap(), role: a.role, status: UserStatus::Active };
    let me = account("new@example.com", UserRole::User);
    let created = store.create_user(&acting(&me), me.clone(), t0()).await.unwrap();
    assert_eq!((created.id, created.role), (me.id.unwrap(), UserRole::User));
    let boss = account("boss@example.com", UserRole::Admin);
    forbidden(store.create_user(&acting(&boss), boss, t0()).await);
    // Claiming to be someone else's new account does not work either.
    let other = account("other@example.com", UserRole::User);
    forbidden(store.create_user(&acting(&me), other, t0()).await);
}

both_backends!(guardians_propose_links_admins_verify_them, |store: Store| async move {
    let w = world(&store).await;
    let gb = Actor::from(&w.gb);
    // Another family's guardian may only propose a PENDING link, which
    // grants nothing until an admin verifies it...
    let link = store.link_guardian(&gb, w.ma.id, NewLink::parent(w.gb.id), at(1)).await.unwrap();
    assert_eq!(link.status, RelationshipStatus::Pending);
    forbidden(store.portfolios().get(&gb, w.pa).await);
    // ...and may not verify it themself.
    forbidden(store.accept_link(&gb, link.id, at(2)).await);
    forbidden(store.portfolios().get(&gb, w.pa).await);
    store.accept_link(&Actor::from(&w.admin), link.id, at(3)).await.unwrap();
    assert_eq!(store.portfolios().get(&gb, w.pa).await.unwrap().id, w.pa);
});
