//! The eleven entities of the data model, mirrored with
//! `#[uniffi::remote(Record)]` (Kotlin data classes, Swift structs with
//! camelCase fields), and the typed JSON columns of `relationships`.
//!
//! Each entity `Foo` has `foo_from_json` and `foo_to_json`, using the core's
//! serde form (column names, enum seed names, decimals as strings,
//! RFC 3339 timestamps), the same JSON the shared test vectors, the Python
//! bindings and the store use. A malformed document is an `InvalidInput`
//! whose `field` is the path of the offending value (`trade.quantity`,
//! `portfolio.type`), or the entity name for a syntax error.

use elson_core::entities::*;
use elson_core::enums::*;
use elson_core::families::{ApprovalSettings, Permissions};

use crate::types::{JsonValue, Timestamp};
use crate::{ElsonError, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

/// Parses `json` as a `T`, naming the failing path in the error.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(entity: &str, json: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(json);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        // The entity's `validate` refused the row: its field, under the
        // entity's name like every other path here.
        if let Some(elson_core::ElsonError::InvalidInput { field, reason }) =
            elson_core::entities::refusal(e.inner())
        {
            return ElsonError::invalid(format!("{entity}.{field}"), reason);
        }
        // `?` marks a segment serde could not name (a malformed key): keep
        // the part of the path that is known.
        let path = e.path().to_string();
        let known = path.trim_end_matches('?').trim_end_matches('.');
        let field = if known.is_empty() { entity.to_string() } else { format!("{entity}.{known}") };
        ElsonError::invalid(field, e.into_inner().to_string())
    })?;
    de.end().map_err(|e| ElsonError::invalid(entity, e.to_string()))?;
    Ok(value)
}

/// An entity record that crossed the FFI from Kotlin or Swift, checked
/// before the core acts on it (issue 14 item 3).
///
/// A record is lifted field by field by uniffi, never through serde, so the
/// checks serde runs on `*_from_json` would be skipped for a data class
/// built in Kotlin (`User(email = "x", passwordHash = "hunter2", …)`).
/// Every export that takes an entity record therefore passes it through
/// `checked`, which runs the entity's `validate`: the same rules as its
/// constructor and its JSON form, with the same error naming the field.
pub(crate) trait Checked: Sized {
    /// The value itself when its `validate` accepts it.
    fn checked(self) -> Result<Self>;
}

macro_rules! checked_records {
    ($($ty:ty),+ $(,)?) => {$(
        impl Checked for $ty {
            fn checked(self) -> Result<Self> {
                self.validate()?;
                Ok(self)
            }
        }
    )+};
}

checked_records!(
    User,
    Portfolio,
    Position,
    Trade,
    Relationship,
    Notification,
    VolatilityRegime,
    ModelParameter,
    BacktestResultRow,
    BetaFeedback,
    FeatureFlag,
);

impl<T: Checked> Checked for Vec<T> {
    fn checked(self) -> Result<Self> {
        self.into_iter().map(Checked::checked).collect()
    }
}

/// Serializes `value` as compact JSON.
pub(crate) fn to_json<T: serde::Serialize>(entity: &str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| ElsonError::invalid(entity, e.to_string()))
}

/// Exports `from_json` / `to_json` for one entity.
macro_rules! json_fns {
    ($ty:ident, $entity:literal, $from:ident, $to:ident) => {
        /// Parses the entity from its JSON form (column names as keys).
        ///
        /// # Errors
        /// `InvalidInput` whose `field` is the path of the malformed value.
        #[uniffi::export]
        pub fn $from(json: String) -> Result<$ty> {
            from_json($entity, &json)
        }

        /// The entity's JSON form (column names as keys).
        ///
        /// # Errors
        /// `InvalidInput` if a value cannot be represented (not expected for
        /// values that crossed the FFI).
        #[uniffi::export]
        pub fn $to(value: $ty) -> Result<String> {
            to_json($entity, &value)
        }
    };
}

