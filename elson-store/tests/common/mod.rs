//! Shared test support: a fresh store per test on each backend, and
//! fixtures.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use elson_store::elson_core::entities::*;
use elson_store::elson_core::enums::*;
use elson_store::elson_core::families::{ApprovalSettings, Permissions};
use elson_store::{Actor, Fill, ImportBatch, ImportReport, Store, StoreOptions, StoreResult};
use rust_decimal::Decimal;
use sqlx::ConnectOptions;
use sqlx::postgres::PgConnectOptions;
use uuid::Uuid;

/// Runs the same async test body against SQLite and PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let store = $crate::common::sqlite_store().await;
                ($body)(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(store) = $crate::common::pg_store().await else { return };
                ($body)(store).await;
            }
        }
    };
}

pub async fn sqlite_store() -> Store {
    Store::open("sqlite::memory:").await.unwrap()
}

/// A URL of a fresh, empty PostgreSQL database, or `None` (with a notice)
/// when no server is configured and none is required.
pub async fn pg_fresh_url() -> Option<String> {
    let Ok(base) = std::env::var("ELSON_TEST_PG_URL") else {
        if std::env::var_os("ELSON_REQUIRE_PG").is_some() {
            panic!(
                "ELSON_REQUIRE_PG is set but ELSON_TEST_PG_URL is not: run under scripts/with-postgres"
            );
        }
        eprintln!(
            "notice: ELSON_TEST_PG_URL not set, skipping the PostgreSQL variant of this test"
        );
        return None;
    };
    let name = format!("elson_t_{}", Uuid::new_v4().simple());
    let opts = PgConnectOptions::from_str(&base).unwrap();
    let mut admin = opts.connect().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let url = match base.rfind('/') {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => panic!("ELSON_TEST_PG_URL has no database part: {base}"),
    };
    Some(url)
}

pub async fn pg_store() -> Option<Store> {
    let url = pg_fresh_url().await?;
    Some(
        Store::open_with(&url, StoreOptions { max_connections: 4, ..StoreOptions::default() })
            .await
            .unwrap(),
    )
}

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A fixed instant with whole microseconds (both backends keep micros).
pub fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(1_767_225_600_123_456).unwrap()
}

pub fn at(seconds: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(seconds)
}

pub fn admin() -> Actor {
    elson_store::system_actor()
}

pub fn user(role: UserRole, email: &str) -> User {
    User {
        id: Uuid::new_v4(),
        email: email.to_string(),
        password_hash: "$2b$12$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0".to_string(),
        role,
        first_name: Some("Ada".to_string()),
        last_name: Some("Example".to_string()),
        date_of_birth: Some(NaiveDate::from_ymd_opt(2012, 2, 29).unwrap()),
        created_at: t0(),
        updated_at: t0(),
        last_login: None,
        status: UserStatus::Active,
        two_factor_enabled: false,
        two_factor_secret: None,
        risk_profile: RiskProfile::Moderate,
        education_progress: Some(serde_json::json!({"basics": 3})),
        preferences: None,
        beta_feedback: None,
    }
}

pub fn portfolio(user_id: Uuid, cash: &str) -> Portfolio {
    Portfolio {
        id: Uuid::new_v4(),
        user_id,
        name: "College fund".to_string(),
        description: None,
        created_at: t0(),
        updated_at: t0(),
        cash_balance: dec(cash),
        total_value: dec(cash),
        risk_score: Some(40),
        diversification_score: None,
        portfolio_type: PortfolioType::Education,
        guardian_approval: true,
        volatility_preference: Some(VolatilityLevel::Normal),
        performance_metrics: None,
    }
}

