//! Arguments of the store's commands (`elson.Store.create_user`, …,
//! `import_rows`): Python keyword arguments and entity objects converted to
//! `elson-store`'s command types. No rule lives here: every command's
//! effect is decided by the store and the core.

use elson_core::entities::{NewBetaFeedback, NotificationEvent};
use elson_core::enums::{NotificationStatus, RelationshipType, RiskProfile, UserRole};
use elson_core::families::{ApprovalSettings, Permissions};
use elson_store::{Caller, ImportBatch, ImportReport, NewAccount, NewLink};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use uuid::Uuid;

use crate::accounting::{opt_enum, opt_uuid};
use crate::conv::{extract_enum, extract_uuid, py_to_json};
use crate::entities::{
    PyBetaFeedback, PyNotification, PyPortfolio, PyPosition, PyRelationship, PyTrade, PyUser,
};
use crate::errors::invalid;
use crate::families::json_column;

/// Who sends a command: `actor` (a `User` or an actor dict), under the
/// client's `command_id` (`uuid.UUID` or its text) when one is given. With a
/// command id the store runs the command once: a retry with the same id and
/// arguments returns the first result and has no second effect; the same
/// id with other arguments raises `IdempotencyConflict`.
pub(crate) fn caller(
    actor: &Bound<'_, PyAny>,
    command_id: Option<&Bound<'_, PyAny>>,
) -> PyResult<Caller> {
    let by = Caller::new(&crate::families::actor(actor)?);
    Ok(match opt_uuid("command_id", command_id)? {
        Some(id) => by.with_command_id(id),
        None => by,
    })
}

/// The id of a new row (a portfolio, a trade) the caller did not name.
/// Without a command id: `fresh()`. Under a command id: an id derived from
/// the actor, the command id, `what` and `index`, the same on every retry,
/// so the retry's arguments are the first call's (a fresh id would make
/// every retry an `IdempotencyConflict`). The derivation is FNV-1a over 128
/// bits, stable across builds and platforms (a retry may come from a later
/// release), as a version 8 (custom) UUID.
pub(crate) fn new_id(by: &Caller, what: &str, index: u64, fresh: fn() -> Uuid) -> Uuid {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let Some(command_id) = by.command_id else {
        return fresh();
    };
    let index = index.to_le_bytes();
    let bytes = by.actor.id.as_bytes().iter().chain(command_id.as_bytes()).chain(&index);
    let h =
        bytes.chain(what.as_bytes()).fold(OFFSET, |h, b| (h ^ u128::from(*b)).wrapping_mul(PRIME));
    uuid::Builder::from_custom_bytes(h.to_be_bytes()).into_uuid()
}

/// A new account from the keyword arguments of `create_user` /
/// `enroll_minor`.
#[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
pub(crate) fn account(
    id: Option<&Bound<'_, PyAny>>,
    email: String,
    password: String,
    role: UserRole,
    first_name: Option<String>,
    last_name: Option<String>,
    date_of_birth: Option<chrono::NaiveDate>,
    risk_profile: Option<&Bound<'_, PyAny>>,
) -> PyResult<NewAccount> {
    Ok(NewAccount {
        id: opt_uuid("id", id)?,
        email,
        password,
        role,
        first_name,
        last_name,
        date_of_birth,
        risk_profile: opt_enum("risk_profile", risk_profile)?.unwrap_or(RiskProfile::Moderate),
    })
}

