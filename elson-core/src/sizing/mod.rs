//! Position sizing and the confidence gate (DESIGN §7).
//!
//! The largest buy allowed now is `max_position_pct × total_value × factor`,
//! with the factor chosen by (circuit-breaker state, regime) and the
//! percentage by the user's risk profile; a model-generated order also needs
//! the regime's minimum confidence. Every number is read through
//! [`ParameterSet`](crate::params::ParameterSet) at the time of the order, so a dated `model_parameters`
//! row changes the answer from its `effective_from` on, and never before.
//!
//! The limit applies to the notional of one buy (`round2(quantity × price)`,
//! fees excluded), as DESIGN §7 states it. Whether the breaker state allows a
//! buy at all is the breaker's question; here OPEN simply has factor 0, so
//! every buy exceeds a limit of 0.

mod buy;
mod confidence;
mod limit;

pub use buy::{QUANTITY_SCALE, SizingContext, SizingDecision, SizingMode, check_buy};
pub use confidence::{check_confidence, confidence_threshold};
pub use limit::{factor, max_buy_notional, max_position_pct};
