//! JSON round-trip of all eleven entity types: every column appears under its
//! column name (`type` for `portfolio_type` / `notification_type`), enums as
//! seed names, decimals as exact strings, timestamps as RFC 3339 UTC, `None`
//! as `null`; and proptest round-trips of `User` and `Trade` with arbitrary
//! field values; and that serde reads an entity only through its
//! `validate` (issue 14 item 3), refusing a row that breaks a rule with the
//! error naming the field.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::fmt::Debug;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use elson_core::entities::{
    BacktestResultRow, BetaFeedback, FeatureFlag, ModelParameter, Notification, Portfolio,
    Position, Relationship, Trade, User, VolatilityRegime,
};
use elson_core::enums::*;
use elson_core::families::{ApprovalSettings, Permissions};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use uuid::Uuid;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 10, 30, 0).unwrap()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// Serializes `value`, checks the JSON keys are exactly `columns`, parses it
/// back, checks equality and that re-serializing gives the same text (so
/// decimal scales and timestamp precision survive). Returns the JSON.
fn round_trip<T>(value: &T, columns: &[&str]) -> Value
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let text = serde_json::to_string(value).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    let keys: BTreeSet<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = columns.iter().copied().collect();
    assert_eq!(keys, expected, "JSON keys must be the table's columns");
    let back: T = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, value);
    assert_eq!(serde_json::to_string(&back).unwrap(), text, "re-serialization is identical");
    json
}

const USER_COLUMNS: &[&str] = &[
    "id",
    "email",
    "password_hash",
    "role",
    "first_name",
    "last_name",
    "date_of_birth",
    "created_at",
    "updated_at",
    "last_login",
    "status",
    "two_factor_enabled",
    "two_factor_secret",
    "risk_profile",
    "education_progress",
    "preferences",
    "beta_feedback",
];
const PORTFOLIO_COLUMNS: &[&str] = &[
    "id",
    "user_id",
    "name",
    "description",
    "created_at",
    "updated_at",
    "cash_balance",
    "total_value",
    "risk_score",
    "diversification_score",
    "type",
    "guardian_approval",
    "volatility_preference",
    "performance_metrics",
];
const POSITION_COLUMNS: &[&str] = &[
    "id",
    "portfolio_id",
    "symbol",
    "quantity",
    "average_price",
    "current_price",
    "current_value",
    "created_at",
    "updated_at",
    "last_price_update",
    "gain_loss",
    "gain_loss_percent",
    "asset_type",
    "sector",
];
const TRADE_COLUMNS: &[&str] = &[
    "id",
    "portfolio_id",
    "symbol",
    "order_type",
    "side",
    "quantity",
    "price",
    "status",
    "created_at",
    "executed_at",
    "total_amount",
    "fees",
    "notes",
    "circuit_breaker_state",
    "volatility_level",
    "guardian_approval",
    "confidence_score",
    "position_sizing",
];
const RELATIONSHIP_COLUMNS: &[&str] = &[
    "id",
    "guardian_id",
    "minor_id",
    "relationship_type",
    "created_at",
    "updated_at",
    "status",
    "approval_settings",
    "permissions",
];
const NOTIFICATION_COLUMNS: &[&str] = &[
    "id",
    "user_id",
    "related_entity_id",
    "related_entity_type",
    "type",
    "title",
    "message",
    "created_at",
    "read_at",
    "status",
    "priority",
    "action_url",
];
const REGIME_COLUMNS: &[&str] = &[
    "id",
    "symbol",
    "timestamp",
    "volatility_value",
    "volatility_level",
    "lookback_period",
    "calculation_method",
    "circuit_breaker_state",
    "confidence_score",
    "stabilization_count",
];
const PARAMETER_COLUMNS: &[&str] = &[
    "id",
    "volatility_level",
    "parameter_type",
    "parameter_name",
    "parameter_value",
    "effective_from",
    "effective_to",
    "created_by",
    "created_at",
    "updated_at",
    "description",
];
const BACKTEST_COLUMNS: &[&str] = &[
    "id",
    "model_version",
    "symbol",
    "start_date",
    "end_date",
    "total_trades",
    "win_rate",
    "profit_loss",
    "sharpe_ratio",
    "drawdown_max",
    "volatility_breakdown",
    "parameters_used",
    "created_at",
    "notes",
];
const FEEDBACK_COLUMNS: &[&str] = &[
    "id",
    "user_id",
    "feedback_type",
    "category",
    "title",
    "description",
    "severity",
    "status",
    "submitted_at",
    "updated_at",
    "related_component",
    "environment_details",
    "screenshots",
    "assigned_to",
];
const FLAG_COLUMNS: &[&str] = &[
    "id",
    "flag_name",
    "description",
    "enabled",
    "environment",
    "user_percentage",
    "user_whitelist",
    "created_at",
    "updated_at",
    "created_by",
    "expires_at",
];

