//! Families (DESIGN §3): relationship creation, a minor's standing, the
//! approval decision at trade creation, a guardian's approve/reject, and
//! `authorize`. Every rule is `elson_core::families`'.

use elson_core::entities::{NewRelationship, Relationship, User};
use elson_core::enums::{RelationshipStatus, RelationshipType};
use elson_core::families::{
    self as core, Access, Action, Actor, ApprovalDecision, ApprovalRequest, ApprovalSettings,
    GuardianDecision, Permissions, Resource,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::conv::{
    ToPy, extract_datetime, extract_decimal, extract_enum, extract_uuid, py_to_json,
};
use crate::entities::{PyPortfolio, PyRelationship, PyTrade, PyUser};
use crate::errors::{IntoPyResult, guard, invalid};

fn relationships(list: &[PyRef<'_, PyRelationship>]) -> Vec<Relationship> {
    list.iter().map(|r| r.inner.clone()).collect()
}

/// Reads a JSON column given as a dict (or JSON text) through the core's
/// strict parser.
pub(crate) fn json_column<T>(
    field: &str,
    obj: Option<&Bound<'_, PyAny>>,
    parse: fn(&str) -> elson_core::Result<T>,
) -> PyResult<Option<T>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    let text = if let Ok(s) = obj.cast::<PyString>() {
        s.extract::<String>()?
    } else {
        py_to_json(obj, field, false)?.to_string()
    };
    parse(&text).py().map(Some)
}

/// Creates a guardian–minor relationship. `permissions` and
/// `approval_settings` are dicts (or JSON text) read strictly: an unknown
/// key or a wrong type raises `InvalidInput`. `id` defaults to a random
/// UUID v4.
#[pyfunction]
#[pyo3(signature = (guardian_id, minor_id, *, now, relationship_type=None, status=None,
    permissions=None, approval_settings=None, id=None))]
#[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
pub fn new_relationship(
    guardian_id: &Bound<'_, PyAny>,
    minor_id: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    relationship_type: Option<&Bound<'_, PyAny>>,
    status: Option<&Bound<'_, PyAny>>,
    permissions: Option<&Bound<'_, PyAny>>,
    approval_settings: Option<&Bound<'_, PyAny>>,
    id: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyRelationship> {
    let relationship_type: RelationshipType = match relationship_type {
        Some(o) if !o.is_none() => extract_enum("relationship_type", o)?,
        _ => RelationshipType::Parent,
    };
    let status: RelationshipStatus = match status {
        Some(o) if !o.is_none() => extract_enum("status", o)?,
        _ => RelationshipStatus::Pending,
    };
    let new = NewRelationship {
        guardian_id: extract_uuid("guardian_id", guardian_id)?,
        minor_id: extract_uuid("minor_id", minor_id)?,
        relationship_type,
        status,
        approval_settings: json_column(
            "approval_settings",
            approval_settings,
            ApprovalSettings::from_json,
        )?
        .unwrap_or_default(),
        permissions: json_column("permissions", permissions, Permissions::from_json)?
            .unwrap_or_default(),
    };
    let id = match id {
        Some(o) if !o.is_none() => Some(extract_uuid("id", o)?),
        _ => None,
    };
    let now = extract_datetime("now", now)?;
    guard(|| Relationship::new(new, id, now).py()).map(|inner| PyRelationship { inner })
}

/// A MINOR's standing on `today`: `{"age", "active_guardian_ids",
/// "pending_guardian_ids", "can_trade"}`. Raises `InvalidInput` when the
/// user is not a MINOR, has no date of birth, is 18 or older, or has no
/// ACTIVE or PENDING guardian.
#[pyfunction]
pub fn check_minor<'py>(
    py: Python<'py>,
    user: &Bound<'py, PyUser>,
    relationships: Vec<PyRef<'py, PyRelationship>>,
    today: chrono::NaiveDate,
) -> PyResult<Bound<'py, PyDict>> {
    let links = self::relationships(&relationships);
    let s = core::check_minor(&user.get().inner, &links, today).py()?;
    let d = PyDict::new(py);
    d.set_item("age", s.age)?;
    d.set_item("active_guardian_ids", s.active_guardian_ids.to_py(py)?)?;
    d.set_item("pending_guardian_ids", s.pending_guardian_ids.to_py(py)?)?;
    d.set_item("can_trade", s.can_trade)?;
    Ok(d)
}

/// The amount a guardian's limits compare against: round2(quantity × price)
/// with the limit price of a LIMIT order or the market price of a MARKET
/// order. Raises `InvalidInput` when the prices do not fit the order type.
#[pyfunction]
#[pyo3(signature = (order_type, quantity, limit_price=None, market_price=None))]
pub fn estimate_amount(
    order_type: &Bound<'_, PyAny>,
    quantity: &Bound<'_, PyAny>,
    limit_price: Option<&Bound<'_, PyAny>>,
    market_price: Option<&Bound<'_, PyAny>>,
) -> PyResult<Decimal> {
    let opt = |field: &str, o: Option<&Bound<'_, PyAny>>| -> PyResult<Option<Decimal>> {
        match o {
            Some(o) if !o.is_none() => Ok(Some(extract_decimal(field, o)?)),
            _ => Ok(None),
        }
    };
    core::estimate_amount(
        extract_enum("order_type", order_type)?,
        extract_decimal("quantity", quantity)?,
        opt("limit_price", limit_price)?,
        opt("market_price", market_price)?,
    )
    .py()
}