pub fn position(portfolio_id: Uuid, symbol: &str) -> Position {
    Position {
        id: Uuid::new_v4(),
        portfolio_id,
        symbol: symbol.to_string(),
        quantity: dec("1.5"),
        average_price: dec("100.00"),
        current_price: dec("110.00"),
        current_value: dec("165.00"),
        created_at: t0(),
        updated_at: t0(),
        last_price_update: Some(t0()),
        gain_loss: dec("15.00"),
        gain_loss_percent: dec("10.00"),
        asset_type: AssetType::Etf,
        sector: Some("Index".to_string()),
    }
}

pub fn trade(portfolio_id: Uuid, symbol: &str, created_at: DateTime<Utc>) -> Trade {
    Trade {
        id: Uuid::now_v7(),
        portfolio_id,
        symbol: symbol.to_string(),
        order_type: OrderType::Market,
        side: TradeSide::Buy,
        quantity: dec("2.000001"),
        price: Some(dec("10.25")),
        status: TradeStatus::Pending,
        created_at,
        executed_at: None,
        total_amount: None,
        fees: None,
        notes: None,
        circuit_breaker_state: Some(CircuitBreakerState::Closed),
        volatility_level: Some(VolatilityLevel::Low),
        guardian_approval: GuardianApproval::Pending,
        confidence_score: Some(dec("0.75")),
        position_sizing: Some(dec("1.00")),
    }
}

pub fn relationship(guardian_id: Uuid, minor_id: Uuid) -> Relationship {
    Relationship {
        id: Uuid::new_v4(),
        guardian_id,
        minor_id,
        relationship_type: RelationshipType::Parent,
        created_at: t0(),
        updated_at: t0(),
        status: RelationshipStatus::Active,
        approval_settings: ApprovalSettings {
            auto_approve_below: Some(dec("25.00")),
            ..ApprovalSettings::default()
        },
        permissions: Permissions { trading: true, ..Permissions::default() },
    }
}

pub fn notification(user_id: Uuid) -> Notification {
    Notification {
        id: Uuid::new_v4(),
        user_id,
        related_entity_id: Some(Uuid::new_v4()),
        related_entity_type: Some("trade".to_string()),
        notification_type: NotificationType::Approval,
        title: "Trade waiting for approval".to_string(),
        message: "Your approval is needed.".to_string(),
        created_at: t0(),
        read_at: None,
        status: NotificationStatus::Unread,
        priority: NotificationPriority::High,
        action_url: Some("/trades/1".to_string()),
    }
}

pub fn regime(
    symbol: &str,
    ts: DateTime<Utc>,
    level: VolatilityLevel,
    count: i32,
) -> VolatilityRegime {
    VolatilityRegime {
        id: Uuid::new_v4(),
        symbol: symbol.to_string(),
        timestamp: ts,
        volatility_value: dec("0.1834"),
        volatility_level: level,
        lookback_period: 20,
        calculation_method: VolatilityMethod::CloseToClose,
        circuit_breaker_state: Some(CircuitBreakerState::Cautious),
        confidence_score: dec("0.87"),
        stabilization_count: count,
    }
}