fn user() -> User {
    User {
        id: id(1),
        email: "kid@example.com".into(),
        password_hash: "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW".into(),
        role: UserRole::Minor,
        first_name: Some("Kim".into()),
        last_name: Some("Ng".into()),
        date_of_birth: NaiveDate::from_ymd_opt(2012, 2, 29),
        created_at: t0(),
        updated_at: t0(),
        last_login: Some(t0()),
        status: UserStatus::BetaTester,
        two_factor_enabled: true,
        two_factor_secret: Some("enc:abc".into()),
        risk_profile: RiskProfile::Low,
        education_progress: Some(json!({"basics": 2})),
        preferences: Some(json!({"theme": "dark"})),
        beta_feedback: Some("ok".into()),
    }
}

fn portfolio() -> Portfolio {
    Portfolio {
        id: id(2),
        user_id: id(1),
        name: "College fund".into(),
        description: Some("for later".into()),
        created_at: t0(),
        updated_at: t0(),
        cash_balance: dec!(12.50),
        total_value: dec!(1012.50),
        risk_score: Some(40),
        diversification_score: Some(0),
        portfolio_type: PortfolioType::Education,
        guardian_approval: true,
        volatility_preference: Some(VolatilityLevel::Low),
        performance_metrics: Some(json!({"ytd": "0.05"})),
    }
}

fn position() -> Position {
    Position {
        id: id(3),
        portfolio_id: id(2),
        symbol: "VTI".into(),
        quantity: dec!(4.000000),
        average_price: dec!(250.00),
        current_price: dec!(250.00),
        current_value: dec!(1000.00),
        created_at: t0(),
        updated_at: t0(),
        last_price_update: Some(t0()),
        gain_loss: dec!(-0.00),
        gain_loss_percent: dec!(0.00),
        asset_type: AssetType::MutualFund,
        sector: Some("Broad market".into()),
    }
}

fn trade() -> Trade {
    Trade {
        id: id(4),
        portfolio_id: id(2),
        symbol: "VTI".into(),
        order_type: OrderType::Limit,
        side: TradeSide::Buy,
        quantity: dec!(0.123456),
        price: Some(dec!(250.10)),
        status: TradeStatus::Executed,
        created_at: t0(),
        executed_at: Some(t0()),
        total_amount: Some(dec!(31.38)),
        fees: Some(dec!(0.50)),
        notes: Some("first".into()),
        circuit_breaker_state: Some(CircuitBreakerState::Cautious),
        volatility_level: Some(VolatilityLevel::Normal),
        guardian_approval: GuardianApproval::NotRequired,
        confidence_score: Some(dec!(0.75)),
        position_sizing: Some(dec!(0.65)),
    }
}

fn relationship() -> Relationship {
    Relationship {
        id: id(5),
        guardian_id: id(6),
        minor_id: id(1),
        relationship_type: RelationshipType::LegalGuardian,
        created_at: t0(),
        updated_at: t0(),
        status: RelationshipStatus::Active,
        approval_settings: ApprovalSettings {
            auto_approve_below: Some(dec!(25.00)),
            max_trade_amount: Some(dec!(500.10)),
            daily_trade_limit: Some(3),
            ..ApprovalSettings::default()
        },
        permissions: Permissions { trading: true, ..Permissions::default() },
    }
}

fn notification() -> Notification {
    Notification {
        id: id(7),
        user_id: id(6),
        related_entity_id: Some(id(4)),
        related_entity_type: Some("trade".into()),
        notification_type: NotificationType::Approval,
        title: "Approve Kim's trade".into(),
        message: "BUY 0.123456 VTI".into(),
        created_at: t0(),
        read_at: Some(t0()),
        status: NotificationStatus::Read,
        priority: NotificationPriority::High,
        action_url: Some("/trades/4".into()),
    }
}

fn regime() -> VolatilityRegime {
    VolatilityRegime {
        id: id(8),
        symbol: "VTI".into(),
        timestamp: t0(),
        volatility_value: dec!(0.1830),
        volatility_level: VolatilityLevel::Normal,
        lookback_period: 20,
        calculation_method: VolatilityMethod::GarmanKlass,
        circuit_breaker_state: Some(CircuitBreakerState::Cautious),
        confidence_score: dec!(0.90),
        stabilization_count: 3,
    }
}

fn parameter() -> ModelParameter {
    ModelParameter {
        id: id(9),
        volatility_level: VolatilityLevel::Extreme,
        parameter_type: "confidence_threshold".into(),
        parameter_name: "min_confidence".into(),
        parameter_value: dec!(0.750000),
        effective_from: t0(),
        effective_to: Some(t0() + chrono::Duration::days(1)),
        created_by: "quant".into(),
        created_at: t0(),
        updated_at: t0(),
        description: Some("strict".into()),
    }
}

