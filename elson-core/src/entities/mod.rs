//! The eleven tables of the data model as Rust types, one file each.
//!
//! Field names are the column names; `type` columns are `portfolio_type` /
//! `notification_type` in Rust and `type` in JSON. Nullable columns are
//! `Option`. Constructors validate every column limit (see [`crate::limits`])
//! and return [`crate::ElsonError::InvalidInput`] naming the field.
//!
//! No unchecked entity (issue 14 item 3): each entity has a `validate(&self)`
//! that applies its constructor's rules to a whole row, and deserializing an
//! entity (serde, and so the Python `from_dict`/`from_json`/pickle and the
//! Kotlin/Swift `*_from_json`) runs it, so a row the core would refuse
//! cannot be read into memory. The error names the field, as the
//! constructor's does.

/// Declares an entity whose serde `Deserialize` runs its `validate`.
///
/// serde's derive fills a struct field by field and never asks a
/// constructor. With `#[serde(try_from = "unchecked::Row")]` it instead
/// reads a private mirror, `unchecked::Row`, with the very same fields and
/// field attributes (so the JSON form — names, `type` renames, formats — is
/// unchanged), and `TryFrom` turns it into the entity only through
/// `validate`. Serialization is the entity's own derive, untouched.
macro_rules! checked_entity {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )+
        }
    ) => {
        $(#[$meta])*
        #[serde(try_from = "unchecked::Row")]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )+
        }

        /// The entity as serde reads it, before its `validate`.
        mod unchecked {
            #[allow(unused_imports, clippy::wildcard_imports)]
            use super::*;

            #[derive(serde::Deserialize)]
            pub(super) struct Row {
                $( $(#[$fmeta])* pub(super) $field: $ty, )+
            }
        }

        impl TryFrom<unchecked::Row> for $name {
            type Error = crate::error::ElsonError;

            /// Checks the row read by serde with the entity's `validate`.
            fn try_from(row: unchecked::Row) -> crate::error::Result<$name> {
                let value = $name { $( $field: row.$field, )+ };
                value.validate()?;
                Ok(value)
            }
        }
    };
}

mod backtest_result;
mod beta_feedback;
mod feature_flag;
mod model_parameter;
mod notification;
mod portfolio;
mod position;
mod relationship;
mod trade;
mod user;
mod volatility_regime;

pub use backtest_result::*;
pub use beta_feedback::*;
pub use feature_flag::*;
pub use model_parameter::*;
pub use notification::*;
pub use portfolio::*;
pub use position::*;
pub use relationship::*;
pub use trade::*;
pub use user::*;
pub use volatility_regime::*;

/// The core error behind a serde error, when it is an entity's `validate`
/// refusing the row (rather than malformed JSON, an unknown enum name or a
/// missing key): `InvalidInput` with the field and reason the check gave.
///
/// serde carries a custom error as text only; its text is the core error's
/// `Display` (`invalid input for `{field}`: {reason}`), plus serde_json's
/// position when it parsed text. The bindings use this to raise the same
/// `InvalidInput` (same `field`) for a refused row as the constructor does.
///
/// ```
/// use elson_core::entities::{Notification, refusal};
/// let json = r#"{"id":"00000000-0000-0000-0000-000000000001",
///   "user_id":"00000000-0000-0000-0000-000000000002","related_entity_id":null,
///   "related_entity_type":null,"type":"SYSTEM","title":"Hi","message":"",
///   "created_at":"2026-01-01T00:00:00Z","read_at":null,"status":"READ",
///   "priority":"LOW","action_url":null}"#;
/// let err = serde_json::from_str::<Notification>(json).unwrap_err();
/// let core = refusal(&err).unwrap();
/// assert_eq!(core, elson_core::ElsonError::invalid("read_at", "a READ notification has a read_at"));
/// assert!(refusal(&serde_json::from_str::<Notification>("{").unwrap_err()).is_none());
/// ```
pub fn refusal(err: &serde_json::Error) -> Option<crate::ElsonError> {
    let text = err.to_string();
    let position = format!(" at line {} column {}", err.line(), err.column());
    let message = match err.line() {
        0 => text.as_str(),
        _ => text.strip_suffix(&position).unwrap_or(&text),
    };
    let (field, reason) = message.strip_prefix("invalid input for `")?.split_once("`: ")?;
    Some(crate::ElsonError::invalid(field, reason))
}