pub fn model_parameter(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> ModelParameter {
    ModelParameter {
        id: Uuid::new_v4(),
        volatility_level: VolatilityLevel::High,
        parameter_type: "position_sizing".to_string(),
        parameter_name: "factor_closed".to_string(),
        parameter_value: dec("-0.123456"),
        effective_from: from,
        effective_to: to,
        created_by: "risk-team".to_string(),
        created_at: t0(),
        updated_at: t0(),
        description: None,
    }
}

pub fn backtest() -> BacktestResultRow {
    BacktestResultRow {
        id: Uuid::new_v4(),
        model_version: "v1.2".to_string(),
        symbol: "SPY".to_string(),
        start_date: NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
        end_date: NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
        total_trades: 42,
        win_rate: dec("57.14"),
        profit_loss: dec("-1234.56"),
        sharpe_ratio: dec("1.2345"),
        drawdown_max: dec("0.0812"),
        volatility_breakdown: serde_json::json!({"LOW": {"bars": 100}}),
        parameters_used: serde_json::json!({"lookback": 20}),
        created_at: t0(),
        notes: Some("baseline".to_string()),
    }
}

pub fn feedback(user_id: Uuid, submitted_at: DateTime<Utc>) -> BetaFeedback {
    BetaFeedback {
        id: Uuid::new_v4(),
        user_id,
        feedback_type: FeedbackType::Bug,
        category: Some("charts".to_string()),
        title: "Chart does not load".to_string(),
        description: "Blank screen on the portfolio chart.".to_string(),
        severity: FeedbackSeverity::High,
        status: FeedbackStatus::New,
        submitted_at,
        updated_at: submitted_at,
        related_component: Some("portfolio-chart".to_string()),
        environment_details: Some(serde_json::json!({"os": "android"})),
        screenshots: vec![
            "https://example.com/s/1.png".to_string(),
            "https://example.com/s/2.png".to_string(),
        ],
        assigned_to: None,
    }
}

pub fn flag(name: &str, environment: Environment, enabled: bool) -> FeatureFlag {
    FeatureFlag {
        id: Uuid::new_v4(),
        flag_name: name.to_string(),
        description: Some("new thing".to_string()),
        enabled,
        environment,
        user_percentage: 25,
        user_whitelist: vec![Uuid::new_v4(), Uuid::new_v4()],
        created_at: t0(),
        updated_at: t0(),
        created_by: "release-team".to_string(),
        expires_at: Some(at(86_400)),
    }
}

/// Whole rows a test starts from, written through the store's one import
/// path ([`Store::import`], as the system actor): every invariant checked.
pub trait Rows {
    /// The rows as an import batch.
    fn batch(self) -> ImportBatch;
}

impl Rows for ImportBatch {
    fn batch(self) -> ImportBatch {
        self
    }
}

macro_rules! rows_of {
    ($t:ty, $field:ident) => {
        impl Rows for $t {
            fn batch(self) -> ImportBatch {
                ImportBatch { $field: vec![self], ..ImportBatch::default() }
            }
        }
        impl Rows for Vec<$t> {
            fn batch(self) -> ImportBatch {
                ImportBatch { $field: self, ..ImportBatch::default() }
            }
        }
        impl Rows for &$t {
            fn batch(self) -> ImportBatch {
                ImportBatch { $field: vec![self.clone()], ..ImportBatch::default() }
            }
        }
    };
}
rows_of!(User, users);
rows_of!(Relationship, relationships);
rows_of!(Portfolio, portfolios);
rows_of!(Notification, notifications);
rows_of!(BetaFeedback, beta_feedback);

/// Imports `rows` as the system actor.
pub async fn try_given(store: &Store, rows: impl Rows) -> StoreResult<ImportReport> {
    store.import(&admin(), rows.batch(), Utc::now()).await
}

/// Imports `rows` as the system actor; panics on a refusal.
pub async fn given(store: &Store, rows: impl Rows) {
    try_given(store, rows).await.unwrap();
}

/// A portfolio with one held position that its (executed, imported) buy
/// explains: `portfolio(owner, cash)` plus [`position`] of `symbol`, with
/// the total value including the position. Returns the batch and the
/// portfolio.
pub fn holding(owner: Uuid, cash: &str, symbol: &str) -> (ImportBatch, Portfolio, Position) {
    let mut p = portfolio(owner, cash);
    let pos = position(p.id, symbol);
    p.total_value = p.cash_balance + pos.current_value;
    let mut buy = trade(p.id, symbol, t0());
    buy.quantity = pos.quantity;
    buy.price = Some(pos.average_price);
    buy.status = TradeStatus::Executed;
    buy.executed_at = Some(t0());
    buy.guardian_approval = GuardianApproval::NotRequired;
    buy.fees = Some(dec("0.53"));
    buy.total_amount = Some(dec("150.53"));
    let batch = ImportBatch {
        portfolios: vec![p.clone()],
        positions: vec![pos.clone()],
        trades: vec![buy],
        ..ImportBatch::default()
    };
    (batch, p, pos)
}

/// A guardian, a minor, their ACTIVE relationship and the minor's
/// portfolio (cash 1000.00), imported together; returns (guardian, minor,
/// portfolio).
pub async fn family(store: &Store, tag: &str) -> (User, User, Portfolio) {
    let g = user(UserRole::Guardian, &format!("guardian-{tag}@example.com"));
    let m = user(UserRole::Minor, &format!("minor-{tag}@example.com"));
    let p = portfolio(m.id, "1000.00");
    let batch = ImportBatch {
        users: vec![g.clone(), m.clone()],
        relationships: vec![relationship(g.id, m.id)],
        portfolios: vec![p.clone()],
        ..ImportBatch::default()
    };
    given(store, batch).await;
    (g, m, p)
}

/// The profile part of `u`, to change one field of.
pub fn profile_of(u: &User) -> ProfileUpdate {
    ProfileUpdate {
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        risk_profile: Some(u.risk_profile),
        education_progress: u.education_progress.clone(),
        preferences: u.preferences.clone(),
    }
}

/// A system actor's fill at `price` (only the price feed states prices).
pub fn system_fill(price: &str, asset_type: AssetType) -> Fill {
    Fill::at(dec(price), asset_type)
}

/// Runs the same async test body against SQLite (a file) and PostgreSQL,
/// with the database URL, for tests that also look at the raw tables.
#[macro_export]
macro_rules! both_backends_url {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (store, url) = $crate::common::sqlite_file_store().await;
                ($body)(store.clone(), url.clone()).await;
                store.close().await;
                $crate::common::remove_sqlite_file(&url);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(url) = $crate::common::pg_fresh_url().await else { return };
                let opts = StoreOptions { max_connections: 4, ..StoreOptions::default() };
                let store = Store::open_with(&url, opts).await.unwrap();
                ($body)(store, url).await;
            }
        }
    };
}