/// A link's permissions, read strictly from a dict or JSON text (None: the
/// DESIGN §3 defaults).
pub(crate) fn permissions(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Permissions>> {
    json_column("permissions", obj, Permissions::from_json)
}

/// A link's approval settings, read strictly from a dict or JSON text (None:
/// the DESIGN §3 defaults).
pub(crate) fn approval_settings(
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<ApprovalSettings>> {
    json_column("approval_settings", obj, ApprovalSettings::from_json)
}

/// The terms of a new guardian link.
pub(crate) fn link(
    id: Option<&Bound<'_, PyAny>>,
    guardian_id: &Bound<'_, PyAny>,
    relationship_type: Option<&Bound<'_, PyAny>>,
    permissions: Option<&Bound<'_, PyAny>>,
    approval_settings: Option<&Bound<'_, PyAny>>,
) -> PyResult<NewLink> {
    Ok(NewLink {
        id: opt_uuid("link_id", id)?,
        guardian_id: extract_uuid("guardian_id", guardian_id)?,
        relationship_type: opt_enum("relationship_type", relationship_type)?
            .unwrap_or(RelationshipType::Parent),
        permissions: self::permissions(permissions)?.unwrap_or_default(),
        approval_settings: self::approval_settings(approval_settings)?.unwrap_or_default(),
    })
}

/// The keyword arguments of a partial update (`update_profile`,
/// `update_portfolio_settings`): which were given, by name. An unknown name
/// raises `TypeError`, as Python does for an unexpected keyword.
pub(crate) struct Changes<'py> {
    given: Vec<(String, Bound<'py, PyAny>)>,
}

impl<'py> Changes<'py> {
    pub(crate) fn new(
        method: &str,
        allowed: &[&str],
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Self> {
        let mut given = Vec::new();
        if let Some(d) = kwargs {
            for (k, v) in d.iter() {
                let key: String = k.extract()?;
                if !allowed.contains(&key.as_str()) {
                    return Err(PyTypeError::new_err(format!(
                        "{method}() got an unexpected keyword argument '{key}'; expected {}",
                        allowed.join(", ")
                    )));
                }
                given.push((key, v));
            }
        }
        Ok(Changes { given })
    }

    /// The value given for `name` (None given is `Some(None)`), or None
    /// when not given.
    pub(crate) fn get(&self, name: &str) -> Option<&Bound<'py, PyAny>> {
        self.given.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Whether every name of `names` was given.
    pub(crate) fn all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.get(n).is_some())
    }

    /// A text column: the given value (None clears it) or `current`.
    pub(crate) fn text(&self, name: &str, current: Option<String>) -> PyResult<Option<String>> {
        match self.get(name) {
            None => Ok(current),
            Some(v) if v.is_none() => Ok(None),
            Some(v) => v.extract().map(Some).map_err(|_| invalid(name, "expected str or None")),
        }
    }

    /// A free JSON column: the given value (None clears it) or `current`.
    pub(crate) fn json(
        &self,
        name: &str,
        current: Option<serde_json::Value>,
    ) -> PyResult<Option<serde_json::Value>> {
        match self.get(name) {
            None => Ok(current),
            Some(v) if v.is_none() => Ok(None),
            Some(v) => py_to_json(v, name, true).map(Some),
        }
    }

    /// An enum column that may be cleared: the given value or `current`.
    pub(crate) fn opt_enum<T: std::str::FromStr<Err = elson_core::ElsonError>>(
        &self,
        name: &str,
        current: Option<T>,
    ) -> PyResult<Option<T>> {
        match self.get(name) {
            None => Ok(current),
            Some(v) if v.is_none() => Ok(None),
            Some(v) => extract_enum(name, v).map(Some),
        }
    }

    /// A required enum column: the given value or `current`.
    pub(crate) fn enum_or<T: std::str::FromStr<Err = elson_core::ElsonError>>(
        &self,
        name: &str,
        current: T,
    ) -> PyResult<T> {
        match self.get(name) {
            None => Ok(current),
            Some(v) if v.is_none() => Err(invalid(name, "cannot be None")),
            Some(v) => extract_enum(name, v),
        }
    }

    /// An integer score that may be cleared: the given value or `current`.
    pub(crate) fn score(&self, name: &str, current: Option<i32>) -> PyResult<Option<i32>> {
        match self.get(name) {
            None => Ok(current),
            Some(v) if v.is_none() => Ok(None),
            Some(v) if v.is_instance_of::<pyo3::types::PyBool>() => {
                Err(invalid(name, "expected int or None"))
            }
            Some(v) => v.extract().map(Some).map_err(|_| invalid(name, "expected int or None")),
        }
    }

    /// A required text column: the given value or `current`.
    pub(crate) fn text_or(&self, name: &str, current: String) -> PyResult<String> {
        match self.get(name) {
            None => Ok(current),
            Some(v) => v.extract().map_err(|_| invalid(name, "expected str")),
        }
    }

    /// A boolean: the given value or `current`.
    pub(crate) fn flag(&self, name: &str, current: bool) -> PyResult<bool> {
        match self.get(name) {
            None => Ok(current),
            Some(v) => v.extract().map_err(|_| invalid(name, "expected bool")),
        }
    }
}

/// `READ` or `ARCHIVED` (a `NotificationStatus` or its name) as the
/// notification state machine's event.
pub(crate) fn notification_event(status: &Bound<'_, PyAny>) -> PyResult<NotificationEvent> {
    match extract_enum::<NotificationStatus>("status", status)? {
        NotificationStatus::Read => Ok(NotificationEvent::MarkRead),
        NotificationStatus::Archived => Ok(NotificationEvent::Archive),
        other => Err(invalid(
            "status",
            format!("a notification is marked READ or ARCHIVED, not {other}"),
        )),
    }
}

/// A new beta feedback from `submit_feedback`'s arguments.
#[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
pub(crate) fn feedback(
    user_id: &Bound<'_, PyAny>,
    feedback_type: &Bound<'_, PyAny>,
    severity: &Bound<'_, PyAny>,
    title: String,
    description: String,
    category: Option<String>,
    related_component: Option<String>,
    environment_details: Option<&Bound<'_, PyAny>>,
    screenshots: Vec<String>,
) -> PyResult<NewBetaFeedback> {
    let mut new = NewBetaFeedback::new(
        extract_uuid("user_id", user_id)?,
        extract_enum("feedback_type", feedback_type)?,
        extract_enum("severity", severity)?,
        title,
        description,
    );
    new.category = category;
    new.related_component = related_component;
    new.environment_details = match environment_details {
        Some(v) if !v.is_none() => Some(py_to_json(v, "environment_details", true)?),
        _ => None,
    };
    new.screenshots = screenshots;
    Ok(new)
}

/// The rows of one table for `import_rows`: entity objects (or dicts as
/// their `to_dict` returns, read by their `from_dict`).
macro_rules! rows {
    ($fn:ident, $py:ident, $name:literal, $core:ty) => {
        fn $fn(field: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<$core>> {
            let mut out = Vec::new();
            for (i, item) in obj.try_iter()?.enumerate() {
                let item = item?;
                let entity = if let Ok(e) = item.cast::<$py>() {
                    e.get().inner.clone()
                } else if item.cast::<PyDict>().is_ok() {
                    let built = item.py().get_type::<$py>().call_method1("from_dict", (item,))?;
                    built.cast::<$py>()?.get().inner.clone()
                } else {
                    return Err(invalid(
                        format!("{field}[{i}]"),
                        concat!("expected elson.", $name, " or a dict of its fields"),
                    ));
                };
                out.push(entity);
            }
            Ok(out)
        }
    };
}

rows!(users, PyUser, "User", elson_core::entities::User);
rows!(relationships, PyRelationship, "Relationship", elson_core::entities::Relationship);
rows!(portfolios, PyPortfolio, "Portfolio", elson_core::entities::Portfolio);
rows!(positions, PyPosition, "Position", elson_core::entities::Position);
rows!(trades, PyTrade, "Trade", elson_core::entities::Trade);
rows!(notifications, PyNotification, "Notification", elson_core::entities::Notification);
rows!(beta_feedback, PyBetaFeedback, "BetaFeedback", elson_core::entities::BetaFeedback);

/// The batch of `import_rows` from its keyword arguments (iterables of
/// entities).
pub(crate) fn import_batch(tables: [&Bound<'_, PyAny>; 7]) -> PyResult<ImportBatch> {
    let [u, r, p, x, t, n, f] = tables;
    Ok(ImportBatch {
        users: users("users", u)?,
        relationships: relationships("relationships", r)?,
        portfolios: portfolios("portfolios", p)?,
        positions: positions("positions", x)?,
        trades: trades("trades", t)?,
        notifications: notifications("notifications", n)?,
        beta_feedback: beta_feedback("beta_feedback", f)?,
    })
}

/// An import's report as a dict of rows written per table.
pub(crate) fn import_report<'py>(py: Python<'py>, r: ImportReport) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("users", r.users)?;
    d.set_item("relationships", r.relationships)?;
    d.set_item("portfolios", r.portfolios)?;
    d.set_item("positions", r.positions)?;
    d.set_item("trades", r.trades)?;
    d.set_item("notifications", r.notifications)?;
    d.set_item("beta_feedback", r.beta_feedback)?;
    Ok(d)
}
