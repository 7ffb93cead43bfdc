//! One repository per table, one file each. Every method takes the acting
//! [`crate::Actor`] and reports to the audit hook.

pub mod users;
