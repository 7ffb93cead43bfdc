//! # elson-core
//!
//! The pure domain core of the Elson SDK: entities, consistency rules, trade
//! accounting, guardian approval, volatility estimators and regimes, the
//! graduated circuit breaker, position sizing, backtesting and feature flags.
//!
//! No I/O, no async, no FFI: every rule is a function you can call and test
//! without a database. Time always comes in as an argument.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod accounting;
pub mod backtest;
pub mod breaker;
pub mod entities;
pub mod enums;
pub mod error;
pub mod families;
pub mod flags;
pub mod limits;
pub mod metrics;
pub mod notifications;
mod parallel;
pub mod params;
pub mod regime;
pub mod simd;
pub mod sizing;
pub mod volatility;

pub use error::{ElsonError, Result};
