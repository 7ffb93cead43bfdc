//! Persistence for the Elson SDK.
//!
//! This crate will hold the SQLite (embedded default) and PostgreSQL
//! (production) backends. Every rule it applies is decided by
//! [`elson_core`]; the store only makes the decisions durable.
#![forbid(unsafe_code)]

pub use elson_core;