fn backtest() -> BacktestResultRow {
    BacktestResultRow {
        id: id(10),
        model_version: "v2".into(),
        symbol: "SPY".into(),
        start_date: NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
        end_date: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        total_trades: 42,
        win_rate: dec!(55.50),
        profit_loss: dec!(-12.30),
        sharpe_ratio: dec!(1.2000),
        drawdown_max: dec!(0.1234),
        volatility_breakdown: json!({"LOW": {"bars": 300, "win_rate": "60.00"}}),
        parameters_used: json!({"initial_cash": "10000.00"}),
        created_at: t0(),
        notes: Some("baseline".into()),
    }
}

fn feedback() -> BetaFeedback {
    BetaFeedback {
        id: id(11),
        user_id: id(1),
        feedback_type: FeedbackType::FeatureRequest,
        category: Some("charts".into()),
        title: "Dark mode".into(),
        description: "Please".into(),
        severity: FeedbackSeverity::Critical,
        status: FeedbackStatus::Prioritized,
        submitted_at: t0(),
        updated_at: t0(),
        related_component: Some("ui".into()),
        environment_details: Some(json!({"os": "Android 16"})),
        screenshots: vec!["https://x.test/a.png".into()],
        assigned_to: Some(id(12)),
    }
}

fn flag() -> FeatureFlag {
    FeatureFlag {
        id: id(13),
        flag_name: "new-dashboard".into(),
        description: Some("rollout".into()),
        enabled: true,
        environment: Environment::Beta,
        user_percentage: 25,
        user_whitelist: vec![id(1), id(6)],
        created_at: t0(),
        updated_at: t0(),
        created_by: "ops".into(),
        expires_at: Some(t0() + chrono::Duration::days(30)),
    }
}

#[test]
fn user_round_trips() {
    let json = round_trip(&user(), USER_COLUMNS);
    assert_eq!(json["id"], json!("00000000-0000-0000-0000-000000000001"));
    assert_eq!(json["role"], json!("MINOR"));
    assert_eq!(json["status"], json!("BETA_TESTER"));
    assert_eq!(json["risk_profile"], json!("LOW"));
    assert_eq!(json["date_of_birth"], json!("2012-02-29"));
    assert_eq!(json["created_at"], json!("2026-06-15T10:30:00Z"));
    // Without a date of birth and a TOTP secret the row is an adult's
    // without 2FA (a MINOR needs the one, 2FA the other).
    let sparse = User {
        role: UserRole::User,
        two_factor_enabled: false,
        first_name: None,
        last_name: None,
        date_of_birth: None,
        last_login: None,
        two_factor_secret: None,
        education_progress: None,
        preferences: None,
        beta_feedback: None,
        ..user()
    };
    let json = round_trip(&sparse, USER_COLUMNS);
    for key in ["first_name", "date_of_birth", "last_login", "preferences", "beta_feedback"] {
        assert_eq!(json[key], Value::Null, "{key}");
    }
}

#[test]
fn portfolio_round_trips_with_type_rename_and_exact_money() {
    let json = round_trip(&portfolio(), PORTFOLIO_COLUMNS);
    assert_eq!(json["type"], json!("EDUCATION"));
    assert_eq!(json["cash_balance"], json!("12.50"), "decimals are exact strings");
    assert_eq!(json["total_value"], json!("1012.50"));
    assert_eq!(json["volatility_preference"], json!("LOW"));
    let back: Portfolio = serde_json::from_value(json).unwrap();
    assert_eq!(back.cash_balance.to_string(), "12.50", "scale survives");
    let sparse = Portfolio {
        description: None,
        risk_score: None,
        diversification_score: None,
        volatility_preference: None,
        performance_metrics: None,
        ..portfolio()
    };
    let json = round_trip(&sparse, PORTFOLIO_COLUMNS);
    assert_eq!(json["risk_score"], Value::Null);
    // The Rust name is not accepted in place of the column name.
    let mut renamed = serde_json::to_value(portfolio()).unwrap();
    let ty = renamed.as_object_mut().unwrap().remove("type").unwrap();
    renamed.as_object_mut().unwrap().insert("portfolio_type".into(), ty);
    assert!(serde_json::from_value::<Portfolio>(renamed).is_err());
}

#[test]
fn position_round_trips() {
    let json = round_trip(&position(), POSITION_COLUMNS);
    assert_eq!(json["quantity"], json!("4.000000"));
    assert_eq!(json["asset_type"], json!("MUTUAL_FUND"));
    let sparse = Position { last_price_update: None, sector: None, ..position() };
    assert_eq!(round_trip(&sparse, POSITION_COLUMNS)["sector"], Value::Null);
}