/// A migrated SQLite store in a fresh temporary file, and its URL.
pub async fn sqlite_file_store() -> (Store, String) {
    let dir = std::env::temp_dir().join(format!("elson-t-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("elson.db").display());
    (Store::open(&url).await.unwrap(), url)
}

/// Removes the directory of a [`sqlite_file_store`].
pub fn remove_sqlite_file(url: &str) {
    if let Some(dir) = url.strip_prefix("sqlite://").and_then(|p| std::path::Path::new(p).parent())
    {
        std::fs::remove_dir_all(dir).ok();
    }
}

/// Every table of the store, for row counts.
pub const ALL_TABLES: &[&str] = &[
    "users",
    "portfolios",
    "positions",
    "trades",
    "notifications",
    "relationships",
    "volatility_regimes",
    "model_parameters",
    "backtest_results",
    "beta_feedback",
    "feature_flags",
    "audit_log",
];

/// Row count of every table in [`ALL_TABLES`], read over a raw connection
/// (as the URL's role: on PostgreSQL the owner, which row-level security
/// does not restrict).
pub async fn row_counts(url: &str) -> Vec<(&'static str, i64)> {
    use sqlx::Connection;
    let mut out = Vec::new();
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        for t in ALL_TABLES {
            let sql = format!("SELECT COUNT(*) FROM {t}");
            let n: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut c).await.unwrap();
            out.push((*t, n));
        }
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        for t in ALL_TABLES {
            let sql = format!("SELECT COUNT(*) FROM {t}");
            let n: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut c).await.unwrap();
            out.push((*t, n));
        }
    }
    out
}

/// [`row_counts`] without `audit_log` (which records every call).
pub async fn domain_counts(url: &str) -> Vec<(&'static str, i64)> {
    row_counts(url).await.into_iter().filter(|(t, _)| *t != "audit_log").collect()
}