/// A person using the platform: a regular user, a guardian, a minor or an admin
/// (table `users`).
#[uniffi::remote(Record)]
pub struct User {
    /// Primary key.
    pub id: Uuid,
    /// Login key, unique, normalized to lower case.
    pub email: String,
    /// bcrypt hash (`$2b$…`); never the password.
    pub password_hash: String,
    /// USER, GUARDIAN, MINOR or ADMIN.
    pub role: UserRole,
    /// Given name (PII; encrypted at rest by the store).
    pub first_name: Option<String>,
    /// Family name (PII; encrypted at rest by the store).
    pub last_name: Option<String>,
    /// Date of birth; required for a MINOR.
    pub date_of_birth: Option<NaiveDate>,
    /// Account creation.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Last successful login.
    pub last_login: Option<Timestamp>,
    /// ACTIVE, INACTIVE, SUSPENDED or BETA_TESTER.
    pub status: UserStatus,
    /// Whether 2FA has been verified once and is enforced.
    pub two_factor_enabled: bool,
    /// TOTP secret (encrypted at rest by the store).
    pub two_factor_secret: Option<String>,
    /// Drives the largest position a buy may open.
    pub risk_profile: RiskProfile,
    /// Progress in educational modules (free-form JSON).
    pub education_progress: Option<JsonValue>,
    /// User preferences (free-form JSON).
    pub preferences: Option<JsonValue>,
    /// Beta tester feedback.
    pub beta_feedback: Option<String>,
}

/// A collection of assets owned by a user (table `portfolios`).
///
/// Invariants kept by every operation of [`crate::accounting`]:
/// `cash_balance ≥ 0` and `total_value = cash_balance + Σ position.current_value`.
#[uniffi::remote(Record)]
pub struct Portfolio {
    /// Primary key.
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// Display name, VARCHAR(100).
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Creation.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Available cash, DECIMAL(15,2), never negative.
    pub cash_balance: Decimal,
    /// Cash plus the current value of every position, DECIMAL(15,2).
    pub total_value: Decimal,
    /// 0–100.
    pub risk_score: Option<i32>,
    /// 0–100.
    pub diversification_score: Option<i32>,
    /// STANDARD, EDUCATION or RETIREMENT.
    pub portfolio_type: PortfolioType,
    /// Whether a minor's trades here need a guardian's approval.
    pub guardian_approval: bool,
    /// Preferred volatility regime.
    pub volatility_preference: Option<VolatilityLevel>,
    /// Historical performance data (free-form JSON).
    pub performance_metrics: Option<JsonValue>,
}

/// A holding of one symbol in a portfolio (table `positions`).
#[uniffi::remote(Record)]
pub struct Position {
    /// Primary key.
    pub id: Uuid,
    /// Owning portfolio.
    pub portfolio_id: Uuid,
    /// Asset symbol, VARCHAR(20).
    pub symbol: String,
    /// Quantity held, DECIMAL(15,6), > 0 while the position exists.
    pub quantity: Decimal,
    /// Average purchase price, DECIMAL(15,2).
    pub average_price: Decimal,
    /// Last known market price, DECIMAL(15,2).
    pub current_price: Decimal,
    /// `round2(quantity × current_price)`.
    pub current_value: Decimal,
    /// Creation.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// When `current_price` was last set.
    pub last_price_update: Option<Timestamp>,
    /// Unrealized gain/loss: `current_value − round2(quantity × average_price)`.
    pub gain_loss: Decimal,
    /// `round2(100 × gain_loss / cost basis)`, 0 when the cost basis is 0.
    pub gain_loss_percent: Decimal,
    /// STOCK, ETF, MUTUAL_FUND, CRYPTO or OTHER.
    pub asset_type: AssetType,
    /// Industry sector, VARCHAR(100).
    pub sector: Option<String>,
}

