use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{FeedbackSeverity, FeedbackStatus, FeedbackType};

/// Feedback from a beta tester (table `beta_feedback`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub submitted_at: DateTime<Utc>,
    /// Last update.
    pub updated_at: DateTime<Utc>,
    /// Component, VARCHAR(100).
    pub related_component: Option<String>,
    /// Environment details (free-form JSON).
    pub environment_details: Option<serde_json::Value>,
    /// Screenshot URLs.
    pub screenshots: Vec<String>,
    /// Team member assigned.
    pub assigned_to: Option<Uuid>,
}
