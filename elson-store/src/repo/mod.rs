//! One repository per table, one file each. Every method takes the acting
//! [`crate::Actor`], is authorized by `elson_core::families::authorize`
//! against the owner of what it touches, writes its `audit_log` rows, and
//! reports to the audit hook.

pub mod backtest_results;
pub mod beta_feedback;
pub mod feature_flags;
pub mod model_parameters;
pub mod notifications;
pub mod portfolios;
pub mod positions;
pub mod relationships;
pub mod trades;
pub mod users;
pub mod volatility_regimes;