/// A buy or sell order and, once executed, its fill (table `trades`).
#[uniffi::remote(Record)]
pub struct Trade {
    /// Primary key (UUID v7: time-ordered).
    pub id: Uuid,
    /// Portfolio the trade belongs to.
    pub portfolio_id: Uuid,
    /// Asset symbol, VARCHAR(20).
    pub symbol: String,
    /// MARKET or LIMIT.
    pub order_type: OrderType,
    /// BUY or SELL.
    pub side: TradeSide,
    /// Quantity, DECIMAL(15,6), > 0.
    pub quantity: Decimal,
    /// Limit price for LIMIT orders; the execution price once EXECUTED.
    pub price: Option<Decimal>,
    /// PENDING, EXECUTED, CANCELLED or REJECTED.
    pub status: TradeStatus,
    /// Creation.
    pub created_at: Timestamp,
    /// Set exactly when the status becomes EXECUTED.
    pub executed_at: Option<Timestamp>,
    /// Notional + fees (buy) or notional − fees (sell), set at execution.
    pub total_amount: Option<Decimal>,
    /// Fees charged at execution, DECIMAL(10,2).
    pub fees: Option<Decimal>,
    /// Free text; the reason of a rejection.
    pub notes: Option<String>,
    /// Governing breaker state when the trade was created.
    pub circuit_breaker_state: Option<CircuitBreakerState>,
    /// Stabilized regime of the symbol when the trade was created.
    pub volatility_level: Option<VolatilityLevel>,
    /// PENDING, APPROVED, REJECTED or NOT_REQUIRED.
    pub guardian_approval: GuardianApproval,
    /// Model confidence in [0, 1] for model-generated orders.
    pub confidence_score: Option<Decimal>,
    /// Position-sizing factor applied, in [0, 1].
    pub position_sizing: Option<Decimal>,
}

/// A guardian–minor link (table `relationships`).
#[uniffi::remote(Record)]
pub struct Relationship {
    /// Primary key.
    pub id: Uuid,
    /// The guardian (a user with role GUARDIAN).
    pub guardian_id: Uuid,
    /// The minor (a user with role MINOR).
    pub minor_id: Uuid,
    /// PARENT, LEGAL_GUARDIAN or OTHER.
    pub relationship_type: RelationshipType,
    /// Creation.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// ACTIVE, INACTIVE or PENDING; trading needs ACTIVE.
    pub status: RelationshipStatus,
    /// Guardian approval settings (JSON column, typed here).
    pub approval_settings: ApprovalSettings,
    /// Permissions granted to the minor (JSON column, typed here).
    pub permissions: Permissions,
}

/// A message or alert for a user (table `notifications`). Produced by core as
/// a value; nothing is sent.
#[uniffi::remote(Record)]
pub struct Notification {
    /// Primary key.
    pub id: Uuid,
    /// Recipient.
    pub user_id: Uuid,
    /// Related entity, e.g. a trade.
    pub related_entity_id: Option<Uuid>,
    /// Kind of the related entity (`trade`, …), VARCHAR(50).
    pub related_entity_type: Option<String>,
    /// TRADE, APPROVAL, SYSTEM or EDUCATIONAL.
    pub notification_type: NotificationType,
    /// Title, VARCHAR(100).
    pub title: String,
    /// Body.
    pub message: String,
    /// Creation.
    pub created_at: Timestamp,
    /// Set when the status becomes READ.
    pub read_at: Option<Timestamp>,
    /// UNREAD, READ or ARCHIVED (final).
    pub status: NotificationStatus,
    /// LOW, NORMAL, HIGH or URGENT.
    pub priority: NotificationPriority,
    /// Where the action lives, VARCHAR(255).
    pub action_url: Option<String>,
}

/// One stabilized regime reading of a symbol (table `volatility_regimes`).
#[uniffi::remote(Record)]
pub struct VolatilityRegime {
    /// Primary key.
    pub id: Uuid,
    /// Asset symbol.
    pub symbol: String,
    /// Time of the bar the reading belongs to.
    pub timestamp: Timestamp,
    /// Annualized volatility as a fraction, DECIMAL(10,4).
    pub volatility_value: Decimal,
    /// The stabilized level.
    pub volatility_level: VolatilityLevel,
    /// Window length n.
    pub lookback_period: i32,
    /// Estimator name (`CLOSE_TO_CLOSE`, …), VARCHAR(50).
    pub calculation_method: VolatilityMethod,
    /// Breaker state implied for the symbol.
    pub circuit_breaker_state: Option<CircuitBreakerState>,
    /// Confidence in [0, 1], DECIMAL(5,2).
    pub confidence_score: Decimal,
    /// Consecutive readings of the current level (≥ 3 right after a change).
    pub stabilization_count: i32,
}

