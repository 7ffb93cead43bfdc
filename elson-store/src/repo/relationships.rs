//! Table `relationships`: guardian–minor links with their typed JSON
//! settings.

use elson_core::ElsonError;
use elson_core::entities::Relationship;
use elson_core::families::{ApprovalSettings, Permissions};
use uuid::Uuid;

use elson_core::families::{Action, Resource};

use crate::access::{Call, Mode, NOBODY, live};
use crate::actor::Actor;
use crate::db::{Arg, Conn, DbRow, enum_text, ts, uuid};
use crate::error::{StoreError, StoreResult};
use crate::store::Store;

macro_rules! cols {
    () => {
        "id, guardian_id, minor_id, relationship_type, created_at, updated_at, status, \
         approval_settings, permissions"
    };
}
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO relationships (",
    cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
);
/// The commands' update: the two people a link joins (`$2`, `$3`) and its
/// type and creation never change, whatever the row in memory says.
pub(crate) const CHANGE: &str = "UPDATE relationships SET updated_at = $6, status = $7, \
     approval_settings = $8, permissions = $9 \
     WHERE id = $1 AND guardian_id = $2 AND minor_id = $3 AND relationship_type = $4 \
     AND created_at = $5";
pub(crate) const GET: &str = concat!("SELECT ", cols!(), " FROM relationships WHERE id = $1");
/// Every row (a restore checks a whole snapshot).
pub(crate) const ALL: &str = concat!("SELECT ", cols!(), " FROM relationships");
/// [`GET`] under the write lock, for the commands.
pub(crate) const LOCKED: crate::commands::LockedGet = crate::commands::LockedGet {
    plain: GET,
    for_update: concat!("SELECT ", cols!(), " FROM relationships WHERE id = $1 FOR UPDATE"),
};
/// A minor's links under the write lock (PostgreSQL), so two guardians
/// leaving at once cannot both see the other stay.
pub(crate) const BY_MINOR_FOR_UPDATE: &str = concat!(
    "SELECT ",
    cols!(),
    " FROM relationships WHERE minor_id = $1 ORDER BY created_at, id FOR UPDATE"
);
pub(crate) const BY_GUARDIAN: &str = concat!(
    "SELECT ",
    cols!(),
    " FROM relationships WHERE guardian_id = $1 ORDER BY created_at, id"
);
pub(crate) const BY_MINOR: &str =
    concat!("SELECT ", cols!(), " FROM relationships WHERE minor_id = $1 ORDER BY created_at, id");

/// Repository of `relationships`; from [`Store::relationships`].
#[derive(Debug, Clone, Copy)]
pub struct Relationships<'s> {
    store: &'s Store,
}

fn validate(r: &Relationship) -> Result<(), ElsonError> {
    if r.guardian_id == r.minor_id {
        return Err(ElsonError::invalid("minor_id", "a user cannot be their own guardian"));
    }
    r.approval_settings.validate()
}

fn json_of<T: serde::Serialize>(field: &str, v: &T) -> Result<serde_json::Value, ElsonError> {
    serde_json::to_value(v).map_err(|e| ElsonError::invalid(field, e.to_string()))
}

/// Where a relationship's columns are in a row: under their own names, or
/// as the `link_*` aliases of a row that joined the link.
struct Columns {
    id: &'static str,
    relationship_type: &'static str,
    created_at: &'static str,
    updated_at: &'static str,
    status: &'static str,
    approval_settings: &'static str,
    permissions: &'static str,
}

const OWN: Columns = Columns {
    id: "id",
    relationship_type: "relationship_type",
    created_at: "created_at",
    updated_at: "updated_at",
    status: "status",
    approval_settings: "approval_settings",
    permissions: "permissions",
};

const JOINED: Columns = Columns {
    id: "link_id",
    relationship_type: "link_relationship_type",
    created_at: "link_created_at",
    updated_at: "link_updated_at",
    status: "link_status",
    approval_settings: "link_approval_settings",
    permissions: "link_permissions",
};

fn read(r: &DbRow, c: &Columns, guardian_id: Uuid, minor_id: Uuid) -> StoreResult<Relationship> {
    // Strict parsing: a stored JSON with an unknown key is refused, the same
    // rule as for input (DESIGN §3).
    let settings = r.json(c.approval_settings)?.to_string();
    let permissions = r.json(c.permissions)?.to_string();
    Ok(Relationship {
        id: r.uuid(c.id)?,
        guardian_id,
        minor_id,
        relationship_type: r.parse(c.relationship_type)?,
        created_at: r.ts(c.created_at)?,
        updated_at: r.ts(c.updated_at)?,
        status: r.parse(c.status)?,
        approval_settings: ApprovalSettings::from_json(&settings)?,
        permissions: Permissions::from_json(&permissions)?,
    })
}

