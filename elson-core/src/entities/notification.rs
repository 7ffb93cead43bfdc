use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{NotificationPriority, NotificationStatus, NotificationType};
use crate::error::{ElsonError, Result};
use crate::limits::TextLimit;

checked_entity! {
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
}

/// Everything a producer chooses when creating a [`Notification`]; the id,
/// status (UNREAD) and timestamps are filled in by [`Notification::new`].
///
/// Start from [`NewNotification::new`] and override the optional fields
/// with struct-update syntax.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    /// Recipient.
    pub user_id: Uuid,
    /// TRADE, APPROVAL, SYSTEM or EDUCATIONAL.
    pub notification_type: NotificationType,
    /// Title, 1–100 characters; never truncated.
    pub title: String,
    /// Body, TEXT.
    pub message: String,
    /// LOW, NORMAL, HIGH or URGENT.
    pub priority: NotificationPriority,
    /// Related entity, e.g. a trade; given together with its type.
    pub related_entity_id: Option<Uuid>,
    /// Kind of the related entity (`trade`, …), 1–50 characters.
    pub related_entity_type: Option<String>,
    /// Where the action lives, 1–255 characters.
    pub action_url: Option<String>,
}

impl NewNotification {
    /// The required values, NORMAL priority, and no related entity or URL.
    pub fn new(
        user_id: Uuid,
        notification_type: NotificationType,
        title: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        NewNotification {
            user_id,
            notification_type,
            title: title.into(),
            message: message.into(),
            priority: NotificationPriority::Normal,
            related_entity_id: None,
            related_entity_type: None,
            action_url: None,
        }
    }
}

/// What can happen to a notification (DESIGN §4).
///
/// | from     | event      | to       | note                                        |
/// |----------|------------|----------|---------------------------------------------|
/// | UNREAD   | `MarkRead` | READ     | sets `read_at`                              |
/// | READ     | `MarkRead` | READ     | idempotent: `read_at` keeps the first read  |
/// | UNREAD   | `Archive`  | ARCHIVED | dismissed unread; `read_at` stays empty      |
/// | READ     | `Archive`  | ARCHIVED |                                             |
/// | ARCHIVED | any        | —        | final: [`ElsonError::InvalidTransition`]    |
///
/// READ → READ is accepted because several devices of one user mark the
/// same message read, and a retry must not fail or move `read_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotificationEvent {
    /// The user opened the notification.
    MarkRead,
    /// The user dismissed it; final (a repeat is a no-op).
    Archive,
}

impl NotificationEvent {
    /// The status the event aims at, used to name it in errors.
    pub const fn target(self) -> NotificationStatus {
        match self {
            NotificationEvent::MarkRead => NotificationStatus::Read,
            NotificationEvent::Archive => NotificationStatus::Archived,
        }
    }
}

