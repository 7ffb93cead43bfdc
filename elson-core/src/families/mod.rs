//! Families: guardians, minors, permissions and the approval of a minor's
//! trades (DESIGN §3), and `authorize` for the four roles.
//!
//! - [`check_minor`]: a MINOR's standing (age, guardians, may trade).
//! - [`decide`] / [`apply_decision`]: how a new trade starts
//!   (NOT_REQUIRED, PENDING, APPROVED or REJECTED with a reason).
//! - [`approve`] / [`reject`]: a guardian's decision on a PENDING trade.
//! - [`authorize`]: who may do what to whose data.

mod approval;
mod authorize;
mod decision;
mod links;
mod minor;
mod settings;

pub use approval::*;
pub use authorize::*;
pub use decision::*;
pub use links::*;
pub use minor::*;
pub use settings::*;