/// How a new trade starts: NOT_REQUIRED, PENDING, APPROVED, or REJECTED with
/// a reason.
#[pyclass(name = "ApprovalDecision", module = "elson", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyApprovalDecision {
    inner: ApprovalDecision,
}

#[pymethods]
impl PyApprovalDecision {
    /// The `guardian_approval` value the trade starts with.
    #[getter]
    fn guardian_approval<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.guardian_approval().to_py(py)
    }
    /// The rejection's stable code (`TRADING_NOT_PERMITTED`, …) or None.
    #[getter]
    fn reason_code(&self) -> Option<&'static str> {
        match &self.inner {
            ApprovalDecision::Rejected { reason } => Some(reason.code()),
            _ => None,
        }
    }
    /// The rejection's text (it becomes the trade's `notes`) or None.
    #[getter]
    fn reason(&self) -> Option<String> {
        match &self.inner {
            ApprovalDecision::Rejected { reason } => Some(reason.to_string()),
            _ => None,
        }
    }
    fn __repr__(&self) -> String {
        format!("ApprovalDecision({:?})", self.inner)
    }
}

/// Decides how a trade of `owner` on `portfolio` starts (DESIGN §3).
/// `relationships` are the owner's guardian links; `amount` is the trade's
/// estimated amount (see `estimate_amount`); `trades_today` counts the
/// owner's trades placed earlier today. Raises `InvalidInput` for an
/// inconsistent MINOR (no date of birth, adult, no guardian) or bad amount.
#[pyfunction]
#[pyo3(signature = (owner, portfolio, relationships, *, order_type, asset_type, amount,
    trades_today, today))]
#[allow(clippy::too_many_arguments)] // keyword arguments on the Python side
pub fn decide(
    owner: &Bound<'_, PyUser>,
    portfolio: &Bound<'_, PyPortfolio>,
    relationships: Vec<PyRef<'_, PyRelationship>>,
    order_type: &Bound<'_, PyAny>,
    asset_type: &Bound<'_, PyAny>,
    amount: &Bound<'_, PyAny>,
    trades_today: u32,
    today: chrono::NaiveDate,
) -> PyResult<PyApprovalDecision> {
    let links = self::relationships(&relationships);
    let request = ApprovalRequest {
        owner: &owner.get().inner,
        portfolio: &portfolio.get().inner,
        relationships: &links,
        order_type: extract_enum("order_type", order_type)?,
        asset_type: extract_enum("asset_type", asset_type)?,
        amount: extract_decimal("amount", amount)?,
        trades_today,
        today,
    };
    guard(|| core::decide(&request).py()).map(|inner| PyApprovalDecision { inner })
}

/// Applies a creation-time decision to a fresh PENDING trade and returns the
/// updated trade (a rejection sets status REJECTED and `notes`). Raises
/// `InvalidTransition` when the trade is not fresh.
#[pyfunction]
pub fn apply_decision(
    trade: &Bound<'_, PyTrade>,
    decision: &Bound<'_, PyApprovalDecision>,
) -> PyResult<PyTrade> {
    let mut t = trade.get().inner.clone();
    core::apply_decision(&mut t, &decision.get().inner).py()?;
    Ok(PyTrade { inner: t })
}

/// The record of a guardian's decision (for the audit row and the
/// notification to the minor).
#[pyclass(name = "GuardianDecision", module = "elson", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyGuardianDecision {
    inner: GuardianDecision,
}

#[pymethods]
impl PyGuardianDecision {
    /// The decided trade.
    #[getter]
    fn trade_id(&self) -> Uuid {
        self.inner.trade_id
    }
    /// The minor who owns it.
    #[getter]
    fn minor_id(&self) -> Uuid {
        self.inner.minor_id
    }
    /// The guardian who decided.
    #[getter]
    fn guardian_id(&self) -> Uuid {
        self.inner.guardian_id
    }
    /// APPROVED or REJECTED.
    #[getter]
    fn guardian_approval<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.guardian_approval.to_py(py)
    }
    /// The rejection reason, None for an approval.
    #[getter]
    fn reason(&self) -> Option<String> {
        self.inner.reason.clone()
    }
    /// When the decision was taken.
    #[getter]
    fn decided_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.decided_at
    }
    fn __repr__(&self) -> String {
        format!("GuardianDecision({:?})", self.inner)
    }
}

