//! A short-lived cache of portfolio rows ([`crate::StoreOptions::portfolio_cache_ttl`]).
//!
//! Portfolio reads dominate a family app (every screen shows balances), and
//! a row changes only through the store's own writes. The cache keeps a row
//! for a couple of seconds, keyed by portfolio id; every write that changes a
//! portfolio row invalidates its entry *after* the transaction ends (commit
//! or failed commit), never before, so a rolled-back write leaves the
//! committed value in place and a fresh read never caches uncommitted data.
//!
//! Races: a read that started before a write committed may return the old
//! row (it was the committed value when the read began), but it must not
//! put that old row back into the cache after the write's invalidation.
//! Each read therefore takes a ticket (the cache's generation counter) before
//! its query, and its result is stored only when no invalidation of that id
//! (and no clear) happened since the ticket was taken.
//!
//! Writes by other processes (another store on the same database) are not
//! seen until the entry expires: the TTL bounds that staleness.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use elson_core::entities::Portfolio;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::store::Store;

/// Entries kept before the cache is emptied (a crude bound, correct under
/// the generation rule: emptying is an invalidation of every id).
const CAPACITY: usize = 100_000;

/// Counters of the portfolio cache, for tests and monitoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Reads answered from the cache, without a query.
    pub hits: u64,
    /// Reads that queried the database.
    pub misses: u64,
    /// Invalidations by writes (one per portfolio id per write).
    pub invalidations: u64,
    /// Entries currently held (fresh or expired, plus invalidation marks).
    pub entries: usize,
}

#[derive(Debug)]
struct Entry {
    /// The cached row and when it expires; `None` after an invalidation.
    value: Option<(Portfolio, Instant)>,
    /// Generation of the last invalidation of this id.
    invalidated: u64,
}

#[derive(Debug, Default)]
struct State {
    /// Bumped by every invalidation and clear.
    generation: u64,
    /// Tickets older than this were issued before the last clear.
    floor: u64,
    entries: HashMap<Uuid, Entry>,
    stats: CacheStats,
}

/// A read's ticket: the generation when it began.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket(u64);

/// The cache itself; one per [`crate::Store`] (clones share it).
#[derive(Debug)]
pub(crate) struct PortfolioCache {
    ttl: Duration,
    state: Mutex<State>,
}

impl PortfolioCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        PortfolioCache { ttl, state: Mutex::new(State::default()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub(crate) fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// A fresh cached row, or a ticket to read the database with.
    pub(crate) fn lookup(&self, id: Uuid) -> Result<Portfolio, Ticket> {
        let mut s = self.state();
        let now = Instant::now();
        let hit = match s.entries.get(&id) {
            Some(Entry { value: Some((p, expires)), .. }) if *expires > now => Some(p.clone()),
            _ => None,
        };
        match hit {
            Some(p) => {
                s.stats.hits += 1;
                Ok(p)
            }
            None => {
                s.stats.misses += 1;
                Err(Ticket(s.generation))
            }
        }
    }

    /// Stores what a read found, unless the row was invalidated (or the
    /// cache cleared) after the read's ticket was taken.
    pub(crate) fn store(&self, ticket: Ticket, p: &Portfolio) {
        let mut s = self.state();
        if ticket.0 < s.floor {
            return;
        }
        if let Some(e) = s.entries.get(&p.id)
            && e.invalidated > ticket.0
        {
            return;
        }
        if s.entries.len() >= CAPACITY && !s.entries.contains_key(&p.id) {
            clear_locked(&mut s);
            return;
        }
        let expires = Instant::now() + self.ttl;
        let invalidated = s.entries.get(&p.id).map_or(0, |e| e.invalidated);
        s.entries.insert(p.id, Entry { value: Some((p.clone(), expires)), invalidated });
    }

    /// Drops the entries of `ids` and fences off reads that began earlier.
    pub(crate) fn invalidate(&self, ids: &[Uuid]) {
        let mut s = self.state();
        s.generation += 1;
        let generation = s.generation;
        for id in ids {
            s.stats.invalidations += 1;
            s.entries.insert(*id, Entry { value: None, invalidated: generation });
        }
        if s.entries.len() > CAPACITY {
            clear_locked(&mut s);
        }
    }

    /// Drops every entry (e.g. after a restore replaced the data).
    pub(crate) fn clear(&self) {
        clear_locked(&mut self.state());
    }

    pub(crate) fn stats(&self) -> CacheStats {
        let s = self.state();
        CacheStats { entries: s.entries.len(), ..s.stats }
    }
}

impl Store {
    /// Counters of the portfolio read cache
    /// ([`crate::StoreOptions::portfolio_cache_ttl`]).
    pub fn portfolio_cache_stats(&self) -> CacheStats {
        self.portfolio_cache().stats()
    }