#[test]
fn trade_round_trips() {
    let json = round_trip(&trade(), TRADE_COLUMNS);
    assert_eq!(json["order_type"], json!("LIMIT"));
    assert_eq!(json["side"], json!("BUY"));
    assert_eq!(json["status"], json!("EXECUTED"));
    assert_eq!(json["guardian_approval"], json!("NOT_REQUIRED"));
    assert_eq!(json["circuit_breaker_state"], json!("CAUTIOUS"));
    assert_eq!(json["quantity"], json!("0.123456"));
    assert_eq!(json["fees"], json!("0.50"));
    // A MARKET order waiting for its fill: no price yet (a LIMIT order
    // always carries one).
    let sparse = Trade {
        order_type: OrderType::Market,
        price: None,
        status: TradeStatus::Pending,
        executed_at: None,
        total_amount: None,
        fees: None,
        notes: None,
        circuit_breaker_state: None,
        volatility_level: None,
        guardian_approval: GuardianApproval::Pending,
        confidence_score: None,
        position_sizing: None,
        ..trade()
    };
    let json = round_trip(&sparse, TRADE_COLUMNS);
    assert_eq!(json["executed_at"], Value::Null);
    assert_eq!(json["guardian_approval"], json!("PENDING"));
    assert_eq!(json["order_type"], json!("MARKET"));
    // Lower-case enum text is refused.
    let mut lower = serde_json::to_value(trade()).unwrap();
    lower["side"] = json!("buy");
    assert!(serde_json::from_value::<Trade>(lower).is_err());
}

#[test]
fn relationship_round_trips_with_typed_settings() {
    let json = round_trip(&relationship(), RELATIONSHIP_COLUMNS);
    assert_eq!(json["relationship_type"], json!("LEGAL_GUARDIAN"));
    assert_eq!(json["status"], json!("ACTIVE"));
    assert_eq!(json["approval_settings"]["auto_approve_below"], json!("25.00"));
    assert_eq!(
        json["approval_settings"]["allowed_asset_types"],
        json!(["STOCK", "ETF", "MUTUAL_FUND"])
    );
    assert_eq!(json["permissions"]["trading"], json!(true));
    let defaults = Relationship {
        approval_settings: ApprovalSettings::default(),
        permissions: Permissions::default(),
        status: RelationshipStatus::Pending,
        ..relationship()
    };
    let json = round_trip(&defaults, RELATIONSHIP_COLUMNS);
    assert_eq!(json["approval_settings"]["max_trade_amount"], Value::Null);
}

#[test]
fn notification_round_trips_with_type_rename() {
    let json = round_trip(&notification(), NOTIFICATION_COLUMNS);
    assert_eq!(json["type"], json!("APPROVAL"));
    assert_eq!(json["status"], json!("READ"));
    assert_eq!(json["priority"], json!("HIGH"));
    let sparse = Notification {
        related_entity_id: None,
        related_entity_type: None,
        read_at: None,
        status: NotificationStatus::Unread,
        action_url: None,
        ..notification()
    };
    let json = round_trip(&sparse, NOTIFICATION_COLUMNS);
    assert_eq!(json["read_at"], Value::Null);
    assert_eq!(json["action_url"], Value::Null);
}

#[test]
fn volatility_regime_round_trips() {
    let json = round_trip(&regime(), REGIME_COLUMNS);
    assert_eq!(json["volatility_value"], json!("0.1830"));
    assert_eq!(json["confidence_score"], json!("0.90"));
    assert_eq!(json["calculation_method"], json!("GARMAN_KLASS"));
    let sparse = VolatilityRegime { circuit_breaker_state: None, ..regime() };
    assert_eq!(round_trip(&sparse, REGIME_COLUMNS)["circuit_breaker_state"], Value::Null);
}

#[test]
fn model_parameter_round_trips() {
    let json = round_trip(&parameter(), PARAMETER_COLUMNS);
    assert_eq!(json["parameter_value"], json!("0.750000"));
    assert_eq!(json["volatility_level"], json!("EXTREME"));
    let sparse = ModelParameter { effective_to: None, description: None, ..parameter() };
    assert_eq!(round_trip(&sparse, PARAMETER_COLUMNS)["effective_to"], Value::Null);
}

#[test]
fn backtest_result_round_trips() {
    let json = round_trip(&backtest(), BACKTEST_COLUMNS);
    assert_eq!(json["win_rate"], json!("55.50"));
    assert_eq!(json["profit_loss"], json!("-12.30"));
    assert_eq!(json["start_date"], json!("2024-01-02"));
    let sparse = BacktestResultRow { notes: None, ..backtest() };
    assert_eq!(round_trip(&sparse, BACKTEST_COLUMNS)["notes"], Value::Null);
}

