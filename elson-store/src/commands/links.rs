//! Guardian links: a guardian proposes one, an admin verifies it, a
//! guardian changes its settings or ends it. The two people a link joins
//! never change; a minor never loses their last active guardian.

use chrono::{DateTime, Utc};
use elson_core::entities::{NewRelationship, Relationship};
use elson_core::enums::{RelationshipStatus, RelationshipType};
use elson_core::families::{
    Action, ApprovalSettings, Permissions, Resource, check_guardian_may_leave, check_link_parties,
};
use uuid::Uuid;

use super::Caller;
use crate::access::{Call, Session};
use crate::db::{Conn, uuid};
use crate::error::{StoreError, StoreResult};
use crate::repo::relationships;
use crate::store::Store;

/// The terms of a new guardian link.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NewLink {
    /// The link's id; a fresh v4 id when `None`.
    pub id: Option<Uuid>,
    /// The GUARDIAN.
    pub guardian_id: Uuid,
    /// PARENT, LEGAL_GUARDIAN, …
    pub relationship_type: RelationshipType,
    /// What the minor may do (DESIGN §3 defaults).
    pub permissions: Permissions,
    /// How the minor's trades are approved (DESIGN §3 defaults).
    pub approval_settings: ApprovalSettings,
}

impl NewLink {
    /// A PARENT link with the default permissions and approval settings.
    pub fn parent(guardian_id: Uuid) -> NewLink {
        NewLink {
            id: None,
            guardian_id,
            relationship_type: RelationshipType::Parent,
            permissions: Permissions::default(),
            approval_settings: ApprovalSettings::default(),
        }
    }
}

const OP_LINK: &str = "links.link_guardian";
const OP_ACCEPT: &str = "links.accept";
const OP_END: &str = "links.deactivate";
const OP_SETTINGS: &str = "links.update_settings";

/// All links of a minor; on PostgreSQL locked until the call ends.
pub(crate) async fn load_links_of_minor(
    s: &mut Session,
    op: &'static str,
    minor_id: Uuid,
) -> StoreResult<Vec<Relationship>> {
    let mut c = s.conn();
    let sql = match c {
        Conn::Pg(_) | Conn::PgAs(..) => relationships::BY_MINOR_FOR_UPDATE,
        Conn::Sqlite(_) => relationships::BY_MINOR,
    };
    let rows = c.fetch_all(op, sql, &[uuid(minor_id)]).await?;
    rows.iter().map(relationships::from_row).collect()
}

fn resource(r: &Relationship) -> Resource {
    Resource::Relationship { guardian_id: r.guardian_id, minor_id: r.minor_id }
}

impl Store {
    /// Proposes a PENDING link between a GUARDIAN and a MINOR. A guardian
    /// proposes links to themself; an admin proposes any. It counts for
    /// nothing until [`Store::accept_link`].
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses; `InvalidInput` when the two are
    /// not a GUARDIAN and a MINOR or the settings are refused; `NotFound`
    /// for an unknown user; `Conflict` when the pair is already linked.
    pub async fn link_guardian(
        &self,
        by: impl Into<Caller>,
        minor_id: Uuid,
        link: NewLink,
        now: DateTime<Utc>,
    ) -> StoreResult<Relationship> {
        let caller = by.into();
        let digest = caller.digest(&(minor_id, &link));
        let call = Call::new(OP_LINK, "link_guardian", "relationships", link.id);
        self.command(&caller, &call, digest, async |s: &mut Session| {
            let guardian_id = link.guardian_id;
            s.authorize(Action::Create, Resource::Relationship { guardian_id, minor_id }).await?;
            let guardian = self.locked_user(s, OP_LINK, guardian_id).await?;
            let minor = self.locked_user(s, OP_LINK, minor_id).await?;
            check_link_parties(&guardian, &minor)?;
            let mut new = NewRelationship::new(guardian_id, minor_id, link.relationship_type);
            new.status = RelationshipStatus::Pending;
            new.permissions = link.permissions;
            new.approval_settings = link.approval_settings;
            let r = Relationship::new(new, link.id, now)?;
            self.relationships()
                .write_in(&mut s.conn(), OP_LINK, relationships::INSERT, &r)
                .await?;
            s.audit_rows([r.id]);
            Ok(r)
        })
        .await
    }

