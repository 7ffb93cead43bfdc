use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{NotificationPriority, NotificationStatus, NotificationType};

/// A message or alert for a user (table `notifications`). Produced by core as
/// a value; nothing is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    #[serde(rename = "type")]
    pub notification_type: NotificationType,
    /// Title, VARCHAR(100).
    pub title: String,
    /// Body.
    pub message: String,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Set when the status becomes READ.
    pub read_at: Option<DateTime<Utc>>,
    /// UNREAD, READ or ARCHIVED (final).
    pub status: NotificationStatus,
    /// LOW, NORMAL, HIGH or URGENT.
    pub priority: NotificationPriority,
    /// Where the action lives, VARCHAR(255).
    pub action_url: Option<String>,
}