#[test]
fn beta_feedback_round_trips() {
    let json = round_trip(&feedback(), FEEDBACK_COLUMNS);
    assert_eq!(json["feedback_type"], json!("FEATURE_REQUEST"));
    assert_eq!(json["severity"], json!("CRITICAL"));
    assert_eq!(json["status"], json!("PRIORITIZED"));
    assert_eq!(json["screenshots"], json!(["https://x.test/a.png"]));
    let sparse = BetaFeedback {
        category: None,
        related_component: None,
        environment_details: None,
        screenshots: vec![],
        assigned_to: None,
        ..feedback()
    };
    let json = round_trip(&sparse, FEEDBACK_COLUMNS);
    assert_eq!(json["assigned_to"], Value::Null);
    assert_eq!(json["screenshots"], json!([]));
}

#[test]
fn feature_flag_round_trips() {
    let json = round_trip(&flag(), FLAG_COLUMNS);
    assert_eq!(json["environment"], json!("BETA"));
    assert_eq!(json["user_whitelist"][1], json!("00000000-0000-0000-0000-000000000006"));
    let sparse =
        FeatureFlag { description: None, expires_at: None, user_whitelist: vec![], ..flag() };
    assert_eq!(round_trip(&sparse, FLAG_COLUMNS)["expires_at"], Value::Null);
}

#[test]
fn some_null_json_is_ambiguous_so_constructors_normalize_it() {
    // Serde cannot tell `Some(null)` from `None` in JSON ...
    let raw = User { preferences: Some(Value::Null), ..user() };
    let back: User = serde_json::from_str(&serde_json::to_string(&raw).unwrap()).unwrap();
    assert_eq!(back.preferences, None);
    // ... so constructed entities never hold it.
    let now = t0();
    let made = User::new(
        elson_core::entities::NewUser {
            preferences: Some(Value::Null),
            education_progress: Some(Value::Null),
            ..elson_core::entities::NewUser::new("a@b.c", user().password_hash, UserRole::User)
        },
        None,
        now,
    )
    .unwrap();
    assert_eq!((made.preferences, made.education_progress), (None, None));
    let fb = BetaFeedback::new(
        elson_core::entities::NewBetaFeedback {
            environment_details: Some(Value::Null),
            ..elson_core::entities::NewBetaFeedback::new(
                id(1),
                FeedbackType::Bug,
                FeedbackSeverity::Low,
                "t",
                "d",
            )
        },
        None,
        now,
    )
    .unwrap();
    assert_eq!(fb.environment_details, None);
}

// ---- no unchecked entity: serde runs each entity's validate -----------

/// Serializes `valid`, applies `edit` to its JSON object, and checks that
/// `serde_json::from_str` refuses the text with the core's `InvalidInput`
/// naming `field` (the constructor's error, carried in serde's message).
fn refused<T>(valid: &T, field: &str, edit: impl FnOnce(&mut serde_json::Map<String, Value>))
where
    T: Serialize + DeserializeOwned + Debug,
{
    let mut json = serde_json::to_value(valid).unwrap();
    edit(json.as_object_mut().unwrap());
    let text = serde_json::to_string(&json).unwrap();
    let err = serde_json::from_str::<T>(&text).expect_err(&format!("{field}: {text}"));
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("invalid input for `{field}`")),
        "{field}: serde said {message:?}"
    );
    // The same text parsed through a Value goes through the same check.
    assert!(serde_json::from_value::<T>(json).is_err(), "{field} via from_value");
}

fn set(key: &'static str, value: Value) -> impl FnOnce(&mut serde_json::Map<String, Value>) {
    move |m| {
        m.insert(key.into(), value);
    }
}

#[test]
fn a_user_row_that_breaks_a_rule_is_refused() {
    refused(&user(), "password_hash", set("password_hash", json!("hunter2")));
    refused(&user(), "email", set("email", json!("Kid@Example.com")));
    refused(&user(), "email", set("email", json!("no-at-sign")));
    refused(&user(), "date_of_birth", set("date_of_birth", Value::Null));
    refused(&user(), "date_of_birth", set("date_of_birth", json!("2008-06-15")));
    refused(&user(), "date_of_birth", set("date_of_birth", json!("2026-06-16")));
    refused(&user(), "two_factor_secret", set("two_factor_secret", Value::Null));
    refused(&user(), "first_name", set("first_name", json!("x".repeat(101))));
}

#[test]
fn a_portfolio_row_that_breaks_a_rule_is_refused() {
    refused(&portfolio(), "cash_balance", set("cash_balance", json!("-1.00")));
    refused(&portfolio(), "cash_balance", set("cash_balance", json!("1.005")));
    refused(&portfolio(), "total_value", set("total_value", json!("12.49")));
    refused(&portfolio(), "name", set("name", json!(" ")));
    refused(&portfolio(), "risk_score", set("risk_score", json!(101)));
}