/// An effective-dated model parameter (table `model_parameters`): the value
/// for (level, type, name) at time t is the row with
/// `effective_from ≤ t < effective_to` (open end when `None`).
#[uniffi::remote(Record)]
pub struct ModelParameter {
    /// Primary key.
    pub id: Uuid,
    /// Regime the parameter applies to.
    pub volatility_level: VolatilityLevel,
    /// Parameter family (`position_sizing`, `confidence_threshold`, …), VARCHAR(50).
    pub parameter_type: String,
    /// Parameter name, VARCHAR(100).
    pub parameter_name: String,
    /// Value, DECIMAL(15,6).
    pub parameter_value: Decimal,
    /// Start of validity, inclusive.
    pub effective_from: Timestamp,
    /// End of validity, exclusive; `None` for open-ended.
    pub effective_to: Option<Timestamp>,
    /// Who created it, VARCHAR(100).
    pub created_by: String,
    /// Creation.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Free text.
    pub description: Option<String>,
}

/// The summary row of one backtest run (table `backtest_results`).
#[uniffi::remote(Record)]
pub struct BacktestResultRow {
    /// Primary key.
    pub id: Uuid,
    /// Model or strategy version, VARCHAR(50).
    pub model_version: String,
    /// Asset symbol.
    pub symbol: String,
    /// First bar's date.
    pub start_date: NaiveDate,
    /// Last bar's date.
    pub end_date: NaiveDate,
    /// Number of executed trades.
    pub total_trades: i32,
    /// % of closed round trips with realized P/L > 0, DECIMAL(5,2).
    pub win_rate: Decimal,
    /// Final equity − initial cash, DECIMAL(15,2).
    pub profit_loss: Decimal,
    /// Annualized Sharpe ratio, DECIMAL(10,4).
    pub sharpe_ratio: Decimal,
    /// Largest peak-to-trough fall as a positive fraction, DECIMAL(10,4).
    pub drawdown_max: Decimal,
    /// Per-regime bars, trades, win rate, P/L and Sharpe.
    pub volatility_breakdown: JsonValue,
    /// The full configuration of the run.
    pub parameters_used: JsonValue,
    /// Run time.
    pub created_at: Timestamp,
    /// Free text.
    pub notes: Option<String>,
}

/// Feedback from a beta tester (table `beta_feedback`).
#[uniffi::remote(Record)]
pub struct BetaFeedback {
    /// Primary key.
    pub id: Uuid,
    /// Author.
    pub user_id: Uuid,
    /// BUG, FEATURE_REQUEST or GENERAL.
    pub feedback_type: FeedbackType,
    /// Category, VARCHAR(100).
    pub category: Option<String>,
    /// Title, VARCHAR(255).
    pub title: String,
    /// Details.
    pub description: String,
    /// LOW, MEDIUM, HIGH or CRITICAL.
    pub severity: FeedbackSeverity,
    /// NEW → REVIEWING → PRIORITIZED → IMPLEMENTED, forward only.
    pub status: FeedbackStatus,
    /// Submission.
    pub submitted_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Component, VARCHAR(100).
    pub related_component: Option<String>,
    /// Environment details (free-form JSON).
    pub environment_details: Option<JsonValue>,
    /// Screenshot URLs.
    pub screenshots: Vec<String>,
    /// Team member assigned.
    pub assigned_to: Option<Uuid>,
}

