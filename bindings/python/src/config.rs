//! Settings dicts → the core's config structs: the user's dict is merged
//! key by key over the core's defaults (nested objects too), so
//! `{"volatility": {"method": "EWMA"}}` changes one setting. An unknown key
//! is an `InvalidInput` naming its path; a binary float where the core keeps
//! a decimal (money, fractions) is refused, as everywhere else.

use pyo3::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::conv::py_to_json;
use crate::errors::invalid;

fn merge(base: &mut Value, user: Value, path: &str) -> PyResult<()> {
    match (base, user) {
        (Value::Object(b), Value::Object(u)) => {
            for (k, v) in u {
                let child = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v, &child)?,
                    None => return Err(invalid(child, "unknown setting")),
                }
            }
            Ok(())
        }
        (slot, v) => {
            // A decimal setting serializes as a string; a float there is refused.
            if slot.is_string() && v.as_number().is_some_and(serde_json::Number::is_f64) {
                return Err(invalid(
                    path,
                    "a binary float is not a decimal: pass decimal.Decimal, int or str",
                ));
            }
            *slot = v;
            Ok(())
        }
    }
}

/// `default` with the settings of `obj` (a dict, or None for the defaults).
pub fn merged<T: Serialize + DeserializeOwned>(
    field: &str,
    default: &T,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<T> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return serde_json::to_value(default)
            .and_then(serde_json::from_value)
            .map_err(|e| invalid(field, e.to_string()));
    };
    let mut base = serde_json::to_value(default).map_err(|e| invalid(field, e.to_string()))?;
    let user = py_to_json(obj, field, true)?;
    if !user.is_object() {
        return Err(invalid(field, "expected a dict of settings"));
    }
    merge(&mut base, user, field)?;
    serde_json::from_value(base).map_err(|e| invalid(field, e.to_string()))
}