#[test]
fn a_position_row_that_breaks_a_rule_is_refused() {
    refused(&position(), "current_value", set("current_value", json!("999.00")));
    refused(&position(), "gain_loss", set("gain_loss", json!("5.00")));
    refused(&position(), "gain_loss_percent", set("gain_loss_percent", json!("1.00")));
    refused(&position(), "quantity", set("quantity", json!("0")));
    refused(&position(), "quantity", set("quantity", json!("1.0000001")));
    refused(&position(), "symbol", set("symbol", json!("")));
}

#[test]
fn a_trade_row_that_breaks_a_rule_is_refused() {
    refused(&trade(), "executed_at", set("executed_at", Value::Null));
    refused(&trade(), "executed_at", set("executed_at", json!("2026-06-15T10:29:59Z")));
    refused(&trade(), "total_amount", set("total_amount", json!("1.00")));
    refused(&trade(), "total_amount", set("fees", Value::Null));
    refused(&trade(), "quantity", set("quantity", json!("0")));
    refused(&trade(), "price", set("price", Value::Null));
    refused(&trade(), "guardian_approval", set("guardian_approval", json!("PENDING")));
    refused(&trade(), "executed_at", |m| {
        m.insert("status".into(), json!("CANCELLED"));
    });
    let pending_market = Trade {
        order_type: OrderType::Market,
        price: None,
        status: TradeStatus::Pending,
        executed_at: None,
        total_amount: None,
        fees: None,
        ..trade()
    };
    refused(&pending_market, "price", set("price", json!("10.00")));
    refused(&pending_market, "total_amount", set("fees", json!("0.50")));
    refused(&pending_market, "confidence_score", set("confidence_score", json!("1.01")));
}

#[test]
fn a_minors_trade_cancelled_or_rejected_while_waiting_is_a_real_row() {
    // Trade::cancel and Trade::reject leave the approval PENDING: a row the
    // lifecycle reaches, so serde (and the store's import) must accept it.
    for status in [TradeStatus::Pending, TradeStatus::Cancelled, TradeStatus::Rejected] {
        let waiting = Trade {
            status,
            executed_at: None,
            total_amount: None,
            fees: None,
            guardian_approval: GuardianApproval::Pending,
            ..trade()
        };
        round_trip(&waiting, TRADE_COLUMNS);
        elson_core::accounting::check_trade_row(&waiting, true).unwrap();
    }
}

#[test]
fn a_relationship_row_that_breaks_a_rule_is_refused() {
    refused(&relationship(), "minor_id", set("minor_id", json!(id(6))));
    refused(&relationship(), "approval_settings.max_trade_amount", |m| {
        m["approval_settings"]["max_trade_amount"] = json!("-1.00");
    });
}

#[test]
fn a_notification_row_that_breaks_a_rule_is_refused() {
    refused(&notification(), "title", set("title", json!("t".repeat(101))));
    refused(&notification(), "read_at", set("read_at", Value::Null));
    refused(&notification(), "read_at", set("status", json!("UNREAD")));
    refused(&notification(), "read_at", set("read_at", json!("2026-06-15T10:29:59Z")));
    refused(&notification(), "related_entity_type", set("related_entity_type", Value::Null));
}

#[test]
fn a_regime_row_that_breaks_a_rule_is_refused() {
    refused(&regime(), "stabilization_count", set("stabilization_count", json!(0)));
    refused(&regime(), "volatility_value", set("volatility_value", json!("-0.1000")));
    refused(&regime(), "lookback_period", set("lookback_period", json!(0)));
    refused(&regime(), "confidence_score", set("confidence_score", json!("1.50")));
}

#[test]
fn a_model_parameter_row_that_breaks_a_rule_is_refused() {
    refused(&parameter(), "effective_to", set("effective_to", json!("2026-06-15T10:30:00Z")));
    refused(&parameter(), "parameter_value", set("parameter_value", json!("0.0000001")));
    refused(&parameter(), "parameter_name", set("parameter_name", json!("")));
}

#[test]
fn a_backtest_row_that_breaks_a_rule_is_refused() {
    refused(&backtest(), "end_date", set("end_date", json!("2023-12-31")));
    refused(&backtest(), "win_rate", set("win_rate", json!("100.01")));
    refused(&backtest(), "total_trades", set("total_trades", json!(-1)));
    refused(&backtest(), "drawdown_max", set("drawdown_max", json!("-0.0100")));
}

#[test]
fn a_feedback_row_that_breaks_a_rule_is_refused() {
    refused(&feedback(), "title", set("title", json!("")));
    refused(&feedback(), "screenshots", set("screenshots", json!(vec!["u"; 21])));
    refused(&feedback(), "category", set("category", json!("c".repeat(101))));
}

