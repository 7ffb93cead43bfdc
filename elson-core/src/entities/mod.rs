//! The eleven tables of the data model as Rust types, one file each.
//!
//! Field names are the column names; `type` columns are `portfolio_type` /
//! `notification_type` in Rust and `type` in JSON. Nullable columns are
//! `Option`. Constructors validate every column limit (see [`crate::limits`])
//! and return [`crate::ElsonError::InvalidInput`] naming the field.

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
