//! The in-process audit seam: every store call reports what it did, for
//! whom and how it ended to an [`AuditHook`].
//!
//! The default hook does nothing. It is independent of the durable trail:
//! the store itself appends `audit_log` rows for every write (in the same
//! transaction), every audited read and every denied call (see
//! [`crate::Store::audit_log`]); a hook is for metrics, logs or tests.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::actor::Actor;

/// One audited store call.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// Who.
    pub actor: Actor,
    /// What: `insert`, `update`, `get`, `list`, `query`, `delete`.
    pub action: &'static str,
    /// Which table.
    pub entity: &'static str,
    /// Which row, when the call names one.
    pub entity_id: Option<Uuid>,
    /// `OK` or the error code the call returned.
    pub outcome: &'static str,
    /// When the call finished.
    pub at: DateTime<Utc>,
}

/// Receives every audited store call. Implementations must be cheap: they
/// run on the caller's task.
pub trait AuditHook: Send + Sync + std::fmt::Debug {
    /// Records one event.
    fn record(&self, event: &AuditEvent);
}

/// The default hook: records nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoAudit;

impl AuditHook for NoAudit {
    fn record(&self, _event: &AuditEvent) {}
}

/// A hook that keeps events in memory, for tests and debugging.
#[derive(Debug, Default)]
pub struct MemoryAudit {
    events: Mutex<Vec<AuditEvent>>,
}

impl MemoryAudit {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// A copy of every event recorded so far, oldest first.
    pub fn events(&self) -> Vec<AuditEvent> {
        match self.events.lock() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

impl AuditHook for MemoryAudit {
    fn record(&self, event: &AuditEvent) {
        let mut g = match self.events.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        g.push(event.clone());
    }
}