#[test]
fn a_feature_flag_row_that_breaks_a_rule_is_refused() {
    refused(&flag(), "user_percentage", set("user_percentage", json!(101)));
    refused(&flag(), "flag_name", set("flag_name", json!(" new-dashboard")));
    refused(&flag(), "expires_at", set("expires_at", json!("2026-06-15T10:30:00Z")));
}

// ---- proptest: arbitrary field values ------------------------------------

fn any_uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

/// Any instant from 1900 to 2200 with nanosecond precision.
fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    (-2_208_988_800i64..7_258_118_400, 0u32..1_000_000_000)
        .prop_map(|(secs, nanos)| Utc.timestamp_opt(secs, nanos).unwrap())
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (600_000i32..800_000).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap())
}

/// Any `Decimal` the type can hold: 96-bit mantissa, either sign, scale 0–28.
fn any_decimal() -> impl Strategy<Value = Decimal> {
    (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
        .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale))
}

/// Free-form JSON without floats (whose text form is not guaranteed to
/// round-trip bit for bit, and which the entities never hold for money).
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(any::<String>(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An optional JSON column. `Some(Value::Null)` is left out on purpose: it
/// serializes as `null`, which reads back as `None` (the same ambiguity as
/// SQL NULL versus JSON `null` in a JSONB column); the constructors
/// normalize it to `None` (see `some_null_json_is_normalized_by_constructors`).
fn any_json_column() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(any_json().prop_filter("JSON null is stored as None", |v| !v.is_null()))
}

fn pick<T: Copy + Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    prop::sample::select(all)
}

fn any_user() -> impl Strategy<Value = User> {
    (
        (any_uuid(), any::<String>(), any::<String>(), pick(UserRole::ALL)),
        (
            prop::option::of(any::<String>()),
            prop::option::of(any::<String>()),
            prop::option::of(any_date()),
        ),
        (any_time(), any_time(), prop::option::of(any_time()), pick(UserStatus::ALL)),
        (any::<bool>(), prop::option::of(any::<String>()), pick(RiskProfile::ALL)),
        (any_json_column(), any_json_column(), prop::option::of(any::<String>())),
    )
        .prop_map(
            |(
                (id, email, password_hash, role),
                (first_name, last_name, date_of_birth),
                (created_at, updated_at, last_login, status),
                (two_factor_enabled, two_factor_secret, risk_profile),
                (education_progress, preferences, beta_feedback),
            )| User {
                id,
                email,
                password_hash,
                role,
                first_name,
                last_name,
                date_of_birth,
                created_at,
                updated_at,
                last_login,
                status,
                two_factor_enabled,
                two_factor_secret,
                risk_profile,
                education_progress,
                preferences,
                beta_feedback,
            },
        )
}

/// Text a free-text column accepts: not blank, no NUL.
fn prose(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9][A-Za-z0-9 '.,-]{{0,{}}}", max - 1))
        .unwrap()
}

/// A user row the constructor could have produced: every column in its
/// limits, a MINOR under 18 on the creation day, 2FA with a secret.
fn valid_user() -> impl Strategy<Value = User> {
    (
        any_user(),
        "[a-z0-9._%+-]{1,30}@[a-z0-9-]{1,20}\\.[a-z]{2,6}",
        "\\$2[aby]\\$1[0-4]\\$[./A-Za-z0-9]{53}",
        (prop::option::of(prose(100)), prop::option::of(prose(100))),
        (0u32..(18 * 365), prop::option::of(prose(255)), prop::option::of(prose(500))),
    )
        .prop_map(
            |(u, email, password_hash, (first_name, last_name), (age_days, secret, fb))| {
                let born = u.created_at.date_naive() - chrono::Days::new(u64::from(age_days));
                let date_of_birth = match u.role {
                    UserRole::Minor => Some(born),
                    _ => u.date_of_birth.map(|_| born),
                };
                User {
                    email,
                    password_hash,
                    first_name,
                    last_name,
                    date_of_birth,
                    two_factor_secret: if u.two_factor_enabled {
                        Some(secret.unwrap_or_else(|| "enc:x".into()))
                    } else {
                        secret
                    },
                    beta_feedback: fb,
                    ..u
                }
            },
        )
}

fn any_trade() -> impl Strategy<Value = Trade> {
    (
        (any_uuid(), any_uuid(), any::<String>(), pick(OrderType::ALL), pick(TradeSide::ALL)),
        (any_decimal(), prop::option::of(any_decimal()), pick(TradeStatus::ALL)),
        (any_time(), prop::option::of(any_time())),
        (
            prop::option::of(any_decimal()),
            prop::option::of(any_decimal()),
            prop::option::of(any::<String>()),
        ),
        (
            prop::option::of(pick(CircuitBreakerState::ALL)),
            prop::option::of(pick(VolatilityLevel::ALL)),
            pick(GuardianApproval::ALL),
        ),
        (prop::option::of(any_decimal()), prop::option::of(any_decimal())),
    )
        .prop_map(
            |(
                (id, portfolio_id, symbol, order_type, side),
                (quantity, price, status),
                (created_at, executed_at),
                (total_amount, fees, notes),
                (circuit_breaker_state, volatility_level, guardian_approval),
                (confidence_score, position_sizing),
            )| Trade {
                id,
                portfolio_id,
                symbol,
                order_type,
                side,
                quantity,
                price,
                status,
                created_at,
                executed_at,
                total_amount,
                fees,
                notes,
                circuit_breaker_state,
                volatility_level,
                guardian_approval,
                confidence_score,
                position_sizing,
            },
        )
}