/// A guardian approves a minor's PENDING trade; returns
/// `(updated_trade, decision)`. Raises `Forbidden` (not an ACTIVE guardian
/// of the owner), `InvalidInput` (wrong portfolio), `InvalidTransition`
/// (already decided or final: the first decision wins).
#[pyfunction]
pub fn approve(
    trade: &Bound<'_, PyTrade>,
    portfolio: &Bound<'_, PyPortfolio>,
    guardian: &Bound<'_, PyUser>,
    relationships: Vec<PyRef<'_, PyRelationship>>,
    now: &Bound<'_, PyAny>,
) -> PyResult<(PyTrade, PyGuardianDecision)> {
    let links = self::relationships(&relationships);
    let now = extract_datetime("now", now)?;
    let mut t = trade.get().inner.clone();
    let d = guard(|| {
        core::approve(&mut t, &portfolio.get().inner, &guardian.get().inner, &links, now).py()
    })?;
    Ok((PyTrade { inner: t }, PyGuardianDecision { inner: d }))
}

/// A guardian rejects a minor's PENDING trade with a reason; returns
/// `(updated_trade, decision)`. Raises as `approve`, and `InvalidInput` for
/// a blank reason.
#[pyfunction]
pub fn reject(
    trade: &Bound<'_, PyTrade>,
    portfolio: &Bound<'_, PyPortfolio>,
    guardian: &Bound<'_, PyUser>,
    relationships: Vec<PyRef<'_, PyRelationship>>,
    reason: &str,
    now: &Bound<'_, PyAny>,
) -> PyResult<(PyTrade, PyGuardianDecision)> {
    let links = self::relationships(&relationships);
    let now = extract_datetime("now", now)?;
    let mut t = trade.get().inner.clone();
    let d = guard(|| {
        core::reject(&mut t, &portfolio.get().inner, &guardian.get().inner, &links, reason, now)
            .py()
    })?;
    Ok((PyTrade { inner: t }, PyGuardianDecision { inner: d }))
}

/// A granted access: `basis` (OWNER, GUARDIAN, ADMIN, PUBLIC) and whether
/// the access must be `audited`.
#[pyclass(name = "Access", module = "elson", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyAccess {
    inner: Access,
}

fn upper_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

#[pymethods]
impl PyAccess {
    /// Why access was granted: OWNER, GUARDIAN, ADMIN or PUBLIC.
    #[getter]
    fn basis(&self) -> String {
        upper_name(&self.inner.basis)
    }
    /// True when the store must write an audit row.
    #[getter]
    fn audited(&self) -> bool {
        self.inner.audited
    }
    fn __repr__(&self) -> String {
        format!("Access(basis={:?}, audited={})", self.basis(), self.inner.audited)
    }
}

/// The acting user: a `User`, or a dict `{id, role, status}`.
pub(crate) fn actor(obj: &Bound<'_, PyAny>) -> PyResult<Actor> {
    if let Ok(user) = obj.cast::<PyUser>() {
        return Ok(Actor::from(&user.get().inner as &User));
    }
    let d = obj.cast::<PyDict>().map_err(|_| invalid("actor", "expected a User or a dict"))?;
    let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
        d.get_item(k)?.ok_or_else(|| invalid("actor", format!("missing key {k:?}")))
    };
    Ok(Actor {
        id: extract_uuid("actor.id", &get("id")?)?,
        role: extract_enum("actor.role", &get("role")?)?,
        status: extract_enum("actor.status", &get("status")?)?,
    })
}

/// Decides whether `actor` (a `User`, or a dict `{id, role, status}`) may
/// do `action` (READ, CREATE, UPDATE, DELETE, APPROVE, DEPOSIT, WITHDRAW) on
/// `resource` (a dict `{"kind": "PORTFOLIO", "owner_id": …}` — see the
/// README), given the actor's relationships. Returns an `Access`; raises
/// `Forbidden` with the reason, or `InvalidInput` for a malformed resource.
#[pyfunction]
pub fn authorize(
    actor: &Bound<'_, PyAny>,
    action: &Bound<'_, PyAny>,
    resource: &Bound<'_, PyAny>,
    relationships: Vec<PyRef<'_, PyRelationship>>,
) -> PyResult<PyAccess> {
    let actor = self::actor(actor)?;
    let action: Action = serde_json::from_value(py_to_json(action, "action", false)?)
        .map_err(|e| invalid("action", e.to_string()))?;
    let resource: Resource = serde_json::from_value(py_to_json(resource, "resource", false)?)
        .map_err(|e| invalid("resource", e.to_string()))?;
    let links = self::relationships(&relationships);
    guard(|| core::authorize(&actor, action, &resource, &links).py())
        .map(|inner| PyAccess { inner })
}

/// Registers the family classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyApprovalDecision>()?;
    m.add_class::<PyGuardianDecision>()?;
    m.add_class::<PyAccess>()?;
    m.add_function(wrap_pyfunction!(new_relationship, m)?)?;
    m.add_function(wrap_pyfunction!(check_minor, m)?)?;
    m.add_function(wrap_pyfunction!(estimate_amount, m)?)?;
    m.add_function(wrap_pyfunction!(decide, m)?)?;
    m.add_function(wrap_pyfunction!(apply_decision, m)?)?;
    m.add_function(wrap_pyfunction!(approve, m)?)?;
    m.add_function(wrap_pyfunction!(reject, m)?)?;
    m.add_function(wrap_pyfunction!(authorize, m)?)?;
    Ok(())
}
