use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::Environment;

/// A feature flag with percentage rollout (table `feature_flags`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub created_at: DateTime<Utc>,
    /// Last update.
    pub updated_at: DateTime<Utc>,
    /// Who created it, VARCHAR(100).
    pub created_by: String,
    /// The flag is off from this instant on.
    pub expires_at: Option<DateTime<Utc>>,
}
