//! The approval decision at trade creation, and guardian decisions (DESIGN §3).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod families_support;

use elson_core::ElsonError;
use elson_core::entities::{Portfolio, Relationship, User};
use elson_core::enums::*;
use elson_core::families::*;
use families_support::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

fn field_of(e: ElsonError) -> String {
    match e {
        ElsonError::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

// ---------------------------------------------------------------- estimate

#[test]
fn estimate_uses_the_limit_price_for_limit_orders_and_the_market_price_otherwise() {
    assert_eq!(
        estimate_amount(OrderType::Limit, dec!(4), Some(dec!(2.50)), None).unwrap(),
        dec!(10.00)
    );
    assert_eq!(
        estimate_amount(OrderType::Limit, dec!(4), Some(dec!(2.50)), Some(dec!(99))).unwrap(),
        dec!(10.00)
    );
    assert_eq!(
        estimate_amount(OrderType::Market, dec!(4), None, Some(dec!(3.00))).unwrap(),
        dec!(12.00)
    );
}

#[test]
fn estimate_rounds_half_even_to_cents() {
    let m = |q, p| estimate_amount(OrderType::Market, q, None, Some(p)).unwrap();
    assert_eq!(m(dec!(0.5), dec!(10.05)), dec!(5.02)); // 5.025 → 5.02
    assert_eq!(m(dec!(0.5), dec!(10.15)), dec!(5.08)); // 5.075 → 5.08
    assert_eq!(m(dec!(0.000001), dec!(1.00)), dec!(0.00));
}

#[test]
fn estimate_refuses_bad_input_naming_the_field() {
    let cases = [
        (OrderType::Market, dec!(0), None, Some(dec!(1)), "quantity"),
        (OrderType::Market, dec!(-1), None, Some(dec!(1)), "quantity"),
        (OrderType::Market, dec!(0.0000001), None, Some(dec!(1)), "quantity"),
        (OrderType::Limit, dec!(1), None, Some(dec!(1)), "price"),
        (OrderType::Market, dec!(1), Some(dec!(1)), Some(dec!(1)), "price"),
        (OrderType::Market, dec!(1), None, None, "market_price"),
        (OrderType::Market, dec!(1), None, Some(dec!(0)), "market_price"),
        (OrderType::Limit, dec!(1), Some(dec!(-2)), None, "price"),
        (OrderType::Limit, dec!(1), Some(dec!(1.001)), None, "price"),
        (OrderType::Market, dec!(999999999), None, Some(dec!(9999999999999.99)), "amount"),
    ];
    for (order_type, q, limit, market, field) in cases {
        let e = estimate_amount(order_type, q, limit, market).unwrap_err();
        assert_eq!(field_of(e), field, "{order_type} {q} {limit:?} {market:?}");
    }
}

// ---------------------------------------------------------------- decide

struct World {
    kid: User,
    portfolio: Portfolio,
    links: Vec<Relationship>,
}

impl World {
    fn new(links: impl FnOnce(Uuid) -> Vec<Relationship>) -> World {
        let kid = user(UserRole::Minor);
        let portfolio = portfolio(kid.id, true);
        let links = links(kid.id);
        World { kid, portfolio, links }
    }

    fn one(permissions: Permissions, settings: ApprovalSettings) -> World {
        World::new(|kid| {
            vec![link(Uuid::new_v4(), kid, RelationshipStatus::Active, permissions, settings)]
        })
    }

    fn request(&self) -> ApprovalRequest<'_> {
        ApprovalRequest {
            owner: &self.kid,
            portfolio: &self.portfolio,
            relationships: &self.links,
            order_type: OrderType::Market,
            asset_type: AssetType::Stock,
            amount: dec!(50.00),
            trades_today: 0,
            today: today(),
        }
    }
}

fn reason_code(d: ApprovalDecision) -> &'static str {
    match d {
        ApprovalDecision::Rejected { reason } => reason.code(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn settings(json: &str) -> ApprovalSettings {
    ApprovalSettings::from_json(json).unwrap()
}

#[test]
fn trades_of_non_minors_need_no_approval_even_on_an_approval_portfolio() {
    for role in [UserRole::User, UserRole::Guardian, UserRole::Admin] {
        let adult = user(role);
        let p = portfolio(adult.id, true);
        let req = ApprovalRequest {
            owner: &adult,
            portfolio: &p,
            relationships: &[],
            order_type: OrderType::Limit,
            asset_type: AssetType::Crypto,
            amount: dec!(1000000.00),
            trades_today: 1000,
            today: today(),
        };
        assert_eq!(decide(&req).unwrap(), ApprovalDecision::NotRequired);
    }
}

#[test]
fn a_minor_trade_on_an_approval_portfolio_waits_for_a_guardian() {
    let w = World::one(trading(), ApprovalSettings::default());
    assert_eq!(decide(&w.request()).unwrap(), ApprovalDecision::Pending);
}

#[test]
fn the_portfolio_owner_must_be_the_owner_passed() {
    let w = World::one(trading(), ApprovalSettings::default());
    let stranger = user(UserRole::User);
    let req = ApprovalRequest { owner: &stranger, ..w.request() };
    assert_eq!(field_of(decide(&req).unwrap_err()), "portfolio");
}

#[test]
fn a_negative_or_oversized_amount_is_an_input_error() {
    let w = World::one(trading(), ApprovalSettings::default());
    for amount in [dec!(-0.01), dec!(1.001), dec!(10000000000000.00)] {
        let req = ApprovalRequest { amount, ..w.request() };
        assert_eq!(field_of(decide(&req).unwrap_err()), "amount", "{amount}");
    }
}

#[test]
fn an_inconsistent_minor_account_is_an_error_not_a_decision() {
    let mut w = World::one(trading(), ApprovalSettings::default());
    w.kid.date_of_birth = Some(date(2000, 1, 1));
    assert_eq!(field_of(decide(&w.request()).unwrap_err()), "date_of_birth");
    let w = World::new(|_| vec![]);
    assert_eq!(field_of(decide(&w.request()).unwrap_err()), "relationships");
}

#[test]
fn only_pending_guardians_reject_for_no_active_guardian() {
    let w = World::new(|kid| {
        vec![link(
            Uuid::new_v4(),
            kid,
            RelationshipStatus::Pending,
            trading(),
            ApprovalSettings::default(),
        )]
    });
    assert_eq!(reason_code(decide(&w.request()).unwrap()), "NO_ACTIVE_GUARDIAN");
}

#[test]
fn without_the_trading_permission_the_trade_is_rejected() {
    let w = World::one(Permissions::default(), ApprovalSettings::default());
    assert_eq!(reason_code(decide(&w.request()).unwrap()), "TRADING_NOT_PERMITTED");
}

#[test]
fn a_limit_order_needs_advanced_orders() {
    let w = World::one(trading(), ApprovalSettings::default());
    let req = ApprovalRequest { order_type: OrderType::Limit, ..w.request() };
    assert_eq!(reason_code(decide(&req).unwrap()), "ADVANCED_ORDERS_NOT_PERMITTED");
    let w =
        World::one(Permissions { advanced_orders: true, ..trading() }, ApprovalSettings::default());
    let req = ApprovalRequest { order_type: OrderType::Limit, ..w.request() };
    assert_eq!(decide(&req).unwrap(), ApprovalDecision::Pending);
}

#[test]
fn an_asset_type_outside_the_allowed_list_is_rejected() {
    let w = World::one(trading(), ApprovalSettings::default());
    for asset_type in [AssetType::Crypto, AssetType::Other] {
        let req = ApprovalRequest { asset_type, ..w.request() };
        let d = decide(&req).unwrap();
        assert_eq!(
            d,
            ApprovalDecision::Rejected {
                reason: RejectionReason::AssetTypeNotAllowed { asset_type }
            }
        );
    }
    for asset_type in [AssetType::Stock, AssetType::Etf, AssetType::MutualFund] {
        let req = ApprovalRequest { asset_type, ..w.request() };
        assert_eq!(decide(&req).unwrap(), ApprovalDecision::Pending);
    }
    let w = World::one(trading(), settings(r#"{"allowed_asset_types": ["CRYPTO"]}"#));
    let req = ApprovalRequest { asset_type: AssetType::Crypto, ..w.request() };
    assert_eq!(decide(&req).unwrap(), ApprovalDecision::Pending);
}

#[test]
fn an_amount_over_the_maximum_is_rejected_at_the_maximum_it_passes() {
    let w = World::one(trading(), settings(r#"{"max_trade_amount": "100.00"}"#));
    let at = ApprovalRequest { amount: dec!(100.00), ..w.request() };
    assert_eq!(decide(&at).unwrap(), ApprovalDecision::Pending);
    let over = ApprovalRequest { amount: dec!(100.01), ..w.request() };
    assert_eq!(
        decide(&over).unwrap(),
        ApprovalDecision::Rejected {
            reason: RejectionReason::AmountOverMaximum {
                amount: dec!(100.01),
                max_trade_amount: dec!(100.00)
            }
        }
    );
}

#[test]
fn the_daily_limit_counts_the_trades_already_placed() {
    let w = World::one(trading(), settings(r#"{"daily_trade_limit": 3}"#));
    let third = ApprovalRequest { trades_today: 2, ..w.request() };
    assert_eq!(decide(&third).unwrap(), ApprovalDecision::Pending);
    let fourth = ApprovalRequest { trades_today: 3, ..w.request() };
    assert_eq!(reason_code(decide(&fourth).unwrap()), "DAILY_LIMIT_REACHED");
    let w = World::one(trading(), settings(r#"{"daily_trade_limit": 0}"#));
    assert_eq!(reason_code(decide(&w.request()).unwrap()), "DAILY_LIMIT_REACHED");
}

#[test]
fn below_auto_approve_the_trade_is_approved_at_it_it_waits() {
    let w = World::one(trading(), settings(r#"{"auto_approve_below": 25}"#));
    let below = ApprovalRequest { amount: dec!(24.99), ..w.request() };
    assert_eq!(decide(&below).unwrap(), ApprovalDecision::Approved);
    let at = ApprovalRequest { amount: dec!(25.00), ..w.request() };
    assert_eq!(decide(&at).unwrap(), ApprovalDecision::Pending);
}

#[test]
fn without_require_approval_or_portfolio_approval_the_trade_is_approved() {
    let w = World::one(trading(), settings(r#"{"require_approval": false}"#));
    assert_eq!(decide(&w.request()).unwrap(), ApprovalDecision::Approved);
    let mut w = World::one(trading(), ApprovalSettings::default());
    w.portfolio.guardian_approval = false;
    assert_eq!(decide(&w.request()).unwrap(), ApprovalDecision::Approved);
}

#[test]
fn rejections_come_before_auto_approval_and_the_portfolio_flag() {
    let mut w = World::one(
        trading(),
        settings(
            r#"{"require_approval": false, "auto_approve_below": "1000", "max_trade_amount": "10"}"#,
        ),
    );
    assert_eq!(reason_code(decide(&w.request()).unwrap()), "AMOUNT_OVER_MAXIMUM");
    w.portfolio.guardian_approval = false;
    assert_eq!(reason_code(decide(&w.request()).unwrap()), "AMOUNT_OVER_MAXIMUM");
}

#[test]
fn rules_are_checked_in_a_fixed_order() {
    // Breaks every rule: the first in the documented order is reported.
    let w = World::one(
        Permissions::default(),
        settings(r#"{"max_trade_amount": "1", "daily_trade_limit": 0, "allowed_asset_types": []}"#),
    );
    let req = ApprovalRequest {
        order_type: OrderType::Limit,
        asset_type: AssetType::Crypto,
        ..w.request()
    };
    assert_eq!(reason_code(decide(&req).unwrap()), "TRADING_NOT_PERMITTED");
    let w = World::one(
        trading(),
        settings(r#"{"max_trade_amount": "1", "daily_trade_limit": 0, "allowed_asset_types": []}"#),
    );
    let req = ApprovalRequest { order_type: OrderType::Limit, ..w.request() };
    assert_eq!(reason_code(decide(&req).unwrap()), "ADVANCED_ORDERS_NOT_PERMITTED");
    assert_eq!(reason_code(decide(&w.request()).unwrap()), "ASSET_TYPE_NOT_ALLOWED");
    let w = World::one(trading(), settings(r#"{"max_trade_amount": "1", "daily_trade_limit": 0}"#));
    assert_eq!(reason_code(decide(&w.request()).unwrap()), "AMOUNT_OVER_MAXIMUM");
}

#[test]
fn with_several_guardians_the_strictest_rule_wins() {
    // One guardian grants trading, the other does not: rejected.
    let w = World::new(|kid| {
        vec![
            active_link(Uuid::new_v4(), kid),
            link(
                Uuid::new_v4(),
                kid,
                RelationshipStatus::Active,
                Permissions::default(),
                ApprovalSettings::default(),
            ),
        ]
    });
    assert_eq!(reason_code(decide(&w.request()).unwrap()), "TRADING_NOT_PERMITTED");
    // The smallest maximum applies, whatever the order.
    let mk = |a: &str, b: &str| {
        let (a, b) = (settings(a), settings(b));
        World::new(move |kid| {
            vec![
                link(Uuid::new_v4(), kid, RelationshipStatus::Active, trading(), a),
                link(Uuid::new_v4(), kid, RelationshipStatus::Active, trading(), b),
            ]
        })
    };
    for w in [
        mk(r#"{"max_trade_amount": "40"}"#, r#"{"max_trade_amount": "45"}"#),
        mk(r#"{"max_trade_amount": "45"}"#, r#"{"max_trade_amount": "40"}"#),
        mk(r#"{}"#, r#"{"max_trade_amount": "40"}"#),
    ] {
        assert_eq!(
            decide(&w.request()).unwrap(),
            ApprovalDecision::Rejected {
                reason: RejectionReason::AmountOverMaximum {
                    amount: dec!(50.00),
                    max_trade_amount: dec!(40)
                }
            }
        );
    }
    // Auto-approval needs every guardian to waive review.
    let w = mk(r#"{"require_approval": false}"#, r#"{}"#);
    assert_eq!(decide(&w.request()).unwrap(), ApprovalDecision::Pending);
    let w = mk(r#"{"require_approval": false}"#, r#"{"auto_approve_below": "60"}"#);
    assert_eq!(decide(&w.request()).unwrap(), ApprovalDecision::Approved);
    let w = mk(r#"{"auto_approve_below": "60"}"#, r#"{"auto_approve_below": "50"}"#);
    assert_eq!(decide(&w.request()).unwrap(), ApprovalDecision::Pending);
}

#[test]
fn inactive_and_pending_guardians_settings_do_not_apply() {
    let w = World::new(|kid| {
        vec![
            active_link(Uuid::new_v4(), kid),
            link(
                Uuid::new_v4(),
                kid,
                RelationshipStatus::Inactive,
                Permissions::default(),
                settings(r#"{"max_trade_amount": "1"}"#),
            ),
            link(
                Uuid::new_v4(),
                kid,
                RelationshipStatus::Pending,
                Permissions::default(),
                ApprovalSettings::default(),
            ),
        ]
    });
    assert_eq!(decide(&w.request()).unwrap(), ApprovalDecision::Pending);
}

#[test]
fn rejection_reasons_read_well_in_notes() {
    let texts = [
        (RejectionReason::NoActiveGuardian, "no guardian relationship is active yet"),
        (RejectionReason::TradingNotPermitted, "a guardian has not granted the trading permission"),
        (
            RejectionReason::AdvancedOrdersNotPermitted,
            "LIMIT orders need the advanced_orders permission",
        ),
        (
            RejectionReason::AssetTypeNotAllowed { asset_type: AssetType::Crypto },
            "asset type CRYPTO is not allowed by a guardian",
        ),
        (
            RejectionReason::AmountOverMaximum {
                amount: dec!(120.00),
                max_trade_amount: dec!(100.00),
            },
            "trade amount 120.00 is over the guardian maximum of 100.00",
        ),
        (
            RejectionReason::DailyLimitReached { daily_trade_limit: 2, trades_today: 2 },
            "daily trade limit of 2 reached (2 placed today)",
        ),
    ];
    for (reason, text) in texts {
        assert_eq!(reason.to_string(), text);
    }
}

// ---------------------------------------------------------------- apply_decision

#[test]
fn apply_decision_sets_the_approval_and_rejects_with_notes() {
    let pid = Uuid::new_v4();
    for (decision, approval) in [
        (ApprovalDecision::NotRequired, GuardianApproval::NotRequired),
        (ApprovalDecision::Pending, GuardianApproval::Pending),
        (ApprovalDecision::Approved, GuardianApproval::Approved),
    ] {
        for start in [GuardianApproval::NotRequired, GuardianApproval::Pending] {
            let mut t = trade(pid, TradeStatus::Pending, start);
            apply_decision(&mut t, &decision).unwrap();
            assert_eq!(
                (t.status, t.guardian_approval, t.notes.as_deref()),
                (TradeStatus::Pending, approval, None)
            );
        }
    }
    let mut t = trade(pid, TradeStatus::Pending, GuardianApproval::NotRequired);
    let rejected = ApprovalDecision::Rejected { reason: RejectionReason::TradingNotPermitted };
    apply_decision(&mut t, &rejected).unwrap();
    assert_eq!(t.status, TradeStatus::Rejected);
    assert_eq!(t.guardian_approval, GuardianApproval::Rejected);
    assert_eq!(t.notes.as_deref(), Some("a guardian has not granted the trading permission"));
}

#[test]
fn apply_decision_refuses_decided_or_final_trades() {
    let pid = Uuid::new_v4();
    for approval in [GuardianApproval::Approved, GuardianApproval::Rejected] {
        let mut t = trade(pid, TradeStatus::Pending, approval);
        let e = apply_decision(&mut t, &ApprovalDecision::Approved).unwrap_err();
        assert!(
            matches!(&e, ElsonError::InvalidTransition { entity, .. } if entity == "guardian_approval"),
            "{e:?}"
        );
        assert_eq!(t.guardian_approval, approval, "unchanged on error");
    }
    for status in [TradeStatus::Executed, TradeStatus::Cancelled, TradeStatus::Rejected] {
        let mut t = trade(pid, status, GuardianApproval::NotRequired);
        let e = apply_decision(&mut t, &ApprovalDecision::Pending).unwrap_err();
        assert!(
            matches!(&e, ElsonError::InvalidTransition { entity, .. } if entity == "trade"),
            "{e:?}"
        );
    }
}

// ---------------------------------------------------------------- approve / reject

struct Family {
    parent: User,
    kid: User,
    portfolio: Portfolio,
    links: Vec<Relationship>,
}

fn family() -> Family {
    let parent = user(UserRole::Guardian);
    let kid = user(UserRole::Minor);
    let portfolio = portfolio(kid.id, true);
    let links = vec![active_link(parent.id, kid.id)];
    Family { parent, kid, portfolio, links }
}

#[test]
fn an_active_guardian_approves_a_pending_trade() {
    let f = family();
    let mut t = trade(f.portfolio.id, TradeStatus::Pending, GuardianApproval::Pending);
    let d = approve(&mut t, &f.portfolio, &f.parent, &f.links, t0()).unwrap();
    assert_eq!((t.status, t.guardian_approval), (TradeStatus::Pending, GuardianApproval::Approved));
    assert_eq!(
        d,
        GuardianDecision {
            trade_id: t.id,
            minor_id: f.kid.id,
            guardian_id: f.parent.id,
            guardian_approval: GuardianApproval::Approved,
            reason: None,
            decided_at: t0(),
        }
    );
}

#[test]
fn a_rejection_rejects_the_trade_with_the_trimmed_reason() {
    let f = family();
    let mut t = trade(f.portfolio.id, TradeStatus::Pending, GuardianApproval::Pending);
    let d = reject(&mut t, &f.portfolio, &f.parent, &f.links, "  too risky \n", t0()).unwrap();
    assert_eq!(
        (t.status, t.guardian_approval),
        (TradeStatus::Rejected, GuardianApproval::Rejected)
    );
    assert_eq!(t.notes.as_deref(), Some("too risky"));
    assert_eq!(d.reason.as_deref(), Some("too risky"));
}

#[test]
fn a_rejection_needs_a_reason() {
    let f = family();
    for blank in ["", "   ", "\n\t"] {
        let mut t = trade(f.portfolio.id, TradeStatus::Pending, GuardianApproval::Pending);
        let e = reject(&mut t, &f.portfolio, &f.parent, &f.links, blank, t0()).unwrap_err();
        assert_eq!(field_of(e), "reason");
        assert_eq!(t.guardian_approval, GuardianApproval::Pending);
    }
    let mut t = trade(f.portfolio.id, TradeStatus::Pending, GuardianApproval::Pending);
    let long = "x".repeat(70_000);
    assert_eq!(
        field_of(reject(&mut t, &f.portfolio, &f.parent, &f.links, &long, t0()).unwrap_err()),
        "reason"
    );
}

#[test]
fn only_an_active_guardian_of_the_owner_may_decide() {
    let f = family();
    let mut suspended = f.parent.clone();
    suspended.status = UserStatus::Suspended;
    let other_parent = user(UserRole::Guardian);
    let other_links = vec![active_link(other_parent.id, Uuid::new_v4())];
    let pending_parent = user(UserRole::Guardian);
    let pending_links = vec![link(
        pending_parent.id,
        f.kid.id,
        RelationshipStatus::Pending,
        trading(),
        ApprovalSettings::default(),
    )];
    let inactive_links = vec![link(
        f.parent.id,
        f.kid.id,
        RelationshipStatus::Inactive,
        trading(),
        ApprovalSettings::default(),
    )];
    let admin = user(UserRole::Admin);
    let plain = user(UserRole::User);
    let cases: Vec<(&User, &[Relationship])> = vec![
        (&f.kid, &f.links), // the minor approving their own trade
        (&admin, &f.links), // admins do not approve
        (&plain, &f.links),
        (&suspended, &f.links),
        (&other_parent, &other_links), // someone else's guardian
        (&pending_parent, &pending_links),
        (&f.parent, &inactive_links),
        (&f.parent, &[]),
    ];
    for (who, links) in cases {
        let mut t = trade(f.portfolio.id, TradeStatus::Pending, GuardianApproval::Pending);
        let before = t.clone();
        let e = approve(&mut t, &f.portfolio, who, links, t0()).unwrap_err();
        assert_eq!(e.code(), "FORBIDDEN", "{} {:?}", who.role, e);
        let e = reject(&mut t, &f.portfolio, who, links, "no", t0()).unwrap_err();
        assert_eq!(e.code(), "FORBIDDEN");
        assert_eq!(t, before, "nothing changes on a refusal");
    }
}

#[test]
fn authorization_is_checked_before_the_trade_state() {
    let f = family();
    let stranger = user(UserRole::Guardian);
    let mut t = trade(f.portfolio.id, TradeStatus::Executed, GuardianApproval::Approved);
    assert_eq!(
        approve(&mut t, &f.portfolio, &stranger, &[], t0()).unwrap_err().code(),
        "FORBIDDEN"
    );
}

#[test]
fn the_portfolio_must_be_the_trades() {
    let f = family();
    let mut t = trade(Uuid::new_v4(), TradeStatus::Pending, GuardianApproval::Pending);
    assert_eq!(
        field_of(approve(&mut t, &f.portfolio, &f.parent, &f.links, t0()).unwrap_err()),
        "portfolio"
    );
}

#[test]
fn the_first_decision_wins_among_several_guardians() {
    let f = family();
    let second = user(UserRole::Guardian);
    let mut links = f.links.clone();
    links.push(active_link(second.id, f.kid.id));
    let mut t = trade(f.portfolio.id, TradeStatus::Pending, GuardianApproval::Pending);
    approve(&mut t, &f.portfolio, &second, &links, t0()).unwrap();
    let e = reject(&mut t, &f.portfolio, &f.parent, &links, "no", t0()).unwrap_err();
    assert_eq!(e, ElsonError::transition("guardian_approval", "APPROVED", "REJECTED"));
    let e = approve(&mut t, &f.portfolio, &f.parent, &links, t0()).unwrap_err();
    assert_eq!(e, ElsonError::transition("guardian_approval", "APPROVED", "APPROVED"));
    assert_eq!(t.guardian_approval, GuardianApproval::Approved);
}

/// Every row of the (status, approval, verdict) table.
#[test]
fn decision_table_is_exhaustive() {
    let f = family();
    for status in TradeStatus::ALL {
        for approval in GuardianApproval::ALL {
            for rejecting in [false, true] {
                let mut t = trade(f.portfolio.id, *status, *approval);
                let got = if rejecting {
                    reject(&mut t, &f.portfolio, &f.parent, &f.links, "no", t0())
                } else {
                    approve(&mut t, &f.portfolio, &f.parent, &f.links, t0())
                };
                let target = if rejecting { "REJECTED" } else { "APPROVED" };
                match (status, approval) {
                    (TradeStatus::Pending, GuardianApproval::Pending) => {
                        let d = got.unwrap();
                        assert_eq!(d.guardian_approval.as_str(), target);
                        assert_eq!(t.guardian_approval.as_str(), target);
                        let want_status =
                            if rejecting { TradeStatus::Rejected } else { TradeStatus::Pending };
                        assert_eq!(t.status, want_status);
                    }
                    (TradeStatus::Pending, other) => {
                        assert_eq!(
                            got.unwrap_err(),
                            ElsonError::transition("guardian_approval", other, target)
                        );
                    }
                    (other, _) => {
                        assert_eq!(
                            got.unwrap_err(),
                            ElsonError::transition("trade", other, target)
                        );
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- properties

#[derive(Debug, Clone)]
struct GuardianRule {
    status: RelationshipStatus,
    permissions: Permissions,
    settings: ApprovalSettings,
}

fn money_opt() -> impl Strategy<Value = Option<Decimal>> {
    prop::option::of((0i64..30_000).prop_map(|c| Decimal::new(c, 2)))
}

fn guardian_rule() -> impl Strategy<Value = GuardianRule> {
    (
        prop::sample::select(RelationshipStatus::ALL),
        any::<[bool; 2]>(),
        any::<bool>(),
        money_opt(),
        money_opt(),
        prop::sample::subsequence(AssetType::ALL, 0..=AssetType::ALL.len()),
        prop::option::of(0u32..5),
    )
        .prop_map(|(status, [trading, advanced], require, auto, max, assets, daily)| {
            GuardianRule {
                status,
                permissions: Permissions {
                    trading,
                    advanced_orders: advanced,
                    ..Permissions::default()
                },
                settings: ApprovalSettings {
                    require_approval: require,
                    auto_approve_below: auto,
                    max_trade_amount: max,
                    allowed_asset_types: assets,
                    daily_trade_limit: daily,
                },
            }
        })
}

/// Reference model: each ACTIVE guardian judges alone; any rejection rejects,
/// unanimous waiving approves. 0 = approved, 1 = pending, 2 = rejected.
fn reference(
    rules: &[GuardianRule],
    portfolio_flag: bool,
    order_type: OrderType,
    asset_type: AssetType,
    amount: Decimal,
    trades_today: u32,
) -> u8 {
    let active: Vec<&GuardianRule> =
        rules.iter().filter(|r| r.status == RelationshipStatus::Active).collect();
    if active.is_empty() {
        return 2;
    }
    let verdicts: Vec<u8> = active
        .iter()
        .map(|r| {
            let s = &r.settings;
            let refuses = !r.permissions.trading
                || (order_type == OrderType::Limit && !r.permissions.advanced_orders)
                || !s.allowed_asset_types.contains(&asset_type)
                || s.max_trade_amount.is_some_and(|m| amount > m)
                || s.daily_trade_limit.is_some_and(|d| trades_today >= d);
            if refuses {
                2
            } else if !portfolio_flag
                || !s.require_approval
                || s.auto_approve_below.is_some_and(|b| amount < b)
            {
                0
            } else {
                1
            }
        })
        .collect();
    if verdicts.contains(&2) {
        2
    } else if verdicts.iter().all(|v| *v == 0) {
        0
    } else {
        1
    }
}

fn rank(d: &ApprovalDecision) -> u8 {
    match d {
        ApprovalDecision::Approved => 0,
        ApprovalDecision::Pending => 1,
        ApprovalDecision::Rejected { .. } => 2,
        ApprovalDecision::NotRequired => panic!("a minor's trade is never NOT_REQUIRED"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn decide_matches_the_per_guardian_reference_model_and_ignores_order(
        rules in prop::collection::vec(guardian_rule(), 1..4),
        flag in any::<bool>(),
        limit in any::<bool>(),
        asset_type in prop::sample::select(AssetType::ALL),
        cents in 0i64..30_000,
        trades_today in 0u32..6,
    ) {
        let kid = user(UserRole::Minor);
        let p = portfolio(kid.id, flag);
        // Always one PENDING link so the account is consistent.
        let mut links: Vec<Relationship> = rules
            .iter()
            .map(|r| link(Uuid::new_v4(), kid.id, r.status, r.permissions, r.settings.clone()))
            .collect();
        links.push(link(Uuid::new_v4(), kid.id, RelationshipStatus::Pending, Permissions::default(), ApprovalSettings::default()));
        let order_type = if limit { OrderType::Limit } else { OrderType::Market };
        let amount = Decimal::new(cents, 2);
        let req = ApprovalRequest {
            owner: &kid, portfolio: &p, relationships: &links, order_type, asset_type,
            amount, trades_today, today: today(),
        };
        let got = decide(&req).unwrap();
        prop_assert_eq!(rank(&got), reference(&rules, flag, order_type, asset_type, amount, trades_today));

        let mut reversed = links.clone();
        reversed.reverse();
        let req_rev = ApprovalRequest { relationships: &reversed, ..req };
        prop_assert_eq!(decide(&req_rev).unwrap(), got.clone());

        // A smaller amount never makes the decision stricter.
        let smaller = ApprovalRequest { amount: Decimal::new(cents / 2, 2), ..req };
        prop_assert!(rank(&decide(&smaller).unwrap()) <= rank(&got));

        // Applying the decision keeps status and approval consistent.
        let mut t = trade(p.id, TradeStatus::Pending, GuardianApproval::NotRequired);
        apply_decision(&mut t, &got).unwrap();
        prop_assert_eq!(t.status == TradeStatus::Rejected, t.guardian_approval == GuardianApproval::Rejected);
        prop_assert_eq!(t.notes.is_some(), t.status == TradeStatus::Rejected);
    }
}
