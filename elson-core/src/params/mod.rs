//! Model parameters (DESIGN §7): effective-dated lookup over
//! `model_parameters` rows, with the built-in defaults of DESIGN §5–§7 as
//! data.
//!
//! Every number the sizing, confidence, regime and breaker rules use is a
//! parameter here, so a dated row can change it from a point in time on
//! without a release — and a question about the past ("what was the sizing
//! factor on 3 March?") gets the answer that held then.

pub mod defaults;
mod set;

pub use set::ParameterSet;
