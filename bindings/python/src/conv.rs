//! Conversions between core values and Python values, in one place.
//!
//! Rust → Python: [`ToPy`] gives every field type its natural Python type
//! (`decimal.Decimal`, aware `datetime` in UTC, `uuid.UUID`, the seed enums as
//! `elson` enum members, JSON columns as plain dicts).
//! Python → Rust: [`py_to_json`] turns a dict of such values into JSON that
//! serde reads into the core's types; binary floats are refused wherever a
//! money value could be, because a float is not money.

use chrono::{DateTime, NaiveDate, Utc};
use elson_core::enums::*;
use elson_core::families::{ApprovalSettings, Permissions};
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::errors::invalid;

/// Converts a core value into its Python counterpart.
pub trait ToPy {
    /// The Python object for `self`.
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

macro_rules! to_py_via_into {
    ($($t:ty),*) => {$(
        impl ToPy for $t {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                self.clone().into_bound_py_any(py)
            }
        }
    )*};
}
to_py_via_into!(Uuid, String, bool, i32, u32, i64, f64, Decimal, DateTime<Utc>, NaiveDate);

impl<T: ToPy> ToPy for Option<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(v) => v.to_py(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

impl<T: ToPy> ToPy for Vec<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items = self.iter().map(|v| v.to_py(py)).collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any())
    }
}

fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let loads = LOADS
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("json")?.getattr("loads")?.unbind()))?;
    loads.bind(py).call1((text,))
}

fn serde_to_py<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(v).map_err(|e| invalid("json", e.to_string()))?;
    json_loads(py, &text)
}

impl ToPy for serde_json::Value {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, self)
    }
}
impl ToPy for Permissions {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, self)
    }
}
impl ToPy for ApprovalSettings {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // Money inside the settings stays decimal.Decimal on the Python side.
        let d = PyDict::new(py);
        d.set_item("require_approval", self.require_approval)?;
        d.set_item("auto_approve_below", self.auto_approve_below.to_py(py)?)?;
        d.set_item("max_trade_amount", self.max_trade_amount.to_py(py)?)?;
        d.set_item("allowed_asset_types", self.allowed_asset_types.to_py(py)?)?;
        d.set_item("daily_trade_limit", self.daily_trade_limit.to_py(py)?)?;
        Ok(d.into_any())
    }
}

/// The Python enum class `elson._enums.<name>`.
pub fn enum_class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyType>> {
    Ok(py.import("elson._enums")?.getattr(name)?.cast_into::<PyType>()?)
}

macro_rules! seed_enums {
    ($($t:ident),* $(,)?) => {
        $(
            impl ToPy for $t {
                fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    // The members, looked up once: a per-call `Enum(value)`
                    // lookup would cost more than the call it converts.
                    static MEMBERS: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();
                    let members = MEMBERS.get_or_try_init(py, || {
                        let class = enum_class(py, stringify!($t))?;
                        $t::ALL
                            .iter()
                            .map(|v| class.call1((v.as_str(),)).map(Bound::unbind))
                            .collect::<PyResult<Vec<_>>>()
                    })?;
                    let index = $t::ALL.iter().position(|v| v == self).unwrap_or(0);
                    members
                        .get(index)
                        .map(|m| m.bind(py).clone())
                        .ok_or_else(|| invalid(stringify!($t), "unknown member"))
                }
            }
        )*
        /// Every seed enum and its values, as the core defines them; the
        /// Python enums are checked against this in the test suite.
        pub fn enum_values() -> Vec<(&'static str, Vec<&'static str>)> {
            vec![$((stringify!($t), $t::ALL.iter().map(|v| v.as_str()).collect())),*]
        }
    };
}
seed_enums!(
    UserRole,
    UserStatus,
    RiskProfile,
    PortfolioType,
    VolatilityLevel,
    AssetType,
    OrderType,
    TradeSide,
    TradeStatus,
    CircuitBreakerState,
    GuardianApproval,
    RelationshipType,
    RelationshipStatus,
    NotificationType,
    NotificationStatus,
    NotificationPriority,
    FeedbackType,
    FeedbackSeverity,
    FeedbackStatus,
    Environment,
    VolatilityMethod,
);

/// Reads a seed enum from a Python enum member or its upper-case name.
pub fn extract_enum<T: std::str::FromStr<Err = elson_core::ElsonError>>(
    field: &str,
    obj: &Bound<'_, PyAny>,
) -> PyResult<T> {
    let text: String = if let Ok(s) = obj.cast::<PyString>() {
        s.extract::<String>()?
    } else if let Ok(v) = obj.getattr("value") {
        v.extract().map_err(|_| invalid(field, "enum value must be a string"))?
    } else {
        return Err(invalid(field, "expected an elson enum member or its name"));
    };
    text.parse::<T>().map_err(|_| invalid(field, format!("unknown value {text:?}")))
}

