//! Fixtures shared by the families and notifications tests: entities built
//! with struct literals (no constructors), so these tests only depend on the
//! entity shapes.
#![allow(dead_code, clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use elson_core::entities::{Portfolio, Relationship, Trade, User};
use elson_core::enums::*;
use elson_core::families::{ApprovalSettings, Permissions};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 14, 0, 0).unwrap()
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn user(role: UserRole) -> User {
    User {
        id: Uuid::new_v4(),
        email: format!("{}@example.com", role.as_str().to_lowercase()),
        password_hash: "$2b$12$abcdefghijklmnopqrstuv".into(),
        role,
        first_name: None,
        last_name: None,
        date_of_birth: match role {
            UserRole::Minor => Some(date(2014, 3, 1)),
            _ => Some(date(1985, 7, 4)),
        },
        created_at: t0(),
        updated_at: t0(),
        last_login: None,
        status: UserStatus::Active,
        two_factor_enabled: false,
        two_factor_secret: None,
        risk_profile: RiskProfile::Moderate,
        education_progress: None,
        preferences: None,
        beta_feedback: None,
    }
}

pub fn trading() -> Permissions {
    Permissions { trading: true, ..Permissions::default() }
}

pub fn link(
    guardian_id: Uuid,
    minor_id: Uuid,
    status: RelationshipStatus,
    permissions: Permissions,
    approval_settings: ApprovalSettings,
) -> Relationship {
    Relationship {
        id: Uuid::new_v4(),
        guardian_id,
        minor_id,
        relationship_type: RelationshipType::Parent,
        created_at: t0(),
        updated_at: t0(),
        status,
        approval_settings,
        permissions,
    }
}

/// An ACTIVE link granting trading with default settings.
pub fn active_link(guardian_id: Uuid, minor_id: Uuid) -> Relationship {
    link(guardian_id, minor_id, RelationshipStatus::Active, trading(), ApprovalSettings::default())
}

pub fn portfolio(owner_id: Uuid, guardian_approval: bool) -> Portfolio {
    Portfolio {
        id: Uuid::new_v4(),
        user_id: owner_id,
        name: "Savings".into(),
        description: None,
        created_at: t0(),
        updated_at: t0(),
        cash_balance: dec!(1000.00),
        total_value: dec!(1000.00),
        risk_score: None,
        diversification_score: None,
        portfolio_type: PortfolioType::Education,
        guardian_approval,
        volatility_preference: None,
        performance_metrics: None,
    }
}

pub fn trade(portfolio_id: Uuid, status: TradeStatus, approval: GuardianApproval) -> Trade {
    Trade {
        id: Uuid::new_v4(),
        portfolio_id,
        symbol: "VTI".into(),
        order_type: OrderType::Market,
        side: TradeSide::Buy,
        quantity: dec!(2),
        price: None,
        status,
        created_at: t0(),
        executed_at: None,
        total_amount: None,
        fees: None,
        notes: None,
        circuit_breaker_state: None,
        volatility_level: None,
        guardian_approval: approval,
        confidence_score: None,
        position_sizing: None,
    }
}

pub fn money(s: &str) -> Decimal {
    s.parse().unwrap()
}
