//! Families: guardians, minors, permissions and the approval of a minor's
//! trades (DESIGN §3), and `authorize` for the four roles.

mod settings;

pub use settings::*;
