//! How much bcrypt work a login's password check spends, made the same
//! whether or not the email belongs to an account (issue 15 item 10).
//!
//! A bcrypt verification costs about 2^cost rounds of its key schedule,
//! and the cost is part of the stored hash. Checking an unknown email
//! against a dummy hash at the store's cost, as before, hid the existence
//! of accounts only while every stored hash had exactly that cost: an
//! account whose hash was imported at cost 4 answered in 1.5 ms where an
//! unknown email took ~290 ms (cost 12), and one at cost 14 answered
//! slower — either way its existence showed.
//!
//! So every password check now spends the same *work* W, in rounds:
//! W = 2^w with w = max(the store's `bcrypt_cost`, the highest cost of any
//! stored bcrypt hash). The highest stored cost is read from the database
//! (one scan of the hash prefixes, at most once per
//! [`HIGHEST_COST_MAX_AGE`]) and raised at once when a login meets a hash
//! of a higher cost. Then:
//! - an unknown email (or a stored hash that is not bcrypt) verifies a
//!   dummy hash at cost w: 2^w;
//! - an account whose hash has cost s = w verifies it: 2^w;
//! - an account whose hash has cost s < w verifies it and then dummy hashes
//!   at costs s, s+1, …, w−1: 2^s + (2^s + 2^(s+1) + … + 2^(w−1)) = 2^w.
//!
//! The sum is exact in rounds; what differs is bcrypt's fixed part per
//! call (a few key expansions against 2^w of them), under 0.1 % at w = 12.
//! [`padding_costs`] is the rule; [`LoginWork::rounds_spent`] counts what
//! logins actually verified, so tests can assert the work without timing.
//!
//! What remains: a hash of a higher cost written by another process after
//! the last scan is learned at its first login attempt (that attempt is
//! slower than an unknown email until the next scan, at most
//! [`HIGHEST_COST_MAX_AGE`] later, or the raise it triggers).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::password::{MAX_BCRYPT_COST, MIN_BCRYPT_COST};

/// How long the highest stored cost read from the database is trusted
/// before it is read again.
pub(crate) const HIGHEST_COST_MAX_AGE: Duration = Duration::from_secs(60);

/// 2^cost: the rounds of one bcrypt verification at `cost`.
pub(crate) fn rounds(cost: u32) -> u64 {
    1u64 << cost.min(63)
}

/// The costs of the dummy verifications a password check adds so that its
/// work is 2^`work` rounds: after verifying a stored hash of cost `s`
/// (`Some(s)`), the costs s, s+1, …, work−1 (none when s ≥ work); with no
/// stored hash verified (unknown email, not a bcrypt hash), one at `work`.
pub(crate) fn padding_costs(verified: Option<u32>, work: u32) -> Vec<u32> {
    match verified {
        None => vec![work],
        Some(s) => (s..work).collect(),
    }
}

/// Whether `cost` is one bcrypt can verify (a parsed prefix can say 99).
pub(crate) fn usable_cost(cost: u32) -> bool {
    (MIN_BCRYPT_COST..=MAX_BCRYPT_COST).contains(&cost)
}

/// One store's login work: the highest stored cost it knows and the
/// rounds its logins verified. Shared by every clone of the store.
#[derive(Debug, Default)]
pub(crate) struct LoginWork {
    /// The highest stored cost, and when the database was last scanned.
    highest: Mutex<Option<(u32, Instant)>>,
    /// Rounds (2^cost per verification) spent by password checks.
    spent: AtomicU64,
}

impl LoginWork {
    fn highest(&self) -> std::sync::MutexGuard<'_, Option<(u32, Instant)>> {
        // A plain value: whatever a panicking holder left is usable.
        self.highest.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The highest stored cost, when read less than
    /// [`HIGHEST_COST_MAX_AGE`] ago.
    pub(crate) fn fresh_highest(&self, now: Instant) -> Option<u32> {
        match *self.highest() {
            Some((cost, read)) if now.duration_since(read) < HIGHEST_COST_MAX_AGE => Some(cost),
            _ => None,
        }
    }

    /// Records a scan of the database that found `cost` as the highest.
    pub(crate) fn scanned(&self, cost: u32, now: Instant) {
        *self.highest() = Some((cost, now));
    }

    /// A login met a stored hash of `cost`: from now on every check spends
    /// at least that much.
    pub(crate) fn raise(&self, cost: u32) {
        if let Some((highest, _)) = self.highest().as_mut() {
            *highest = (*highest).max(cost);
        }
    }

    /// Counts one verification at `cost`.
    pub(crate) fn record(&self, cost: u32) {
        self.spent.fetch_add(rounds(cost), Ordering::Relaxed);
    }

    /// Rounds verified by password checks so far.
    #[cfg(test)]
    pub(crate) fn rounds_spent(&self) -> u64 {
        self.spent.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_spends_exactly_two_to_the_work() {
        for work in MIN_BCRYPT_COST..=20 {
            assert_eq!(padding_costs(None, work), vec![work]);
            for s in MIN_BCRYPT_COST..=work {
                let total: u64 =
                    rounds(s) + padding_costs(Some(s), work).into_iter().map(rounds).sum::<u64>();
                assert_eq!(total, rounds(work), "stored cost {s}, work {work}");
            }
        }
        assert_eq!(padding_costs(Some(4), 7), vec![4, 5, 6]);
        assert!(padding_costs(Some(12), 12).is_empty());
        assert!(padding_costs(Some(14), 12).is_empty(), "a higher hash needs no padding");
    }

    #[test]
    fn the_highest_cost_is_trusted_for_a_while_and_raised_at_once() {
        let w = LoginWork::default();
        let t = Instant::now();
        assert_eq!(w.fresh_highest(t), None);
        w.raise(9); // nothing scanned yet: the scan decides
        assert_eq!(w.fresh_highest(t), None);
        w.scanned(6, t);
        assert_eq!(w.fresh_highest(t), Some(6));
        w.raise(5);
        w.raise(8);
        assert_eq!(w.fresh_highest(t), Some(8));
        assert_eq!(w.fresh_highest(t + HIGHEST_COST_MAX_AGE), None, "read again");
        w.record(4);
        w.record(5);
        assert_eq!(w.rounds_spent(), 16 + 32);
    }
}
