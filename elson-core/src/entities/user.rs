use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{RiskProfile, UserRole, UserStatus};

/// A person using the platform: a regular user, a guardian, a minor or an admin
/// (table `users`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub created_at: DateTime<Utc>,
    /// Last update.
    pub updated_at: DateTime<Utc>,
    /// Last successful login.
    pub last_login: Option<DateTime<Utc>>,
    /// ACTIVE, INACTIVE, SUSPENDED or BETA_TESTER.
    pub status: UserStatus,
    /// Whether 2FA has been verified once and is enforced.
    pub two_factor_enabled: bool,
    /// TOTP secret (encrypted at rest by the store).
    pub two_factor_secret: Option<String>,
    /// Drives the largest position a buy may open.
    pub risk_profile: RiskProfile,
    /// Progress in educational modules (free-form JSON).
    pub education_progress: Option<serde_json::Value>,
    /// User preferences (free-form JSON).
    pub preferences: Option<serde_json::Value>,
    /// Beta tester feedback.
    pub beta_feedback: Option<String>,
}
