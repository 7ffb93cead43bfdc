//! A user's inbox: marking a notification read or archived, through the
//! core's notification state machine. Notifications themselves are written
//! only by the commands whose events cause them.

use chrono::{DateTime, Utc};
use elson_core::entities::{Notification, NotificationEvent};
use elson_core::families::{Action, Resource};
use uuid::Uuid;

use super::Caller;
use crate::access::{Call, Session};
use crate::error::StoreResult;
use crate::repo::notifications;
use crate::store::Store;

const OP_MARK: &str = "notifications.mark";

impl Store {
    /// Moves one of the actor's notifications on: `MarkRead` (UNREAD →
    /// READ, sets `read_at`) or `Archive` (final). Only its recipient may.
    ///
    /// # Errors
    /// `NotFound`; `Forbidden` for anyone but the recipient;
    /// `InvalidTransition` for a move the machine does not have.
    pub async fn mark_notification(
        &self,
        by: impl Into<Caller>,
        notification_id: Uuid,
        event: NotificationEvent,
        now: DateTime<Utc>,
    ) -> StoreResult<Notification> {
        let caller = by.into();
        let digest = caller.digest(&(notification_id, event));
        let call = Call::new(OP_MARK, "mark", "notifications", Some(notification_id));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            let row =
                notifications::LOCKED.fetch(s, OP_MARK, "notification", notification_id).await?;
            let mut n = notifications::from_row(&row)?;
            s.authorize(Action::Update, Resource::Notification { user_id: n.user_id }).await?;
            n.apply(event, now)?;
            notifications::validate(&n)?;
            s.conn().execute(OP_MARK, notifications::UPDATE, &notifications::args(&n)).await?;
            Ok(n)
        })
        .await
    }
}
