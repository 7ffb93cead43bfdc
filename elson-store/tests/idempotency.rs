//! Idempotent commands on both backends: the same client command id with
//! the same payload has one effect and answers the first result (also sent
//! 8 times at once); with another payload it is `IDEMPOTENCY_CONFLICT`,
//! nothing is done, and the refusal is on record.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use elson_store::elson_core::entities::NewTrade;
use elson_store::elson_core::enums::*;
use elson_store::{Actor, Caller, ImportBatch, NewAccount, OrderRequest, Store};
use uuid::Uuid;

async fn owner(store: &Store) -> (Actor, Uuid) {
    let u = user(UserRole::User, &format!("idem-{}@example.com", Uuid::new_v4().simple()));
    let mut p = portfolio(u.id, "0.00");
    p.guardian_approval = false;
    let rows = ImportBatch {
        users: vec![u.clone()],
        portfolios: vec![p.clone()],
        ..ImportBatch::default()
    };
    given(store, rows).await;
    (Actor::from(&u), p.id)
}

both_backends!(a_retry_has_no_second_effect, |store: Store| async move {
    let (me, pid) = owner(&store).await;
    let id = Uuid::new_v4();
    let once = Caller::new(&me).with_command_id(id);
    let first = store.deposit(once, pid, dec("100.00"), at(1)).await.unwrap();
    assert_eq!(first.cash_balance, dec("100.00"));
    // The phone never heard back and sends it again, later.
    let again = store.deposit(once, pid, dec("100.00"), at(9)).await.unwrap();
    assert_eq!(again, first, "the first result, as it was");
    let now = store.portfolios().get(&admin(), pid).await.unwrap();
    assert_eq!(now.cash_balance, dec("100.00"), "one effect");
    // The same id for another amount, or another command: refused, nothing done.
    let e = store.deposit(once, pid, dec("999.00"), at(10)).await.unwrap_err();
    assert_eq!(e.code(), "IDEMPOTENCY_CONFLICT", "{e}");
    assert!(e.to_string().contains(&id.to_string()) && e.to_string().contains("deposit"), "{e}");
    let e = store.withdraw(once, pid, dec("100.00"), at(10)).await.unwrap_err();
    assert_eq!(e.code(), "IDEMPOTENCY_CONFLICT");
    assert_eq!(store.portfolios().get(&admin(), pid).await.unwrap().cash_balance, dec("100.00"));
    let log = store.audit_log().recent(&admin(), 10).await.unwrap();
    assert!(log.iter().any(|x| x.actor_id == me.id && x.outcome == "IDEMPOTENCY_CONFLICT"));
    // Ids are per actor: the system's own command under the same id is its own.
    let feed = Caller::new(&admin()).with_command_id(id);
    let p = store.deposit(feed, pid, dec("1.00"), at(11)).await.unwrap();
    assert_eq!(p.cash_balance, dec("101.00"));
    // Without an id, every call is a new command.
    store.deposit(&me, pid, dec("1.00"), at(12)).await.unwrap();
    store.deposit(&me, pid, dec("1.00"), at(13)).await.unwrap();
    assert_eq!(store.portfolios().get(&admin(), pid).await.unwrap().cash_balance, dec("103.00"));
});

both_backends!(eight_copies_at_once_have_one_effect, |store: Store| async move {
    let (me, pid) = owner(&store).await;
    store.deposit(&admin(), pid, dec("1000.00"), at(0)).await.unwrap();
    let id = Uuid::new_v4();
    let order = OrderRequest {
        trade: NewTrade::market(Uuid::now_v7(), pid, "AAPL", TradeSide::Buy, dec("1")),
        asset_type: AssetType::Stock,
        market_price: Some(dec("10.00")),
    };
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, order) = (store.clone(), order.clone());
        let caller = Caller::new(&me).with_command_id(id);
        tasks.push(tokio::spawn(async move { store.place_trade(caller, order, at(1)).await }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap().unwrap());
    }
    assert!(results.iter().all(|r| r.trade == results[0].trade), "one trade, the first answer");
    let history = store.trades().history(&admin(), pid, 100, 0).await.unwrap();
    assert_eq!(history.len(), 1, "one effect");
    // A deposit sent 8 times at once, too.
    let id = Uuid::new_v4();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let caller = Caller::new(&me).with_command_id(id);
        tasks.push(tokio::spawn(
            async move { store.deposit(caller, pid, dec("5.00"), at(2)).await },
        ));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().cash_balance, dec("1005.00"));
    }
    assert_eq!(store.portfolios().get(&admin(), pid).await.unwrap().cash_balance, dec("1005.00"));
});

both_backends!(a_refused_command_is_not_recorded, |store: Store| async move {
    let (me, pid) = owner(&store).await;
    let once = Caller::new(&me).with_command_id(Uuid::new_v4());
    let e = store.withdraw(once, pid, dec("50.00"), at(1)).await.unwrap_err();
    assert_eq!(e.code(), "INSUFFICIENT_FUNDS");
    store.deposit(&me, pid, dec("80.00"), at(2)).await.unwrap();
    // The retry is decided anew: now it can be done, once.
    assert_eq!(
        store.withdraw(once, pid, dec("50.00"), at(3)).await.unwrap().cash_balance,
        dec("30.00")
    );
    assert_eq!(
        store.withdraw(once, pid, dec("50.00"), at(4)).await.unwrap().cash_balance,
        dec("30.00")
    );
    // A suspended user's retry is refused like any call of theirs.
    store.set_status(&admin(), me.id, UserStatus::Suspended, at(5)).await.unwrap();
    let e = store.withdraw(once, pid, dec("50.00"), at(6)).await.unwrap_err();
    assert_eq!(e.code(), "FORBIDDEN");
});

both_backends!(a_sign_up_retried_is_one_account, |store: Store| async move {
    let mut account = NewAccount::new("retry@example.com", "first passphrase", UserRole::User);
    account.id = Some(Uuid::new_v4());
    account.first_name = Some("Ada".into());
    let me = Actor { id: account.id.unwrap(), role: UserRole::User, status: UserStatus::Active };
    let once = Caller::new(&me).with_command_id(Uuid::new_v4());
    let first = store.create_user(once, account.clone(), at(1)).await.unwrap();
    // The record holds the id, not the row: the retry reads the user again.
    let again = store.create_user(once, account.clone(), at(2)).await.unwrap();
    assert_eq!(again, first);
    // The password is not part of the digest (nor stored with the command).
    let mut other_password = account.clone();
    other_password.password = "another passphrase".into();
    assert_eq!(store.create_user(once, other_password, at(3)).await.unwrap(), first);
    let mut renamed = account;
    renamed.first_name = Some("Eve".into());
    let e = store.create_user(once, renamed, at(4)).await.unwrap_err();
    assert_eq!(e.code(), "IDEMPOTENCY_CONFLICT");
    let (role, status) = (UserRole::User, UserStatus::Active);
    let active = store.users().list_by_role_status(&admin(), role, status, 10, 0).await.unwrap();
    assert_eq!(active.len(), 1);
});
