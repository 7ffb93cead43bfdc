//! Notification status transitions (DESIGN §4): `UNREAD → READ` sets
//! `read_at`; either may be archived; `ARCHIVED` is final.
//!
//! A repeated request (read twice, archive twice) is a no-op rather than an
//! error, so that two devices of the same user, or a retried sync, never fail
//! on a notification already in the asked state. The first `read_at` stays.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::entities::Notification;
use crate::enums::NotificationStatus;
use crate::error::{ElsonError, Result};

/// What a user does to a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotificationEvent {
    /// Open it.
    MarkRead,
    /// File it away for good.
    Archive,
}

/// Applies `event` to `notification` at `now`.
///
/// | status | event | result |
/// |---|---|---|
/// | UNREAD | MarkRead | READ, `read_at = now` |
/// | READ | MarkRead | unchanged (retry) |
/// | UNREAD / READ | Archive | ARCHIVED, `read_at` kept |
/// | ARCHIVED | Archive | unchanged (retry) |
/// | ARCHIVED | MarkRead | `InvalidTransition` (final) |
///
/// # Errors
/// [`ElsonError::InvalidTransition`] on `notification` per the table.
///
/// # Example
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use elson_core::entities::Notification;
/// # use elson_core::enums::*;
/// # use elson_core::notifications::{archive, mark_read};
/// # use uuid::Uuid;
/// # let t = Utc.with_ymd_and_hms(2026, 11, 25, 14, 0, 0).unwrap();
/// # let mut n = Notification { id: Uuid::new_v4(), user_id: Uuid::new_v4(), related_entity_id: None,
/// #   related_entity_type: None, notification_type: NotificationType::System, title: "Hi".into(),
/// #   message: "Hello".into(), created_at: t, read_at: None, status: NotificationStatus::Unread,
/// #   priority: NotificationPriority::Normal, action_url: None };
/// mark_read(&mut n, t).unwrap();
/// assert_eq!((n.status, n.read_at), (NotificationStatus::Read, Some(t)));
/// archive(&mut n, t).unwrap();
/// assert_eq!(mark_read(&mut n, t).unwrap_err().code(), "INVALID_TRANSITION");
/// ```
pub fn transition(
    notification: &mut Notification,
    event: NotificationEvent,
    now: DateTime<Utc>,
) -> Result<()> {
    use NotificationEvent::{Archive, MarkRead};
    use NotificationStatus::{Archived, Read, Unread};
    match (notification.status, event) {
        (Unread, MarkRead) => {
            notification.status = Read;
            notification.read_at = Some(now);
        }
        // Retries are safe: the first read time stays (a row missing it gets `now`).
        (Read, MarkRead) => {
            notification.read_at.get_or_insert(now);
        }
        (Archived, Archive) => {}
        // Archiving an unread notification leaves read_at empty: it was never read.
        (Unread | Read, Archive) => notification.status = Archived,
        (Archived, MarkRead) => {
            return Err(ElsonError::transition("notification", Archived, Read));
        }
    }
    debug_assert!(
        notification.status != Read || notification.read_at.is_some(),
        "Invariant: a READ notification has read_at"
    );
    Ok(())
}

/// `UNREAD → READ`, setting `read_at`; see [`transition`].
///
/// # Errors
/// [`ElsonError::InvalidTransition`] when the notification is ARCHIVED.
pub fn mark_read(notification: &mut Notification, now: DateTime<Utc>) -> Result<()> {
    transition(notification, NotificationEvent::MarkRead, now)
}

/// Archives a notification for good; see [`transition`].
///
/// # Errors
/// None today (archiving is allowed from every state); `Result` keeps the
/// signature uniform with [`mark_read`].
pub fn archive(notification: &mut Notification, now: DateTime<Utc>) -> Result<()> {
    transition(notification, NotificationEvent::Archive, now)
}