/// A feature flag with percentage rollout (table `feature_flags`).
#[uniffi::remote(Record)]
pub struct FeatureFlag {
    /// Primary key.
    pub id: Uuid,
    /// Flag name, VARCHAR(100); also the rollout group id.
    pub flag_name: String,
    /// Free text.
    pub description: Option<String>,
    /// Master switch.
    pub enabled: bool,
    /// DEV, BETA, STAGING or PRODUCTION.
    pub environment: Environment,
    /// 0–100: share of users (by bucket) that get the feature.
    pub user_percentage: i32,
    /// Users that always get the feature while it is enabled.
    pub user_whitelist: Vec<Uuid>,
    /// Creation.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Who created it, VARCHAR(100).
    pub created_by: String,
    /// The flag is off from this instant on.
    pub expires_at: Option<Timestamp>,
}

/// What a minor may do (`relationships.permissions`).
#[uniffi::remote(Record)]
pub struct Permissions {
    /// May place trades at all. Default false.
    pub trading: bool,
    /// May withdraw cash. Default false.
    pub withdrawals: bool,
    /// May deposit cash. Default true.
    pub deposits: bool,
    /// May use learning content. Default true.
    pub learning: bool,
    /// May place LIMIT orders. Default false.
    pub advanced_orders: bool,
    /// May set up recurring investments. Default false.
    pub recurring_investments: bool,
}

/// How a guardian wants a minor's trades handled (`relationships.approval_settings`).
#[uniffi::remote(Record)]
pub struct ApprovalSettings {
    /// Whether trades wait for a guardian. Default true.
    pub require_approval: bool,
    /// Trades whose amount is below this are approved at creation. Default none.
    pub auto_approve_below: Option<Decimal>,
    /// Trades whose amount is above this are rejected at creation. Default none.
    pub max_trade_amount: Option<Decimal>,
    /// Asset types the minor may trade. Default STOCK, ETF, MUTUAL_FUND.
    pub allowed_asset_types: Vec<AssetType>,
    /// Most trades per day. Default none.
    pub daily_trade_limit: Option<u32>,
}

json_fns!(User, "user", user_from_json, user_to_json);
json_fns!(Portfolio, "portfolio", portfolio_from_json, portfolio_to_json);
json_fns!(Position, "position", position_from_json, position_to_json);
json_fns!(Trade, "trade", trade_from_json, trade_to_json);
json_fns!(Relationship, "relationship", relationship_from_json, relationship_to_json);
json_fns!(Notification, "notification", notification_from_json, notification_to_json);
json_fns!(
    VolatilityRegime,
    "volatility_regime",
    volatility_regime_from_json,
    volatility_regime_to_json
);
json_fns!(ModelParameter, "model_parameter", model_parameter_from_json, model_parameter_to_json);
json_fns!(
    BacktestResultRow,
    "backtest_result_row",
    backtest_result_row_from_json,
    backtest_result_row_to_json
);
json_fns!(BetaFeedback, "beta_feedback", beta_feedback_from_json, beta_feedback_to_json);
json_fns!(FeatureFlag, "feature_flag", feature_flag_from_json, feature_flag_to_json);
json_fns!(Permissions, "permissions", permissions_from_json, permissions_to_json);

/// The JSON form of `relationships.approval_settings`.
///
/// # Errors
/// `InvalidInput` on a malformed decimal that crossed the FFI.
#[uniffi::export]
pub fn approval_settings_to_json(value: ApprovalSettings) -> Result<String> {
    to_json("approval_settings", &value)
}

/// Parses `relationships.approval_settings` strictly (unknown keys and wrong
/// types refused, missing keys defaulted) and checks its amounts fit money
/// columns.
///
/// # Errors
/// `InvalidInput` naming the offending key.
#[uniffi::export]
pub fn approval_settings_from_json(json: String) -> Result<ApprovalSettings> {
    let settings: ApprovalSettings = from_json("approval_settings", &json)?;
    settings.validate()?;
    Ok(settings)
}

/// The defaults of DESIGN §3: what a relationship starts with.
#[uniffi::export]
pub fn approval_settings_default() -> ApprovalSettings {
    ApprovalSettings::default()
}

