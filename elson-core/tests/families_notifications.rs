//! Notifications from domain events, and their status transitions (DESIGN §4).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod families_support;

use elson_core::ElsonError;
use elson_core::entities::Notification;
use elson_core::enums::*;
use elson_core::families::{GuardianDecision, approve, reject};
use elson_core::notifications::*;
use families_support::*;
use rust_decimal_macros::dec;
use uuid::Uuid;

fn summary() -> TradeSummary {
    TradeSummary {
        trade_id: Uuid::new_v4(),
        owner_id: Uuid::new_v4(),
        symbol: "AAPL".into(),
        side: TradeSide::Sell,
        quantity: dec!(1.500000),
        price: Some(dec!(187.4)),
    }
}

fn recipients(ns: &[Notification]) -> Vec<Uuid> {
    ns.iter().map(|n| n.user_id).collect()
}

fn assert_common(
    ns: &[Notification],
    trade: &TradeSummary,
    kind: NotificationType,
    priority: NotificationPriority,
) {
    assert!(!ns.is_empty());
    for n in ns {
        assert_eq!(n.notification_type, kind);
        assert_eq!(n.priority, priority);
        assert_eq!(n.status, NotificationStatus::Unread);
        assert_eq!(n.read_at, None);
        assert_eq!(n.created_at, t0());
        assert_eq!(n.related_entity_id, Some(trade.trade_id));
        assert_eq!(n.related_entity_type.as_deref(), Some("trade"));
        assert_eq!(n.action_url.clone(), Some(format!("/trades/{}", trade.trade_id)));
        assert!(n.title.chars().count() <= TITLE_LEN_MAX);
        assert_eq!(n.id.get_version_num(), 4);
    }
    let mut ids: Vec<Uuid> = ns.iter().map(|n| n.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), ns.len(), "fresh id per notification");
}

#[test]
fn a_trade_awaiting_approval_goes_to_each_active_guardian_with_high_priority() {
    let trade = summary();
    let (g1, g2) = (Uuid::new_v4(), Uuid::new_v4());
    let event =
        DomainEvent::TradeAwaitingApproval { trade: trade.clone(), guardian_ids: vec![g1, g2, g1] };
    let ns = notifications_for(&event, t0()).unwrap();
    assert_eq!(recipients(&ns), vec![g1, g2]);
    assert_common(&ns, &trade, NotificationType::Approval, NotificationPriority::High);
    assert_eq!(ns[0].title, "Approval needed: SELL 1.5 AAPL");
    assert!(ns[0].message.contains("waiting for your approval"));
}

#[test]
fn a_decision_goes_to_the_minor() {
    let trade = summary();
    let approved = DomainEvent::ApprovalDecided {
        trade: trade.clone(),
        guardian_approval: GuardianApproval::Approved,
        reason: None,
    };
    let ns = notifications_for(&approved, t0()).unwrap();
    assert_eq!(recipients(&ns), vec![trade.owner_id]);
    assert_common(&ns, &trade, NotificationType::Approval, NotificationPriority::Normal);
    assert_eq!(ns[0].title, "Trade approved: SELL 1.5 AAPL");
    let rejected = DomainEvent::ApprovalDecided {
        trade: trade.clone(),
        guardian_approval: GuardianApproval::Rejected,
        reason: Some("wait for the earnings".into()),
    };
    let ns = notifications_for(&rejected, t0()).unwrap();
    assert_eq!(ns[0].title, "Trade rejected: SELL 1.5 AAPL");
    assert!(ns[0].message.ends_with("wait for the earnings"), "{}", ns[0].message);
}

