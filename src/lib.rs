//! Elson SDK facade: one dependency that re-exports the pure domain core and
//! the optional store.
//!
//! ```
//! use elson_sdk::core::enums::TradeSide;
//! assert_eq!(TradeSide::Buy.to_string(), "BUY");
//! ```
// `deny`, not `forbid`: the one module with `unsafe`, `simd`, allows it
// for its target-feature calls, each with its SAFETY comment.
#![deny(unsafe_code)]

pub use elson_core as core;
pub use elson_store as store;

pub mod simd;