/// A decimal of `scale` places in `[0, 10^digits)`, with trailing zeros
/// kept (so the scale must survive the round trip).
fn fixed(digits: u32, scale: u32) -> impl Strategy<Value = Decimal> {
    (0i64..10i64.pow(digits)).prop_map(move |m| Decimal::new(m, scale))
}

/// A trade row the lifecycle could have produced: valid columns, the price
/// a LIMIT order carries or a fill's, and the fill columns (with
/// `total_amount = notional ± fees`) set exactly when EXECUTED.
fn valid_trade() -> impl Strategy<Value = Trade> {
    (
        any_trade(),
        "[A-Z]{1,5}",
        (1i64..1_000_000_000i64).prop_map(|m| Decimal::new(m, 6)),
        (1i64..10_000_000i64).prop_map(|c| Decimal::new(c, 2)),
        fixed(4, 2),
        (0i64..=3_600, prop::option::of(prose(200))),
        (prop::option::of(0i64..=100), prop::option::of(0i64..=100)),
    )
        .prop_map(
            |(t, symbol, quantity, price, fees, (delay, notes), (confidence, sizing))| {
                let executed = t.status == TradeStatus::Executed;
                let n = elson_core::accounting::notional(quantity, price).unwrap();
                let total = match t.side {
                    TradeSide::Buy => n + fees,
                    TradeSide::Sell => n - fees,
                };
                let executed = executed && total >= Decimal::ZERO;
                let status = if t.status == TradeStatus::Executed && !executed {
                    TradeStatus::Cancelled
                } else {
                    t.status
                };
                let guardian_approval = match (t.guardian_approval, status) {
                    (GuardianApproval::Pending, s) if s != TradeStatus::Pending => {
                        GuardianApproval::Approved
                    }
                    (GuardianApproval::Rejected, s) if s != TradeStatus::Rejected => {
                        GuardianApproval::NotRequired
                    }
                    (a, _) => a,
                };
                Trade {
                    symbol,
                    quantity,
                    price: (executed || t.order_type == OrderType::Limit).then_some(price),
                    status,
                    executed_at: executed.then(|| t.created_at + chrono::Duration::seconds(delay)),
                    total_amount: executed.then_some(total),
                    fees: executed.then_some(fees),
                    notes,
                    guardian_approval,
                    confidence_score: confidence.map(|c| Decimal::new(c, 2)),
                    position_sizing: sizing.map(|c| Decimal::new(c, 2)),
                    ..t
                }
            },
        )
}

/// Serde reads `value` back exactly when its `validate` accepts it; when
/// it does, the round trip is exact, and when it does not, serde's error
/// is the same error (naming the same field).
fn serde_agrees_with_validate<T>(
    value: &T,
    validate: elson_core::Result<()>,
) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let text = serde_json::to_string(value).unwrap();
    match (validate, serde_json::from_str::<T>(&text)) {
        (Ok(()), Ok(back)) => {
            prop_assert_eq!(&back, value);
            // Same text again: every decimal kept its exact digits and scale.
            prop_assert_eq!(serde_json::to_string(&back).unwrap(), text);
        }
        (Err(e), Err(de)) => {
            prop_assert!(de.to_string().contains(&e.to_string()), "{} vs {}", de, e);
        }
        (v, d) => prop_assert!(false, "validate {:?} but serde {:?}", v, d.map(|_| ())),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_valid_user_round_trips(u in valid_user()) {
        prop_assert_eq!(u.validate(), Ok(()));
        serde_agrees_with_validate(&u, u.validate())?;
    }

    #[test]
    fn any_user_is_read_back_only_when_valid(u in any_user()) {
        serde_agrees_with_validate(&u, u.validate())?;
    }

    #[test]
    fn any_valid_trade_round_trips(t in valid_trade()) {
        prop_assert_eq!(t.validate(), Ok(()));
        serde_agrees_with_validate(&t, t.validate())?;
        let back: Trade = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        prop_assert_eq!(back.quantity.scale(), t.quantity.scale());
    }

    #[test]
    fn any_trade_is_read_back_only_when_valid(t in any_trade()) {
        serde_agrees_with_validate(&t, t.validate())?;
    }
}