#[test]
fn a_decision_event_is_built_from_the_guardian_decision() {
    let parent = user(UserRole::Guardian);
    let kid = user(UserRole::Minor);
    let p = portfolio(kid.id, true);
    let links = [active_link(parent.id, kid.id)];
    let mut t = trade(p.id, TradeStatus::Pending, GuardianApproval::Pending);
    let d: GuardianDecision = reject(&mut t, &p, &parent, &links, "not now", t0()).unwrap();
    let event = DomainEvent::approval_decided(&t, &d);
    let ns = notifications_for(&event, t0()).unwrap();
    assert_eq!(recipients(&ns), vec![kid.id]);
    assert_eq!(ns[0].related_entity_id, Some(t.id));
    assert!(ns[0].message.contains("not now"));
    let mut t2 = trade(p.id, TradeStatus::Pending, GuardianApproval::Pending);
    let d2 = approve(&mut t2, &p, &parent, &links, t0()).unwrap();
    match DomainEvent::approval_decided(&t2, &d2) {
        DomainEvent::ApprovalDecided { guardian_approval, reason, trade } => {
            assert_eq!(guardian_approval, GuardianApproval::Approved);
            assert_eq!(reason, None);
            assert_eq!(trade, TradeSummary::of(&t2, kid.id));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_decision_that_is_not_one_is_refused() {
    for approval in [GuardianApproval::Pending, GuardianApproval::NotRequired] {
        let event = DomainEvent::ApprovalDecided {
            trade: summary(),
            guardian_approval: approval,
            reason: None,
        };
        let e = notifications_for(&event, t0()).unwrap_err();
        assert!(
            matches!(e, ElsonError::InvalidInput { ref field, .. } if field == "guardian_approval")
        );
    }
}

#[test]
fn trade_outcomes_go_to_the_owner_then_the_guardians() {
    let trade = summary();
    let g = Uuid::new_v4();
    let guardian_ids = vec![g, trade.owner_id];
    let cases = [
        (
            DomainEvent::TradeExecuted { trade: trade.clone(), guardian_ids: guardian_ids.clone() },
            NotificationPriority::Normal,
            "Trade executed: SELL 1.5 AAPL",
            "The order SELL 1.5 AAPL was executed at 187.40.",
        ),
        (
            DomainEvent::TradeCancelled {
                trade: trade.clone(),
                guardian_ids: guardian_ids.clone(),
            },
            NotificationPriority::Low,
            "Trade cancelled: SELL 1.5 AAPL",
            "The order SELL 1.5 AAPL was cancelled.",
        ),
        (
            DomainEvent::TradeRejected {
                trade: trade.clone(),
                guardian_ids: guardian_ids.clone(),
                reason: "insufficient funds".into(),
            },
            NotificationPriority::High,
            "Trade rejected: SELL 1.5 AAPL",
            "The order SELL 1.5 AAPL was rejected: insufficient funds",
        ),
    ];
    for (event, priority, title, message) in cases {
        let ns = notifications_for(&event, t0()).unwrap();
        assert_eq!(recipients(&ns), vec![trade.owner_id, g]);
        assert_common(&ns, &trade, NotificationType::Trade, priority);
        assert_eq!(ns[0].title, title);
        assert_eq!(ns[0].message, message);
    }
}

#[test]
fn an_adults_trade_notifies_only_the_owner() {
    let trade = TradeSummary { price: None, ..summary() };
    let ns = notifications_for(
        &DomainEvent::TradeExecuted { trade: trade.clone(), guardian_ids: vec![] },
        t0(),
    )
    .unwrap();
    assert_eq!(recipients(&ns), vec![trade.owner_id]);
    assert_eq!(ns[0].message, "The order SELL 1.5 AAPL was executed.");
}

#[test]
fn a_breaker_change_warns_holders_urgently_when_trading_halts() {
    let holders = vec![Uuid::new_v4(), Uuid::new_v4()];
    use CircuitBreakerState::*;
    let cases = [
        (Closed, Open, NotificationPriority::Urgent, "Trading halted on TSLA"),
        (Restricted, Open, NotificationPriority::Urgent, "Trading halted on TSLA"),
        (
            Closed,
            Restricted,
            NotificationPriority::High,
            "TSLA circuit breaker: CLOSED to RESTRICTED",
        ),
        (Closed, Cautious, NotificationPriority::High, "TSLA circuit breaker: CLOSED to CAUTIOUS"),
        (
            Open,
            Restricted,
            NotificationPriority::Normal,
            "TSLA circuit breaker: OPEN to RESTRICTED",
        ),
        (
            Cautious,
            Closed,
            NotificationPriority::Normal,
            "TSLA circuit breaker: CAUTIOUS to CLOSED",
        ),
    ];
    for (from, to, priority, title) in cases {
        let event = DomainEvent::BreakerChanged {
            symbol: "TSLA".into(),
            from,
            to,
            holder_ids: holders.clone(),
        };
        let ns = notifications_for(&event, t0()).unwrap();
        assert_eq!(recipients(&ns), holders);
        for n in &ns {
            assert_eq!(n.notification_type, NotificationType::System);
            assert_eq!(n.priority, priority, "{from} → {to}");
            assert_eq!(n.title, title);
            assert_eq!(n.action_url.as_deref(), Some("/symbols/TSLA"));
            assert_eq!((n.related_entity_id, n.related_entity_type.as_deref()), (None, None));
            assert!(
                n.message.starts_with(&format!(
                    "The circuit breaker on TSLA moved from {from} to {to}."
                ))
            );
        }
    }
    let ns = notifications_for(
        &DomainEvent::BreakerChanged {
            symbol: "TSLA".into(),
            from: Open,
            to: Open,
            holder_ids: holders,
        },
        t0(),
    )
    .unwrap();
    assert!(ns.is_empty(), "no change, no notification");
    let none = DomainEvent::BreakerChanged {
        symbol: "TSLA".into(),
        from: Closed,
        to: Open,
        holder_ids: vec![],
    };
    assert!(notifications_for(&none, t0()).unwrap().is_empty());
}

#[test]
fn bad_symbols_and_reasons_are_input_errors() {
    let field = |e: ElsonError| match e {
        ElsonError::InvalidInput { field, .. } => field,
        other => panic!("{other:?}"),
    };
    for symbol in ["", "   ", "ABCDEFGHIJKLMNOPQRSTU"] {
        let breaker = DomainEvent::BreakerChanged {
            symbol: symbol.into(),
            from: CircuitBreakerState::Closed,
            to: CircuitBreakerState::Open,
            holder_ids: vec![Uuid::new_v4()],
        };
        assert_eq!(field(notifications_for(&breaker, t0()).unwrap_err()), "symbol");
        let trade = TradeSummary { symbol: symbol.into(), ..summary() };
        let event = DomainEvent::TradeCancelled { trade, guardian_ids: vec![] };
        assert_eq!(field(notifications_for(&event, t0()).unwrap_err()), "symbol");
    }
    let long = "x".repeat(70_000);
    let event =
        DomainEvent::TradeRejected { trade: summary(), guardian_ids: vec![], reason: long.clone() };
    assert_eq!(field(notifications_for(&event, t0()).unwrap_err()), "reason");
    let event = DomainEvent::ApprovalDecided {
        trade: summary(),
        guardian_approval: GuardianApproval::Rejected,
        reason: Some(long),
    };
    assert_eq!(field(notifications_for(&event, t0()).unwrap_err()), "reason");
}

#[test]
fn titles_longer_than_100_characters_are_refused() {
    assert!(check_title(&"é".repeat(100)).is_ok(), "characters, not bytes");
    for bad in ["".to_string(), " ".to_string(), "x".repeat(101)] {
        let e = check_title(&bad).unwrap_err();
        assert!(matches!(e, ElsonError::InvalidInput { ref field, .. } if field == "title"));
    }
    // The longest title the events can build still fits.
    let trade = TradeSummary {
        symbol: "ABCDEFGHIJKLMNOPQRST".into(),
        quantity: dec!(999999999.999999),
        side: TradeSide::Sell,
        ..summary()
    };
    let ns = notifications_for(
        &DomainEvent::TradeAwaitingApproval { trade, guardian_ids: vec![Uuid::new_v4()] },
        t0(),
    )
    .unwrap();
    assert!(ns[0].title.chars().count() <= TITLE_LEN_MAX);
}

#[test]
fn events_serialize_with_a_tag() {
    let e = DomainEvent::TradeCancelled { trade: summary(), guardian_ids: vec![] };
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["event"], "TRADE_CANCELLED");
    assert_eq!(json["trade"]["side"], "SELL");
    let back: DomainEvent = serde_json::from_value(json).unwrap();
    assert_eq!(back, e);
}

// ---------------------------------------------------------------- status

fn note(
    status: NotificationStatus,
    read_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Notification {
    let mut n = notifications_for(
        &DomainEvent::TradeCancelled { trade: summary(), guardian_ids: vec![] },
        t0(),
    )
    .unwrap()
    .remove(0);
    n.status = status;
    n.read_at = read_at;
    n
}

#[test]
fn status_table_is_exhaustive() {
    use NotificationStatus::*;
    let later = t0() + chrono::Duration::hours(1);
    for status in NotificationStatus::ALL {
        for event in [NotificationEvent::MarkRead, NotificationEvent::Archive] {
            let read_at = if *status == Unread { None } else { Some(t0()) };
            let mut n = note(*status, read_at);
            let got = n.apply(event, later);
            match (status, event) {
                (Unread, NotificationEvent::MarkRead) => {
                    got.unwrap();
                    assert_eq!((n.status, n.read_at), (Read, Some(later)));
                }
                (Read, NotificationEvent::MarkRead) => {
                    got.unwrap();
                    assert_eq!((n.status, n.read_at), (Read, Some(t0())), "first read time stays");
                }
                (Unread | Read, NotificationEvent::Archive)
                | (Archived, NotificationEvent::Archive) => {
                    got.unwrap();
                    assert_eq!((n.status, n.read_at), (Archived, read_at));
                }
                (Archived, NotificationEvent::MarkRead) => {
                    assert_eq!(
                        got.unwrap_err(),
                        ElsonError::transition("notification", "ARCHIVED", "READ")
                    );
                    assert_eq!(n.status, Archived);
                }
            }
        }
    }
}

#[test]
fn mark_read_and_archive_are_the_two_transitions() {
    let mut n = note(NotificationStatus::Unread, None);
    n.mark_read(t0()).unwrap();
    assert_eq!(n.read_at, Some(t0()));
    n.archive(t0()).unwrap();
    assert_eq!(n.status, NotificationStatus::Archived);
    // A retried archive (a second device, a replayed sync) is a no-op.
    n.archive(t0()).unwrap();
    assert_eq!((n.status, n.read_at), (NotificationStatus::Archived, Some(t0())));
    assert!(n.mark_read(t0()).is_err());
    // A READ row missing its read_at is repaired rather than left inconsistent.
    let mut broken = note(NotificationStatus::Read, None);
    broken.mark_read(t0()).unwrap();
    assert_eq!(broken.read_at, Some(t0()));
}
