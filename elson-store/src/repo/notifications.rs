//! Table `notifications`.

use elson_core::ElsonError;
use elson_core::entities::Notification;
use elson_core::limits::TextLimit;
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use crate::access::{Call, Mode, live};
use crate::actor::Actor;
use crate::check;
use crate::db::{Arg, Conn, DbRow, enum_text, opt_text, text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::store::Store;

macro_rules! cols {
    () => {
        "id, user_id, related_entity_id, related_entity_type, type, title, message, created_at, \
         read_at, status, priority, action_url"
    };
}
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO notifications (",
    cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
);
/// `INSERT … VALUES ` for multi-row inserts ([`crate::db::Conn::insert_rows`]).
pub(crate) const INSERT_PREFIX: &str = concat!("INSERT INTO notifications (", cols!(), ") VALUES ");
pub(crate) const UPDATE: &str = "UPDATE notifications SET user_id = $2, related_entity_id = $3, \
     related_entity_type = $4, type = $5, title = $6, message = $7, created_at = $8, \
     read_at = $9, status = $10, priority = $11, action_url = $12 WHERE id = $1";
const GET: &str = concat!("SELECT ", cols!(), " FROM notifications WHERE id = $1");
/// Every row (a restore checks a whole snapshot).
pub(crate) const ALL: &str = concat!("SELECT ", cols!(), " FROM notifications");
/// [`GET`] under the write lock, for the commands.
pub(crate) const LOCKED: crate::commands::LockedGet = crate::commands::LockedGet {
    plain: GET,
    for_update: concat!("SELECT ", cols!(), " FROM notifications WHERE id = $1 FOR UPDATE"),
};
const BY_USER: &str = concat!(
    "SELECT ",
    cols!(),
    " FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
);
const BY_USER_STATUS: &str = concat!(
    "SELECT ",
    cols!(),
    " FROM notifications WHERE user_id = $1 AND status = $2 ORDER BY created_at DESC, id"
);

/// Repository of `notifications`; from [`Store::notifications`].
#[derive(Debug, Clone, Copy)]
pub struct Notifications<'s> {
    store: &'s Store,
}

pub(crate) fn validate(n: &Notification) -> Result<(), ElsonError> {
    check::opt_text("related_entity_type", &n.related_entity_type, TextLimit::SHORT.identifier())?;
    check::text("title", &n.title, TextLimit::NAME)?;
    check::text("message", &n.message, TextLimit::TEXT)?;
    check::opt_text("action_url", &n.action_url, TextLimit::LONG)?;
    Ok(())
}

pub(crate) fn args(n: &Notification) -> [Arg<'_>; 12] {
    [
        uuid(n.id),
        uuid(n.user_id),
        Arg::Uuid(n.related_entity_id),
        opt_text(&n.related_entity_type),
        enum_text(n.notification_type),
        text(&n.title),
        text(&n.message),
        ts(n.created_at),
        Arg::Ts(n.read_at),
        enum_text(n.status),
        enum_text(n.priority),
        opt_text(&n.action_url),
    ]
}

/// Validates and inserts on an open connection (inside a caller's transaction).
pub(crate) async fn insert_in(c: &mut Conn<'_>, n: &Notification) -> StoreResult<()> {
    validate(n)?;
    c.execute("notifications.insert", INSERT, &args(n))
        .await
        .map_err(|e| e.refine_fk("user", n.user_id))?;
    Ok(())
}

pub(crate) fn from_row(r: &DbRow) -> StoreResult<Notification> {
    Ok(Notification {
        id: r.uuid("id")?,
        user_id: r.uuid("user_id")?,
        related_entity_id: r.opt_uuid("related_entity_id")?,
        related_entity_type: r.opt_text("related_entity_type")?,
        notification_type: r.parse("type")?,
        title: r.text("title")?,
        message: r.text("message")?,
        created_at: r.ts("created_at")?,
        read_at: r.opt_ts("read_at")?,
        status: r.parse("status")?,
        priority: r.parse("priority")?,
        action_url: r.opt_text("action_url")?,
    })
}

impl Notifications<'_> {
    /// One notification by id.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Forbidden` when `authorize` refuses.
    pub async fn get(self, actor: &Actor, id: Uuid) -> StoreResult<Notification> {
        let call = Call::new("notifications.get", "get", "notifications", Some(id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            let Some(row) = s.conn().fetch_optional(call.op, GET, &[uuid(id)]).await? else {
                return Err(StoreError::not_found("notification", id));
            };
            let n = from_row(&row)?;
            s.authorize(Action::Read, Resource::Notification { user_id: n.user_id }).await?;
            Ok(n)
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// One page of a user's notifications, newest first.
    ///
    /// # Errors
    /// `InvalidInput` for a limit outside 1–1000 or a negative offset;
    /// `Forbidden` when `authorize` refuses.
    pub async fn list_for_user(
        &self,
        actor: &Actor,
        user_id: Uuid,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Notification>> {
        let call = Call::new("notifications.list_for_user", "list", "notifications", Some(user_id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            check::page(limit, offset)?;
            s.authorize(Action::Read, Resource::Notification { user_id }).await?;
            let args = [uuid(user_id), Arg::I64(limit), Arg::I64(offset)];
            let rows = s.conn().fetch_all(call.op, BY_USER, &args).await?;
            rows.iter().map(from_row).collect()
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }

    /// A user's notifications in one status (e.g. UNREAD), newest first.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses.
    pub async fn list_for_user_status(
        &self,
        actor: &Actor,
        user_id: Uuid,
        status: elson_core::enums::NotificationStatus,
    ) -> StoreResult<Vec<Notification>> {
        let call =
            Call::new("notifications.list_for_user_status", "list", "notifications", Some(user_id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let r = async {
            let s = live(&mut s)?;
            s.authorize(Action::Read, Resource::Notification { user_id }).await?;
            let args = [uuid(user_id), enum_text(status)];
            let rows = s.conn().fetch_all(call.op, BY_USER_STATUS, &args).await?;
            rows.iter().map(from_row).collect()
        }
        .await;
        self.store.conclude(actor, s, r, &call).await
    }
}

impl Store {
    /// The `notifications` repository.
    pub fn notifications(&self) -> Notifications<'_> {
        Notifications { store: self }
    }
}
