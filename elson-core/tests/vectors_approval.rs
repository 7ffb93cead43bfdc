//! Runs the shared vectors `testdata/vectors/approval.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use elson_core::entities::{Portfolio, Relationship, Trade, User};
use elson_core::enums::*;
use elson_core::families::*;
use elson_core::{ElsonError, Result};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

const VECTORS: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors/approval.json"));

fn s(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("{key} must be a string in {v}")).to_owned()
}
fn opt_s(v: &Value, key: &str) -> Option<String> {
    v[key].as_str().map(str::to_owned)
}
fn dec(v: &Value, key: &str) -> Decimal {
    s(v, key).parse().unwrap()
}
fn opt_dec(v: &Value, key: &str) -> Option<Decimal> {
    opt_s(v, key).map(|x| x.parse().unwrap())
}
fn parse<T: std::str::FromStr<Err = ElsonError>>(v: &Value, key: &str) -> T {
    s(v, key).parse().unwrap()
}

fn user(role: UserRole, status: UserStatus, date_of_birth: Option<NaiveDate>) -> User {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    User {
        id: Uuid::new_v4(),
        email: "v@example.com".into(),
        password_hash: "$2b$12$x".into(),
        role,
        first_name: None,
        last_name: None,
        date_of_birth,
        created_at: t,
        updated_at: t,
        last_login: None,
        status,
        two_factor_enabled: false,
        two_factor_secret: None,
        risk_profile: RiskProfile::Moderate,
        education_progress: None,
        preferences: None,
        beta_feedback: None,
    }
}

fn portfolio(owner: Uuid, guardian_approval: bool) -> Portfolio {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    Portfolio {
        id: Uuid::new_v4(),
        user_id: owner,
        name: "Vectors".into(),
        description: None,
        created_at: t,
        updated_at: t,
        cash_balance: Decimal::ZERO,
        total_value: Decimal::ZERO,
        risk_score: None,
        diversification_score: None,
        portfolio_type: PortfolioType::Standard,
        guardian_approval,
        volatility_preference: None,
        performance_metrics: None,
    }
}

fn trade(portfolio_id: Uuid, status: TradeStatus, guardian_approval: GuardianApproval) -> Trade {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    Trade {
        id: Uuid::new_v4(),
        portfolio_id,
        symbol: "VTI".into(),
        order_type: OrderType::Market,
        side: TradeSide::Buy,
        quantity: Decimal::ONE,
        price: None,
        status,
        created_at: t,
        executed_at: None,
        total_amount: None,
        fees: None,
        notes: None,
        circuit_breaker_state: None,
        volatility_level: None,
        guardian_approval,
        confidence_score: None,
        position_sizing: None,
    }
}

/// A relationship from the vector form; the JSON columns go through the
/// strict parsers, exactly as a store would read them.
fn relationship(v: &Value, guardian_id: Uuid, minor_id: Uuid) -> Result<Relationship> {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    Ok(Relationship {
        id: Uuid::new_v4(),
        guardian_id,
        minor_id,
        relationship_type: RelationshipType::Parent,
        created_at: t,
        updated_at: t,
        status: parse(v, "status"),
        approval_settings: ApprovalSettings::from_json(&v["approval_settings"].to_string())?,
        permissions: Permissions::from_json(&v["permissions"].to_string())?,
    })
}

fn run_estimate(i: &Value) -> Result<Value> {
    let amount = estimate_amount(
        parse(i, "order_type"),
        dec(i, "quantity"),
        opt_dec(i, "limit_price"),
        opt_dec(i, "market_price"),
    )?;
    Ok(json!({ "amount": amount.to_string() }))
}

fn run_decide(i: &Value) -> Result<Value> {
    let dob = opt_s(i, "date_of_birth").map(|d| d.parse::<NaiveDate>().unwrap());
    let owner = user(parse(i, "owner_role"), UserStatus::Active, dob);
    let p = portfolio(owner.id, i["portfolio_guardian_approval"].as_bool().unwrap());
    let links = i["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| relationship(r, Uuid::new_v4(), owner.id))
        .collect::<Result<Vec<_>>>()?;
    let request = ApprovalRequest {
        owner: &owner,
        portfolio: &p,
        relationships: &links,
        order_type: parse(i, "order_type"),
        asset_type: parse(i, "asset_type"),
        amount: dec(i, "amount"),
        trades_today: u32::try_from(i["trades_today"].as_u64().unwrap()).unwrap(),
        today: s(i, "today").parse().unwrap(),
    };
    let decision = decide(&request)?;
    let mut t = trade(p.id, TradeStatus::Pending, GuardianApproval::NotRequired);
    apply_decision(&mut t, &decision)?;
    assert_eq!(t.guardian_approval, decision.guardian_approval());
    let reason = match &decision {
        ApprovalDecision::Rejected { reason } => Some(reason.code()),
        _ => None,
    };
    Ok(json!({
        "decision": t.guardian_approval.as_str(),
        "reason": reason,
        "trade_status": t.status.as_str(),
        "notes": t.notes,
    }))
}

fn run_guardian_decide(i: &Value) -> Result<Value> {
    let actor = user(parse(i, "actor_role"), parse(i, "actor_status"), None);
    let minor = user(UserRole::Minor, UserStatus::Active, NaiveDate::from_ymd_opt(2014, 3, 1));
    let p = portfolio(minor.id, true);
    let on = if i["same_portfolio"].as_bool().unwrap() { p.id } else { Uuid::new_v4() };
    let mut t = trade(on, parse(i, "trade_status"), parse(i, "guardian_approval"));
    let link = |status: &str, minor_id| {
        relationship(
            &json!({"status": status, "permissions": {}, "approval_settings": {}}),
            actor.id,
            minor_id,
        )
    };
    let links = match s(i, "relationship").as_str() {
        "NONE" => vec![],
        "OTHER_MINOR" => vec![link("ACTIVE", Uuid::new_v4())?],
        status => vec![link(status, minor.id)?],
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 14, 0, 0).unwrap();
    let decision = match s(i, "verdict").as_str() {
        "APPROVE" => approve(&mut t, &p, &actor, &links, now)?,
        "REJECT" => {
            reject(&mut t, &p, &actor, &links, &opt_s(i, "reason").unwrap_or_default(), now)?
        }
        other => panic!("unknown verdict {other}"),
    };
    assert_eq!(
        (decision.trade_id, decision.minor_id, decision.guardian_id),
        (t.id, minor.id, actor.id)
    );
    Ok(json!({
        "trade_status": t.status.as_str(),
        "guardian_approval": t.guardian_approval.as_str(),
        "notes": t.notes,
    }))
}

#[test]
fn approval_vectors() {
    let doc: Value = serde_json::from_str(VECTORS).unwrap();
    assert_eq!(doc["area"], "approval");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 15, "{} cases", cases.len());
    for c in cases {
        let name = s(c, "name");
        let input = &c["input"];
        let got = match s(c, "op").as_str() {
            "estimate_amount" => run_estimate(input),
            "decide" => run_decide(input),
            "guardian_decide" => run_guardian_decide(input),
            op => panic!("{name}: unknown op {op}"),
        };
        match (got, c.get("expected"), c.get("error")) {
            (Ok(v), Some(expected), None) => assert_eq!(&v, expected, "{name}"),
            (Err(e), None, Some(code)) => assert_eq!(e.code(), code, "{name}: {e}"),
            (got, _, _) => panic!("{name}: got {got:?}, case {c}"),
        }
    }
}