/// Reads money or a quantity: `decimal.Decimal`, `int` or `str`; a `float`
/// is refused because a binary float is not money.
pub fn extract_decimal(field: &str, obj: &Bound<'_, PyAny>) -> PyResult<Decimal> {
    if obj.is_instance_of::<PyFloat>() {
        return Err(invalid(
            field,
            "a binary float is not money: pass decimal.Decimal, int or str",
        ));
    }
    if obj.is_instance_of::<PyBool>() {
        return Err(invalid(field, "expected a decimal, got bool"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .extract::<String>()?
            .trim()
            .parse::<Decimal>()
            .map_err(|e| invalid(field, e.to_string()));
    }
    if obj.is_instance_of::<PyInt>() {
        let v: i64 = obj.extract().map_err(|_| invalid(field, "integer out of range"))?;
        return Ok(Decimal::from(v));
    }
    obj.extract::<Decimal>().map_err(|_| {
        invalid(field, format!("expected decimal.Decimal, int or str, got {}", type_name(obj)))
    })
}

/// Reads a timestamp: a timezone-aware `datetime` (converted to UTC). A
/// naive datetime is refused: guessing its zone would shift money in time.
pub fn extract_datetime(field: &str, obj: &Bound<'_, PyAny>) -> PyResult<DateTime<Utc>> {
    obj.extract::<DateTime<chrono::FixedOffset>>().map(|d| d.with_timezone(&Utc)).map_err(|_| {
        invalid(field, format!("expected a timezone-aware datetime, got {}", type_name(obj)))
    })
}

/// Reads an id: `uuid.UUID` or its string form.
pub fn extract_uuid(field: &str, obj: &Bound<'_, PyAny>) -> PyResult<Uuid> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Uuid::parse_str(&s.extract::<String>()?).map_err(|e| invalid(field, e.to_string()));
    }
    obj.extract::<Uuid>()
        .map_err(|_| invalid(field, format!("expected uuid.UUID or str, got {}", type_name(obj))))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".to_owned())
}

/// Converts a Python value (dict of entity fields, nested lists …) into JSON
/// the core's serde types read. `free_json` names top-level keys whose
/// contents are free-form JSON (floats allowed there); everywhere else a float
/// is refused.
pub fn py_to_json(
    obj: &Bound<'_, PyAny>,
    path: &str,
    floats_ok: bool,
) -> PyResult<serde_json::Value> {
    let mut budget = JsonBudget { depth: 0, nodes: 0 };
    json_of(obj, path, floats_ok, &mut budget)
}

/// How deep a JSON-like input may nest, and how many values it may hold.
/// A self-referencing list or dict, or one nested 20,000 deep, would
/// otherwise recurse until the interpreter's stack overflows (a SIGSEGV,
/// issue 15 item 3); serde_json's own parser stops at 128 levels too.
pub const JSON_DEPTH_MAX: usize = 64;
/// See [`JSON_DEPTH_MAX`].
pub const JSON_VALUES_MAX: usize = 100_000;

struct JsonBudget {
    depth: usize,
    nodes: usize,
}

fn json_of(
    obj: &Bound<'_, PyAny>,
    path: &str,
    floats_ok: bool,
    budget: &mut JsonBudget,
) -> PyResult<serde_json::Value> {
    use serde_json::Value;
    budget.nodes += 1;
    if budget.nodes > JSON_VALUES_MAX {
        return Err(invalid(path, format!("holds more than {JSON_VALUES_MAX} values")));
    }
    if budget.depth >= JSON_DEPTH_MAX {
        return Err(invalid(
            path,
            format!(
                "nests deeper than {JSON_DEPTH_MAX} levels (a list or dict that contains itself?)"
            ),
        ));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(v) = obj.extract::<i64>() {
            return Ok(Value::from(v));
        }
        return Err(invalid(path, "integer out of range"));
    }
    if obj.is_instance_of::<PyFloat>() {
        if !floats_ok {
            return Err(invalid(
                path,
                "a binary float is not money: pass decimal.Decimal, int or str",
            ));
        }
        let v: f64 = obj.extract()?;
        return serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| invalid(path, "NaN or infinity is not valid JSON"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.extract::<String>()?));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, v) in d.iter() {
            let key: String =
                k.extract().map_err(|_| invalid(path, "dict keys must be strings"))?;
            let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            budget.depth += 1;
            let value = json_of(&v, &child, floats_ok, budget);
            budget.depth -= 1;
            map.insert(key, value?);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for (i, v) in obj.try_iter()?.enumerate() {
            budget.depth += 1;
            let value = json_of(&v?, &format!("{path}[{i}]"), floats_ok, budget);
            budget.depth -= 1;
            out.push(value?);
        }
        return Ok(Value::Array(out));
    }
    // Typed scalars: decimal.Decimal, datetime, date, UUID, enum members.
    let module: String = obj.get_type().module().map(|m| m.to_string()).unwrap_or_default();
    let name = type_name(obj);
    match (module.as_str(), name.as_str()) {
        ("decimal", "Decimal") => Ok(Value::String(extract_decimal(path, obj)?.to_string())),
        ("uuid", "UUID") => Ok(Value::String(extract_uuid(path, obj)?.to_string())),
        ("datetime", "datetime") => Ok(Value::String(
            extract_datetime(path, obj)?.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        )),
        ("datetime", "date") => {
            let d: NaiveDate = obj.extract()?;
            Ok(Value::String(d.to_string()))
        }
        _ if obj.hasattr("value")? && obj.hasattr("name")? => {
            // An enum member: its value is the seed's name.
            json_of(&obj.getattr("value")?, path, floats_ok, budget)
        }
        _ => Err(invalid(path, format!("unsupported value of type {module}.{name}"))),
    }
}