    /// Empties the portfolio read cache: for when the database changed
    /// under the store (a restore, a bulk fix by another tool).
    pub fn clear_portfolio_cache(&self) {
        self.portfolio_cache().clear();
    }

    /// One portfolio row through the cache: `read` runs on a miss, and its
    /// row is kept unless a write invalidated it meanwhile.
    pub(crate) async fn cached_portfolio<F>(&self, id: Uuid, read: F) -> StoreResult<Portfolio>
    where
        F: Future<Output = StoreResult<Portfolio>>,
    {
        let cache = self.portfolio_cache();
        if !cache.enabled() {
            return read.await;
        }
        match cache.lookup(id) {
            Ok(p) => Ok(p),
            Err(ticket) => {
                let p = read.await?;
                cache.store(ticket, &p);
                Ok(p)
            }
        }
    }
}

fn clear_locked(s: &mut State) {
    s.generation += 1;
    s.floor = s.generation;
    s.entries.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use elson_core::enums::PortfolioType;
    use rust_decimal::Decimal;

    fn row(cash: i64) -> Portfolio {
        let t = DateTime::from_timestamp(1_767_225_600, 0).unwrap();
        Portfolio {
            id: Uuid::from_u128(7),
            user_id: Uuid::from_u128(1),
            name: "p".into(),
            description: None,
            created_at: t,
            updated_at: t,
            cash_balance: Decimal::new(cash, 2),
            total_value: Decimal::new(cash, 2),
            portfolio_type: PortfolioType::Standard,
            risk_score: None,
            diversification_score: None,
            guardian_approval: false,
            volatility_preference: None,
            performance_metrics: None,
        }
    }

    #[test]
    fn a_read_that_began_before_an_invalidation_does_not_store_its_row() {
        let c = PortfolioCache::new(Duration::from_secs(60));
        let old = row(100);
        let ticket = c.lookup(old.id).unwrap_err();
        // A write commits and invalidates while the read is in flight.
        c.invalidate(&[old.id]);
        c.store(ticket, &old);
        assert!(c.lookup(old.id).is_err(), "the stale row was not cached");
        // A read that began after the invalidation may store.
        let new = row(200);
        let ticket = c.lookup(new.id).unwrap_err();
        c.store(ticket, &new);
        assert_eq!(c.lookup(new.id).unwrap(), new);
        let s = c.stats();
        assert_eq!((s.hits, s.misses, s.invalidations), (1, 3, 1));
    }

    #[test]
    fn clear_fences_reads_in_flight_and_expiry_misses() {
        let c = PortfolioCache::new(Duration::from_millis(30));
        let p = row(1);
        let ticket = c.lookup(p.id).unwrap_err();
        c.clear();
        c.store(ticket, &p);
        assert!(c.lookup(p.id).is_err());
        let ticket = c.lookup(p.id).unwrap_err();
        c.store(ticket, &p);
        assert!(c.lookup(p.id).is_ok());
        std::thread::sleep(Duration::from_millis(40));
        assert!(c.lookup(p.id).is_err(), "expired");
    }

    #[test]
    fn an_invalidation_of_another_id_does_not_fence_this_one() {
        let c = PortfolioCache::new(Duration::from_secs(60));
        let p = row(1);
        let ticket = c.lookup(p.id).unwrap_err();
        c.invalidate(&[Uuid::from_u128(99)]);
        c.store(ticket, &p);
        assert!(c.lookup(p.id).is_ok());
    }
}
