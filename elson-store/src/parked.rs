//! PostgreSQL connections kept ready between calls, without sqlx's release
//! ping.
//!
//! sqlx tests every connection as it goes back to its pool: a ping, one
//! more round trip, in a task of its own. It is a safety net for a
//! connection whose call was cancelled halfway through a statement. On a
//! small machine that background round trip competes with the next call
//! for the same cores, and it was a third of a seed query's latency.
//!
//! A call that ends normally knows its connection is clean (every message
//! it sent was answered), so it parks the connection here instead, and the
//! next call takes it back first. Everything else still goes through the
//! pool's own path: a call that fails or is cancelled drops its connection
//! (and sqlx pings it), and a connection parked longer than the store's
//! idle limit is handed back to the pool rather than used unchecked.
//!
//! Parked connections stay checked out of the pool, so the pool's
//! `max_connections` still bounds the total. At most half of them are parked,
//! and none when the pool has no idle connection left and may open no more:
//! a caller waiting in the pool is not kept waiting by a parked one.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres};

/// The parked connections of one store, newest last.
#[derive(Debug)]
pub(crate) struct Parked {
    conns: Mutex<Vec<(PoolConnection<Postgres>, Instant)>>,
    /// How many may be parked at once.
    cap: usize,
    /// The pool's `max_connections`.
    max_connections: u32,
    /// Older than this, a parked connection goes back to the pool.
    max_idle: Duration,
}

impl Parked {
    pub(crate) fn new(max_connections: u32, max_idle: Duration) -> Parked {
        let cap = (max_connections as usize / 2).max(1);
        Parked { conns: Mutex::new(Vec::with_capacity(cap)), cap, max_connections, max_idle }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(PoolConnection<Postgres>, Instant)>> {
        // The list is consistent whatever a panicking holder did (push/pop).
        self.conns.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The most recently parked connection, unless it sat longer than the
    /// idle limit (then it and every older one go back to the pool, which
    /// checks them).
    pub(crate) fn take(&self) -> Option<PoolConnection<Postgres>> {
        let (conn, stale) = {
            let mut conns = self.lock();
            match conns.pop() {
                Some((c, at)) if at.elapsed() <= self.max_idle => (Some(c), Vec::new()),
                Some(old) => {
                    let mut stale = std::mem::take(&mut *conns);
                    stale.push(old);
                    (None, stale)
                }
                None => (None, Vec::new()),
            }
        };
        drop(stale); // outside the lock: each drop hands one back to sqlx
        conn
    }

    /// Parks `conn`, a connection whose call ended normally, or hands it
    /// back to `pool` when parking it could keep another caller waiting
    /// (the pool has no idle connection and may open no more).
    pub(crate) fn put(&self, conn: PoolConnection<Postgres>, pool: &PgPool) {
        let others_served = pool.num_idle() > 0 || pool.size() < self.max_connections;
        if pool.is_closed() || !others_served {
            return; // dropped: back to the pool
        }
        let refused = {
            let mut conns = self.lock();
            if conns.len() < self.cap {
                conns.push((conn, Instant::now()));
                None
            } else {
                Some(conn)
            }
        };
        drop(refused); // outside the lock: back to the pool
    }

    /// Every parked connection, for closing the store.
    pub(crate) fn drain(&self) -> Vec<PoolConnection<Postgres>> {
        self.lock().drain(..).map(|(c, _)| c).collect()
    }
}

impl Drop for Parked {
    /// Closes what is still parked directly: a pooled connection dropped the
    /// usual way starts a task, and the last store may be dropped outside
    /// any runtime.
    fn drop(&mut self) {
        for (c, _) in self.lock().drain(..) {
            drop(c.detach());
        }
    }
}