/// The defaults of DESIGN §3: trading off, deposits and learning on.
#[uniffi::export]
pub fn permissions_default() -> Permissions {
    Permissions::default()
}

/// Everything a caller chooses when creating a user; start from
/// `new_user` (defaults for the rest) and `copy(...)` what differs.
#[uniffi::remote(Record)]
pub struct NewUser {
    /// Login key; trimmed and lower-cased by `user_new`.
    pub email: String,
    /// A bcrypt hash (60 characters); the core never sees passwords.
    pub password_hash: String,
    /// USER, GUARDIAN, MINOR or ADMIN.
    pub role: UserRole,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Required for a MINOR, who must be under 18 on the creation day.
    pub date_of_birth: Option<NaiveDate>,
    /// Default ACTIVE.
    pub status: UserStatus,
    /// Default false; true needs a `two_factor_secret`.
    pub two_factor_enabled: bool,
    /// TOTP secret as stored.
    pub two_factor_secret: Option<String>,
    /// Default MODERATE.
    pub risk_profile: RiskProfile,
    /// Free-form JSON text.
    pub education_progress: Option<JsonValue>,
    /// Free-form JSON text.
    pub preferences: Option<JsonValue>,
    /// Beta tester feedback.
    pub beta_feedback: Option<String>,
}

/// Everything a caller chooses when linking a guardian and a minor.
#[uniffi::remote(Record)]
pub struct NewRelationship {
    /// The guardian.
    pub guardian_id: Uuid,
    /// The minor; must differ from the guardian.
    pub minor_id: Uuid,
    /// PARENT, LEGAL_GUARDIAN or OTHER.
    pub relationship_type: RelationshipType,
    /// Initial status; default PENDING.
    pub status: RelationshipStatus,
    /// Default approval settings.
    pub approval_settings: ApprovalSettings,
    /// Default permissions.
    pub permissions: Permissions,
}

/// What can happen to a relationship's status.
#[uniffi::remote(Enum)]
pub enum RelationshipEvent {
    /// Confirm a PENDING link.
    Activate,
    /// End a PENDING or ACTIVE link.
    Deactivate,
    /// Ask again for confirmation of an INACTIVE link.
    Reinvite,
}

/// The required values of a new user, with defaults for the rest (ACTIVE,
/// MODERATE, no names, no date of birth, no 2FA).
#[uniffi::export]
pub fn new_user(email: String, password_hash: String, role: UserRole) -> NewUser {
    NewUser::new(email, password_hash, role)
}

/// Creates a user after checking every column (`id` None: a fresh v4 id).
///
/// # Errors
/// `InvalidInput` naming the offending field (email, hash, names, a MINOR
/// without a date of birth or not under 18, …).
#[uniffi::export]
pub fn user_new(params: NewUser, id: Option<Uuid>, now: Timestamp) -> Result<User> {
    Ok(User::new(params, id, now)?)
}

/// The required values of a new relationship: PENDING, default settings and
/// permissions.
///
/// # Errors
/// `InvalidInput` on a malformed id.
#[uniffi::export]
pub fn new_relationship(
    guardian_id: Uuid,
    minor_id: Uuid,
    relationship_type: RelationshipType,
) -> Result<NewRelationship> {
    Ok(NewRelationship::new(guardian_id, minor_id, relationship_type))
}

/// Creates a guardian–minor link after checking its columns.
///
/// # Errors
/// `InvalidInput` (a guardian linked to themself, bad settings).
#[uniffi::export]
pub fn relationship_new(
    params: NewRelationship,
    id: Option<Uuid>,
    now: Timestamp,
) -> Result<Relationship> {
    Ok(Relationship::new(params, id, now)?)
}

/// Applies a status event to a relationship and returns it.
///
/// # Errors
/// `InvalidTransition` for an event the status does not allow.
#[uniffi::export]
pub fn relationship_apply(
    relationship: Relationship,
    event: RelationshipEvent,
    now: Timestamp,
) -> Result<Relationship> {
    let mut relationship = relationship.checked()?;
    relationship.apply(event, now)?;
    Ok(relationship)
}