/// The link between `guardian_id` and `minor_id` from the `link_*` columns
/// of a row that joined it (the guardian approval queue).
pub(crate) fn link_of_row(
    r: &DbRow,
    guardian_id: Uuid,
    minor_id: Uuid,
) -> StoreResult<Relationship> {
    read(r, &JOINED, guardian_id, minor_id)
}

pub(crate) fn from_row(r: &DbRow) -> StoreResult<Relationship> {
    read(r, &OWN, r.uuid("guardian_id")?, r.uuid("minor_id")?)
}

fn resource(r: &Relationship) -> Resource {
    Resource::Relationship { guardian_id: r.guardian_id, minor_id: r.minor_id }
}

impl Relationships<'_> {
    pub(crate) async fn write_in(
        self,
        c: &mut Conn<'_>,
        op: &'static str,
        sql: &'static str,
        r: &Relationship,
    ) -> StoreResult<u64> {
        validate(r)?;
        let settings = json_of("approval_settings", &r.approval_settings)?;
        let permissions = json_of("permissions", &r.permissions)?;
        let args = [
            uuid(r.id),
            uuid(r.guardian_id),
            uuid(r.minor_id),
            enum_text(r.relationship_type),
            ts(r.created_at),
            ts(r.updated_at),
            enum_text(r.status),
            Arg::Json(Some(&settings)),
            Arg::Json(Some(&permissions)),
        ];
        c.execute(op, sql, &args)
            .await
            .map_err(|e| e.refine_fk("user", format!("{} or {}", r.guardian_id, r.minor_id)))
    }

    /// One relationship by id.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Forbidden` when `authorize` refuses.
    pub async fn get(self, actor: &Actor, id: Uuid) -> StoreResult<Relationship> {
        let call = Call::new("relationships.get", "get", "relationships", Some(id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let res = async {
            let s = live(&mut s)?;
            let Some(row) = s.conn().fetch_optional(call.op, GET, &[uuid(id)]).await? else {
                return Err(StoreError::not_found("relationship", id));
            };
            let r = from_row(&row)?;
            s.authorize(Action::Read, resource(&r)).await?;
            Ok(r)
        }
        .await;
        self.store.conclude(actor, s, res, &call).await
    }

    /// Every relationship where the user is the guardian.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses (only the guardian and admins).
    pub async fn list_for_guardian(
        self,
        actor: &Actor,
        guardian_id: Uuid,
    ) -> StoreResult<Vec<Relationship>> {
        let call = Call::new(
            "relationships.list_for_guardian",
            "list",
            "relationships",
            Some(guardian_id),
        );
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let res = async {
            let s = live(&mut s)?;
            let scope = Resource::Relationship { guardian_id, minor_id: NOBODY };
            s.authorize(Action::Read, scope).await?;
            let rows = s.conn().fetch_all(call.op, BY_GUARDIAN, &[uuid(guardian_id)]).await?;
            rows.iter().map(from_row).collect()
        }
        .await;
        self.store.conclude(actor, s, res, &call).await
    }

    /// Every relationship where the user is the minor.
    ///
    /// # Errors
    /// `Forbidden` when `authorize` refuses (the minor, their ACTIVE
    /// guardians and admins may).
    pub async fn list_for_minor(
        self,
        actor: &Actor,
        minor_id: Uuid,
    ) -> StoreResult<Vec<Relationship>> {
        let call =
            Call::new("relationships.list_for_minor", "list", "relationships", Some(minor_id));
        let mut s = self.store.session(&call, actor, Mode::Read).await;
        let res = async {
            let s = live(&mut s)?;
            let scope = Resource::Relationship { guardian_id: NOBODY, minor_id };
            s.authorize(Action::Read, scope).await?;
            let rows = s.conn().fetch_all(call.op, BY_MINOR, &[uuid(minor_id)]).await?;
            rows.iter().map(from_row).collect()
        }
        .await;
        self.store.conclude(actor, s, res, &call).await
    }
}

impl Store {
    /// The `relationships` repository.
    pub fn relationships(&self) -> Relationships<'_> {
        Relationships { store: self }
    }
}
