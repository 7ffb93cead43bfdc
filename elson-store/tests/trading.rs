//! The atomic trading operations on both backends: each one transaction
//! over trade, cash, positions, total value and notifications, every rule
//! decided by the core.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use elson_store::elson_core::accounting::Outcome;
use elson_store::elson_core::entities::{NewTrade, Portfolio, Position};
use elson_store::elson_core::enums::*;
use elson_store::elson_core::families::Verdict;
use elson_store::{Actor, Fill, OrderRequest, Store};
use rust_decimal::Decimal;
use uuid::Uuid;

fn fill(price: &str) -> Fill {
    Fill::at(dec(price), AssetType::Stock)
}

fn market(
    portfolio_id: Uuid,
    symbol: &str,
    side: TradeSide,
    qty: &str,
    price: &str,
) -> OrderRequest {
    OrderRequest {
        trade: NewTrade::market(Uuid::now_v7(), portfolio_id, symbol, side, dec(qty)),
        asset_type: AssetType::Stock,
        market_price: Some(dec(price)),
    }
}

async fn state(store: &Store, portfolio_id: Uuid) -> (Portfolio, Vec<Position>) {
    let a = admin();
    (
        store.portfolios().get(&a, portfolio_id).await.unwrap(),
        store.positions().list_for_portfolio(&a, portfolio_id).await.unwrap(),
    )
}