impl Notification {
    /// Creates an UNREAD notification after checking every column limit.
    /// `id` is used when given, else a fresh UUID v4; `created_at = now`.
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] naming the column:
    /// - `title`: empty or longer than 100 characters (never truncated);
    /// - `message`: longer than the TEXT bound;
    /// - `related_entity_type`: empty or longer than 50 characters, or given
    ///   without `related_entity_id` (and `related_entity_id` given without a
    ///   type), because one without the other cannot be followed;
    /// - `action_url`: empty or longer than 255 characters.
    pub fn new(
        params: NewNotification,
        id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Notification> {
        let NewNotification {
            user_id,
            notification_type,
            title,
            message,
            priority,
            related_entity_id,
            related_entity_type,
            action_url,
        } = params;
        let notification = Notification {
            id: id.unwrap_or_else(Uuid::new_v4),
            user_id,
            related_entity_id,
            related_entity_type,
            notification_type,
            title,
            message,
            created_at: now,
            read_at: None,
            status: NotificationStatus::Unread,
            priority,
            action_url,
        };
        notification.validate()?;
        Ok(notification)
    }

    /// Checks a whole row by the rules of [`Notification::new`] and of the
    /// status machine: serde runs it on every notification it reads (issue
    /// 14 item 3).
    ///
    /// # Errors
    /// As [`Notification::new`], and on `read_at` when a READ notification
    /// has none, an UNREAD one has one, or it lies before `created_at`.
    pub fn validate(&self) -> Result<()> {
        TextLimit::NAME.check("title", &self.title)?;
        TextLimit::TEXT.check("message", &self.message)?;
        match (&self.related_entity_id, &self.related_entity_type) {
            (Some(_), Some(kind)) => {
                TextLimit::SHORT.identifier().check("related_entity_type", kind)?
            }
            (None, None) => {}
            (Some(_), None) => {
                return Err(ElsonError::invalid(
                    "related_entity_type",
                    "is required when related_entity_id is set",
                ));
            }
            (None, Some(_)) => {
                return Err(ElsonError::invalid(
                    "related_entity_id",
                    "is required when related_entity_type is set",
                ));
            }
        }
        if let Some(url) = &self.action_url {
            TextLimit::LONG.check("action_url", url)?;
        }
        match (self.status, self.read_at) {
            (NotificationStatus::Read, None) => {
                return Err(ElsonError::invalid("read_at", "a READ notification has a read_at"));
            }
            (NotificationStatus::Unread, Some(_)) => {
                return Err(ElsonError::invalid(
                    "read_at",
                    "an UNREAD notification has not been read",
                ));
            }
            (_, Some(at)) if at < self.created_at => {
                return Err(ElsonError::invalid(
                    "read_at",
                    format!("{at} is before created_at {}", self.created_at),
                ));
            }
            _ => {}
        }
        Ok(())
    }

    /// Applies `event` per the table on [`NotificationEvent`].
    ///
    /// # Errors
    /// - [`ElsonError::InvalidTransition`] (entity `notification`) for
    ///   `MarkRead` on an ARCHIVED notification;
    /// - [`ElsonError::InvalidInput`] on `now` when it lies before
    ///   `created_at`, which would make `read_at` precede the notification.
    ///
    /// The notification is unchanged on error.
    pub fn apply(&mut self, event: NotificationEvent, now: DateTime<Utc>) -> Result<()> {
        use NotificationEvent as E;
        use NotificationStatus as S;
        let (to, read_at) = match (self.status, event) {
            (S::Unread, E::MarkRead) => (S::Read, Some(now)),
            // Idempotent: the first read time is the one that counts (a READ
            // row without one, which validation refuses, gets `now`).
            (S::Read, E::MarkRead) => (S::Read, self.read_at.or(Some(now))),
            (S::Unread, E::Archive) => (S::Archived, None),
            (S::Read, E::Archive) => (S::Archived, self.read_at),
            // Retry of an archive: nothing changes.
            (S::Archived, E::Archive) => (S::Archived, self.read_at),
            (S::Archived, E::MarkRead) => {
                return Err(ElsonError::transition("notification", self.status, event.target()));
            }
        };
        if now < self.created_at {
            return Err(ElsonError::invalid(
                "now",
                format!("{now} is before the notification's created_at {}", self.created_at),
            ));
        }
        // After this point the transition succeeds.
        self.status = to;
        self.read_at = read_at;
        debug_assert!(
            self.status != S::Read || self.read_at.is_some(),
            "Invariant: a READ notification has read_at"
        );
        Ok(())
    }

    /// Marks the notification read: UNREAD → READ sets `read_at = now`;
    /// on READ it is an idempotent no-op that keeps the first `read_at`.
    ///
    /// # Errors
    /// [`ElsonError::InvalidTransition`] when ARCHIVED (final);
    /// [`ElsonError::InvalidInput`] on `now` before `created_at`.
    ///
    /// # Example
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use elson_core::entities::{NewNotification, Notification};
    /// use elson_core::enums::{NotificationStatus, NotificationType};
    /// use uuid::Uuid;
    ///
    /// let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    /// let params = NewNotification::new(
    ///     Uuid::new_v4(),
    ///     NotificationType::System,
    ///     "Welcome",
    ///     "Your account is ready.",
    /// );
    /// let mut n = Notification::new(params, None, t0)?;
    /// n.mark_read(t0 + Duration::minutes(5))?;
    /// assert_eq!(n.status, NotificationStatus::Read);
    /// assert_eq!(n.read_at, Some(t0 + Duration::minutes(5)));
    ///
    /// // Reading again keeps the first read time.
    /// n.mark_read(t0 + Duration::hours(1))?;
    /// assert_eq!(n.read_at, Some(t0 + Duration::minutes(5)));
    ///
    /// // ARCHIVED is final; archiving again is a harmless retry.
    /// n.archive(t0 + Duration::hours(2))?;
    /// n.archive(t0 + Duration::hours(2))?;
    /// let err = n.mark_read(t0 + Duration::hours(3)).unwrap_err();
    /// assert_eq!(err.code(), "INVALID_TRANSITION");
    /// # Ok::<(), elson_core::ElsonError>(())
    /// ```
    pub fn mark_read(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.apply(NotificationEvent::MarkRead, now)
    }

    /// Archives the notification from UNREAD or READ; ARCHIVED is final and
    /// archiving it again is a no-op (a retry). `read_at` is kept as it was
    /// (empty for a notification never read).
    ///
    /// # Errors
    /// [`ElsonError::InvalidInput`] on `now` before `created_at`.
    pub fn archive(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.apply(NotificationEvent::Archive, now)
    }
}