    /// Makes a PENDING link ACTIVE: verification, which decides who may act
    /// for a minor, so an admin's (or the system's) act only.
    ///
    /// # Errors
    /// `Forbidden` for anyone else; `InvalidTransition` unless PENDING;
    /// `InvalidInput` when the two no longer are a GUARDIAN and a MINOR;
    /// `NotFound`.
    pub async fn accept_link(
        &self,
        by: impl Into<Caller>,
        link_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Relationship> {
        let caller = by.into();
        let digest = caller.digest(&link_id);
        let call = Call::new(OP_ACCEPT, "accept_link", "relationships", Some(link_id));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            let mut r = self.locked_link(s, OP_ACCEPT, link_id).await?;
            s.authorize(Action::Update, resource(&r)).await?;
            s.authorize(Action::Update, Resource::UserStanding { id: r.minor_id }).await?;
            let guardian = self.locked_user(s, OP_ACCEPT, r.guardian_id).await?;
            let minor = self.locked_user(s, OP_ACCEPT, r.minor_id).await?;
            check_link_parties(&guardian, &minor)?;
            r.activate(now)?;
            self.write_link(s, OP_ACCEPT, &r).await?;
            Ok(r)
        })
        .await
    }

    /// Ends a link (PENDING or ACTIVE → INACTIVE): its guardian or an admin.
    /// The minor's last ACTIVE link cannot end.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses; `Conflict` for the last ACTIVE
    /// link; `InvalidTransition` when already INACTIVE; `NotFound`.
    pub async fn deactivate_link(
        &self,
        by: impl Into<Caller>,
        link_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Relationship> {
        let caller = by.into();
        let digest = caller.digest(&link_id);
        let call = Call::new(OP_END, "deactivate_link", "relationships", Some(link_id));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            let r = self.locked_link(s, OP_END, link_id).await?;
            s.authorize(Action::Update, resource(&r)).await?;
            let links = load_links_of_minor(s, OP_END, r.minor_id).await?;
            // Re-read under the lock of all the minor's links.
            let Some(mut r) = links.iter().find(|l| l.id == link_id).cloned() else {
                return Err(StoreError::not_found("relationship", link_id));
            };
            check_guardian_may_leave(&r, &links)?;
            r.deactivate(now)?;
            self.write_link(s, OP_END, &r).await?;
            Ok(r)
        })
        .await
    }

    /// Replaces a link's permissions and approval settings: its guardian or
    /// an admin. The minor never changes their own.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses; `InvalidInput` for refused
    /// settings; `InvalidTransition` for an INACTIVE link; `NotFound`.
    pub async fn update_link_settings(
        &self,
        by: impl Into<Caller>,
        link_id: Uuid,
        permissions: Permissions,
        approval_settings: ApprovalSettings,
        now: DateTime<Utc>,
    ) -> StoreResult<Relationship> {
        let caller = by.into();
        let digest = caller.digest(&(link_id, &permissions, &approval_settings));
        let call = Call::new(OP_SETTINGS, "update_link_settings", "relationships", Some(link_id));
        self.command(&caller, &call, digest, async |s: &mut Session| {
            let mut r = self.locked_link(s, OP_SETTINGS, link_id).await?;
            s.authorize(Action::Update, resource(&r)).await?;
            r.update_settings(permissions, approval_settings, now)?;
            self.write_link(s, OP_SETTINGS, &r).await?;
            Ok(r)
        })
        .await
    }

    async fn locked_link(
        &self,
        s: &mut Session,
        op: &'static str,
        id: Uuid,
    ) -> StoreResult<Relationship> {
        let row = relationships::LOCKED.fetch(s, op, "relationship", id).await?;
        relationships::from_row(&row)
    }

    async fn write_link(
        &self,
        s: &mut Session,
        op: &'static str,
        r: &Relationship,
    ) -> StoreResult<()> {
        match self.relationships().write_in(&mut s.conn(), op, relationships::CHANGE, r).await? {
            0 => Err(StoreError::not_found("relationship", r.id)),
            _ => Ok(()),
        }
    }
}