fn assert_invariants(p: &Portfolio, positions: &[Position]) {
    let sum: Decimal = positions.iter().map(|x| x.current_value).sum();
    assert_eq!(p.total_value, p.cash_balance + sum, "total_value = cash + Σ current_value");
    assert!(p.cash_balance >= Decimal::ZERO);
    assert!(positions.iter().all(|x| x.quantity > Decimal::ZERO));
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

both_backends!(deposit_buy_sell_mark_and_close, |store: Store| async move {
    let (me, p) = solo(&store, "1000.00").await;
    assert_eq!((p.cash_balance, p.total_value), (dec("1000.00"), dec("1000.00")));

    // Buy 2 @ 100: notional 200.00, fee max(0.70, 0.50) = 0.70.
    let r = store
        .place_and_execute(
            &admin(),
            market(p.id, "AAPL", TradeSide::Buy, "2", "100.00"),
            &fill("100.00"),
            at(2),
        )
        .await
        .unwrap();
    assert!(matches!(r.outcome, Some(Outcome::Executed(_))));
    assert_eq!(r.trade.status, TradeStatus::Executed);
    assert_eq!((r.trade.fees, r.trade.total_amount), (Some(dec("0.70")), Some(dec("200.70"))));
    assert_eq!(r.trade.guardian_approval, GuardianApproval::NotRequired);
    assert_eq!(r.notifications.len(), 1, "the owner hears of the execution");
    assert_eq!(r.notifications[0].user_id, p.user_id);
    let (pf, pos) = state(&store, p.id).await;
    assert_eq!(pf.cash_balance, dec("799.30"));
    assert_eq!(pos.len(), 1);
    assert_eq!((pos[0].quantity, pos[0].average_price), (dec("2"), dec("100.00")));
    assert_invariants(&pf, &pos);
    assert_eq!(
        store.trades().get(&me, r.trade.id).await.unwrap(),
        r.trade,
        "the committed trade is what was returned"
    );
    assert_eq!(store.notifications().list_for_user(&me, p.user_id, 10, 0).await.unwrap().len(), 1);

    // Mark to market at 110: value 220.00, gain 20.00 (10 %).
    let (pf, pos) = store
        .mark_to_market(&admin(), p.id, &[("AAPL", dec("110.00")), ("MSFT", dec("1"))], at(3))
        .await
        .unwrap();
    assert_eq!(
        (pos[0].current_value, pos[0].gain_loss, pos[0].gain_loss_percent),
        (dec("220.00"), dec("20.00"), dec("10.00"))
    );
    assert_eq!(pf.total_value, dec("1019.30"));
    assert_eq!(state(&store, p.id).await, (pf.clone(), pos.clone()));

    // Sell everything at 110: the position is closed (row deleted).
    let r = store
        .place_and_execute(
            &admin(),
            market(p.id, "AAPL", TradeSide::Sell, "2", "110.00"),
            &fill("110.00"),
            at(4),
        )
        .await
        .unwrap();
    assert_eq!(r.trade.total_amount, Some(dec("219.23")));
    let (pf, pos) = state(&store, p.id).await;
    assert!(pos.is_empty());
    assert_eq!((pf.cash_balance, pf.total_value), (dec("1018.53"), dec("1018.53")));
});

both_backends!(refused_operations_write_nothing, |store: Store| async move {
    let (me, p) = solo(&store, "100.00").await;
    let before = state(&store, p.id).await;
    // Not enough cash: 1 × 100 + 0.50 fee > 100.
    let order = market(p.id, "AAPL", TradeSide::Buy, "1", "100.00");
    let id = order.trade.id;
    let e = store.place_and_execute(&admin(), order, &fill("100.00"), at(2)).await.unwrap_err();
    assert_eq!(e.code(), "INSUFFICIENT_FUNDS", "{e}");
    assert_eq!(
        store.trades().get(&me, id).await.unwrap_err().code(),
        "NOT_FOUND",
        "the trade row rolled back too"
    );
    // Selling what is not held.
    let e = store
        .place_and_execute(
            &admin(),
            market(p.id, "AAPL", TradeSide::Sell, "1", "10.00"),
            &fill("10.00"),
            at(2),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INSUFFICIENT_QUANTITY");
    // A placed PENDING trade that cannot execute stays PENDING.
    let placed = store
        .place_trade(&me, market(p.id, "AAPL", TradeSide::Buy, "5", "50.00"), at(3))
        .await
        .unwrap();
    assert_eq!(placed.trade.status, TradeStatus::Pending);
    let e =
        store.execute_trade(&admin(), placed.trade.id, &fill("50.00"), at(4)).await.unwrap_err();
    assert_eq!(e.code(), "INSUFFICIENT_FUNDS");
    assert_eq!(
        store.trades().get(&me, placed.trade.id).await.unwrap().status,
        TradeStatus::Pending
    );
    assert_eq!(state(&store, p.id).await, before);
    // Bad deposit amounts and unknown ids.
    assert_eq!(
        store.deposit(&me, p.id, dec("-1"), at(5)).await.unwrap_err().code(),
        "INVALID_INPUT"
    );
    assert_eq!(
        store.deposit(&me, p.id, dec("0.001"), at(5)).await.unwrap_err().code(),
        "INVALID_INPUT"
    );
    assert_eq!(
        store.deposit(&me, Uuid::new_v4(), dec("1"), at(5)).await.unwrap_err().code(),
        "NOT_FOUND"
    );
    assert_eq!(
        store.execute_trade(&admin(), Uuid::new_v4(), &fill("1"), at(5)).await.unwrap_err().code(),
        "NOT_FOUND"
    );
    assert_eq!(
        store.cancel_trade(&me, Uuid::new_v4(), at(5)).await.unwrap_err().code(),
        "NOT_FOUND"
    );
    let mut bad = market(p.id, "AAPL", TradeSide::Buy, "0.0000001", "1.00");
    assert_eq!(
        store.place_trade(&me, bad.clone(), at(5)).await.unwrap_err().code(),
        "INVALID_INPUT"
    );
    bad.trade.portfolio_id = Uuid::new_v4();
    assert_eq!(store.place_trade(&me, bad, at(5)).await.unwrap_err().code(), "NOT_FOUND");
    assert_eq!(state(&store, p.id).await, before);

    // Cancel, then nothing leaves CANCELLED.
    let r = store.cancel_trade(&me, placed.trade.id, at(6)).await.unwrap();
    assert_eq!(r.trade.status, TradeStatus::Cancelled);
    assert_eq!(r.notifications.len(), 1);
    assert_eq!(
        store.cancel_trade(&me, placed.trade.id, at(7)).await.unwrap_err().code(),
        "INVALID_TRANSITION"
    );
    assert_eq!(
        store
            .execute_trade(&admin(), placed.trade.id, &fill("1.00"), at(7))
            .await
            .unwrap_err()
            .code(),
        "INVALID_TRANSITION"
    );
});

both_backends!(limit_order_waits_until_the_price_reaches_it, |store: Store| async move {
    let (me, p) = solo(&store, "1000.00").await;
    let order = OrderRequest {
        trade: NewTrade::limit(
            Uuid::now_v7(),
            p.id,
            "VTI",
            TradeSide::Buy,
            dec("1"),
            dec("200.00"),
        ),
        asset_type: AssetType::Etf,
        market_price: None,
    };
    let placed = store.place_trade(&me, order, at(2)).await.unwrap();
    let r = store.execute_trade(&admin(), placed.trade.id, &fill("201.00"), at(3)).await.unwrap();
    assert_eq!(r.outcome, Some(Outcome::StillPending));
    assert_eq!(state(&store, p.id).await.0.cash_balance, dec("1000.00"));
    let r = store.execute_trade(&admin(), placed.trade.id, &fill("199.00"), at(4)).await.unwrap();
    assert_eq!(r.trade.status, TradeStatus::Executed);
    assert_eq!(r.trade.price, Some(dec("199.00")));
    assert_invariants(&r.portfolio, &state(&store, p.id).await.1);
});

both_backends!(minor_trade_waits_for_a_guardian, |store: Store| async move {
    let a = admin();
    let (g, m, p) = family(&store, "flow").await;
    let minor = Actor::from(&m);
    let guardian = Actor::from(&g);
    // 2 × 45.10 = 90.20 ≥ auto_approve_below 25.00: a guardian must look.
    let placed = store
        .place_trade(&minor, market(p.id, "VTI", TradeSide::Buy, "2", "45.10"), at(10))
        .await
        .unwrap();
    assert_eq!(
        (placed.trade.status, placed.trade.guardian_approval),
        (TradeStatus::Pending, GuardianApproval::Pending)
    );
    assert_eq!(placed.notifications.iter().map(|n| n.user_id).collect::<Vec<_>>(), vec![g.id]);
    assert_eq!(placed.notifications[0].notification_type, NotificationType::Approval);
    assert_eq!(store.trades().approval_queue(&guardian, g.id).await.unwrap().len(), 1);

    let e =
        store.execute_trade(&admin(), placed.trade.id, &fill("45.10"), at(11)).await.unwrap_err();
    assert_eq!(e.code(), "APPROVAL_REQUIRED");
    // A stranger guardian may not decide; the minor may not either.
    let stranger = user(UserRole::Guardian, "stranger@example.com");
    given(&store, &stranger).await;
    let e = store
        .decide_trade(&Actor::from(&stranger), placed.trade.id, Verdict::Approve, at(12))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "FORBIDDEN");
    assert_eq!(
        store
            .decide_trade(&minor, placed.trade.id, Verdict::Approve, at(12))
            .await
            .unwrap_err()
            .code(),
        "FORBIDDEN"
    );

    let decided =
        store.decide_trade(&guardian, placed.trade.id, Verdict::Approve, at(13)).await.unwrap();
    assert_eq!(decided.trade.guardian_approval, GuardianApproval::Approved);
    assert_eq!(decided.notifications.iter().map(|n| n.user_id).collect::<Vec<_>>(), vec![m.id]);
    assert!(store.trades().approval_queue(&guardian, g.id).await.unwrap().is_empty());
    // First decision wins.
    let again = Verdict::Reject { reason: "changed my mind".into() };
    assert_eq!(
        store.decide_trade(&guardian, placed.trade.id, again, at(14)).await.unwrap_err().code(),
        "INVALID_TRANSITION"
    );

    let done =
        store.execute_trade(&admin(), placed.trade.id, &fill("45.10"), at(15)).await.unwrap();
    assert_eq!(done.trade.status, TradeStatus::Executed);
    let mut told: Vec<Uuid> = done.notifications.iter().map(|n| n.user_id).collect();
    told.sort();
    let mut expected = vec![m.id, g.id];
    expected.sort();
    assert_eq!(told, expected, "the minor and the guardian hear of the execution");
    let (pf, pos) = state(&store, p.id).await;
    assert_invariants(&pf, &pos);

    // Small trades are approved at creation (below 25.00) and execute at once.
    let small = store
        .place_and_execute(
            &admin(),
            market(p.id, "VTI", TradeSide::Sell, "0.5", "45.10"),
            &fill("45.10"),
            at(16),
        )
        .await
        .unwrap();
    assert_eq!(
        (small.trade.status, small.trade.guardian_approval),
        (TradeStatus::Executed, GuardianApproval::Approved)
    );
    // A large one through place_and_execute is refused and nothing written.
    let big = market(p.id, "VTI", TradeSide::Buy, "5", "45.10");
    let big_id = big.trade.id;
    assert_eq!(
        store.place_and_execute(&admin(), big, &fill("45.10"), at(17)).await.unwrap_err().code(),
        "APPROVAL_REQUIRED"
    );
    assert_eq!(store.trades().get(&a, big_id).await.unwrap_err().code(), "NOT_FOUND");
});

both_backends!(guardian_rejection_and_creation_rejection, |store: Store| async move {
    let (g, m, p) = family(&store, "rej").await;
    let minor = Actor::from(&m);
    let placed = store
        .place_trade(&minor, market(p.id, "AAPL", TradeSide::Buy, "1", "100.00"), at(1))
        .await
        .unwrap();
    let blank = Verdict::Reject { reason: "  ".into() };
    assert_eq!(
        store
            .decide_trade(&Actor::from(&g), placed.trade.id, blank, at(2))
            .await
            .unwrap_err()
            .code(),
        "INVALID_INPUT"
    );
    let r = store
        .decide_trade(
            &Actor::from(&g),
            placed.trade.id,
            Verdict::Reject { reason: "too risky".into() },
            at(3),
        )
        .await
        .unwrap();
    assert_eq!(
        (r.trade.status, r.trade.notes.as_deref()),
        (TradeStatus::Rejected, Some("too risky"))
    );
    assert!(r.notifications.len() >= 2, "decision to the minor, rejection to owner and guardians");
    // A LIMIT order without the advanced_orders permission is rejected at creation.
    let limit = OrderRequest {
        trade: NewTrade::limit(
            Uuid::now_v7(),
            p.id,
            "AAPL",
            TradeSide::Buy,
            dec("1"),
            dec("10.00"),
        ),
        asset_type: AssetType::Stock,
        market_price: None,
    };
    let r = store.place_trade(&minor, limit, at(4)).await.unwrap();
    assert_eq!(
        (r.trade.status, r.trade.guardian_approval),
        (TradeStatus::Rejected, GuardianApproval::Rejected)
    );
    assert!(r.trade.notes.is_some());
    assert_eq!(store.trades().get(&minor, r.trade.id).await.unwrap(), r.trade);
});

both_backends!(batch_is_all_or_nothing, |store: Store| async move {
    let (me, p) = solo(&store, "1000.00").await;
    let ok = vec![
        (market(p.id, "AAPL", TradeSide::Buy, "1", "100.00"), fill("100.00")),
        (market(p.id, "MSFT", TradeSide::Buy, "1", "200.00"), fill("200.00")),
        (market(p.id, "AAPL", TradeSide::Sell, "1", "101.00"), fill("101.00")),
    ];
    let results = store.place_and_execute_batch(&admin(), ok, at(2)).await.unwrap();
    assert_eq!(results.len(), 3);
    let after_ok = state(&store, p.id).await;
    assert_invariants(&after_ok.0, &after_ok.1);
    assert_eq!(after_ok.1.len(), 1);
    let bad = vec![
        (market(p.id, "AAPL", TradeSide::Buy, "1", "100.00"), fill("100.00")),
        (market(p.id, "TSLA", TradeSide::Sell, "1", "100.00"), fill("100.00")),
    ];
    assert_eq!(
        store.place_and_execute_batch(&admin(), bad, at(3)).await.unwrap_err().code(),
        "INSUFFICIENT_QUANTITY"
    );
    assert_eq!(
        state(&store, p.id).await,
        after_ok,
        "the first order of the failed batch rolled back too"
    );
    assert_eq!(store.trades().history(&me, p.id, 100, 0).await.unwrap().len(), 3);

    // Close and reopen a symbol inside one batch: the old row goes, a new one comes.
    let reopen = vec![
        (market(p.id, "MSFT", TradeSide::Sell, "1", "200.00"), fill("200.00")),
        (market(p.id, "MSFT", TradeSide::Buy, "2", "190.00"), fill("190.00")),
    ];
    store.place_and_execute_batch(&admin(), reopen, at(4)).await.unwrap();
    let (pf, pos) = state(&store, p.id).await;
    assert_eq!(pos.len(), 1);
    assert_eq!(
        (pos[0].symbol.as_str(), pos[0].quantity, pos[0].average_price),
        ("MSFT", dec("2"), dec("190.00"))
    );
    assert_ne!(pos[0].id, after_ok.1[0].id);
    assert_invariants(&pf, &pos);
});
