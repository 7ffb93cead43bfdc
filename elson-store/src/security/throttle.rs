//! A limit on failed login and two-factor attempts.
//!
//! Without one, a password can be guessed at the speed of bcrypt and a
//! six-digit code at the speed of the network. Each key (an email for the
//! password step, a user for the code step) may fail
//! [`AttemptLimit::max_failures`] times in a row; the next attempt within
//! [`AttemptLimit::lockout`] of the last failure is refused without being
//! checked. A success clears the key.
//!
//! Keys are counted whether or not an account exists, so the refusal tells
//! an attacker nothing about which emails are registered. The counts live
//! in the store's process: several processes each count their own (a limit
//! per process is still a limit; a shared one needs shared state).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};
use elson_core::ElsonError;

use super::work::LoginWork;

/// How many failed attempts in a row a key may make, and how long it is
/// then refused (counted from its last failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimit {
    /// Failures in a row after which attempts are refused. 0 turns the
    /// limit off.
    pub max_failures: u32,
    /// How long after its last failure a key that reached the limit is
    /// refused; a failure older than this is forgotten.
    pub lockout: TimeDelta,
}

impl AttemptLimit {
    /// 5 failures, then 15 minutes.
    pub const DEFAULT: AttemptLimit =
        AttemptLimit { max_failures: 5, lockout: TimeDelta::minutes(15) };
    /// No limit.
    pub const OFF: AttemptLimit = AttemptLimit { max_failures: 0, lockout: TimeDelta::zero() };
}

impl Default for AttemptLimit {
    fn default() -> Self {
        AttemptLimit::DEFAULT
    }
}

/// One key's failures in a row and when the last one happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Failures {
    count: u32,
    last: DateTime<Utc>,
}

impl Failures {
    /// Whether this record still counts at `now`.
    fn current(&self, limit: &AttemptLimit, now: DateTime<Utc>) -> bool {
        now < self.last + limit.lockout
    }
}

/// How a refusal's reason starts.
pub(crate) const TOO_MANY: &str = "too many failed attempts";

/// Keys kept before expired ones are swept (bounds the memory an attacker
/// trying many emails can make the store hold).
const SWEEP_ABOVE: usize = 10_000;

/// The failure counts of one store, and the work its password checks
/// spend.
#[derive(Debug)]
pub(crate) struct Throttle {
    limit: AttemptLimit,
    keys: Mutex<HashMap<String, Failures>>,
    /// The other per-store defence of the login (crate::security::work):
    /// kept here so that every clone of the store shares it, like the
    /// counts.
    work: LoginWork,
}

impl Throttle {
    pub(crate) fn new(limit: AttemptLimit) -> Throttle {
        Throttle { limit, keys: Mutex::new(HashMap::new()), work: LoginWork::default() }
    }

    /// The store's login work (see [`LoginWork`]).
    pub(crate) fn work(&self) -> &LoginWork {
        &self.work
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        // Counts are plain values: whatever a panicking holder left is usable.
        self.keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Refuses an attempt for `key` at `now` when it has reached the limit.
    ///
    /// # Errors
    /// `AuthenticationFailed`, saying when attempts are accepted again.
    pub(crate) fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), ElsonError> {
        if self.limit.max_failures == 0 {
            return Ok(());
        }
        match self.keys().get(key) {
            Some(f) if f.count >= self.limit.max_failures && f.current(&self.limit, now) => {
                let again = f.last + self.limit.lockout;
                Err(ElsonError::AuthenticationFailed {
                    reason: format!(
                        "{TOO_MANY}; try again after {}",
                        again.format("%Y-%m-%dT%H:%M:%SZ")
                    ),
                })
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt for `key` at `now`.
    pub(crate) fn failed(&self, key: &str, now: DateTime<Utc>) {
        if self.limit.max_failures == 0 {
            return;
        }
        let mut keys = self.keys();
        if keys.len() >= SWEEP_ABOVE {
            keys.retain(|_, f| f.current(&self.limit, now));
        }
        let f = keys.entry(key.to_string()).or_insert(Failures { count: 0, last: now });
        if !f.current(&self.limit, now) {
            f.count = 0; // the earlier failures are forgotten
        }
        f.count += 1;
        f.last = f.last.max(now);
    }

    /// Forgets `key`'s failures (a successful attempt).
    pub(crate) fn succeeded(&self, key: &str) {
        if self.limit.max_failures > 0 {
            self.keys().remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap() + TimeDelta::minutes(minutes)
    }

    #[test]
    fn refuses_after_the_limit_until_the_lockout_has_passed() {
        let th = Throttle::new(AttemptLimit { max_failures: 3, lockout: TimeDelta::minutes(10) });
        for m in 0..3 {
            assert!(th.check("a", t(m)).is_ok());
            th.failed("a", t(m));
        }
        let e = th.check("a", t(3)).unwrap_err();
        assert_eq!(e.code(), "AUTHENTICATION_FAILED");
        assert!(e.to_string().contains("2026-11-26T12:12:00Z"), "{e}");
        assert!(th.check("b", t(3)).is_ok(), "other keys are not affected");
        assert!(th.check("a", t(11)).is_err(), "10 minutes from the last failure");
        assert!(th.check("a", t(12)).is_ok());
        // After the lockout the count starts over.
        th.failed("a", t(12));
        assert!(th.check("a", t(13)).is_ok());
    }

    #[test]
    fn a_success_clears_and_old_failures_are_forgotten() {
        let th = Throttle::new(AttemptLimit { max_failures: 2, lockout: TimeDelta::minutes(5) });
        th.failed("a", t(0));
        th.succeeded("a");
        th.failed("a", t(1));
        assert!(th.check("a", t(1)).is_ok(), "one failure since the success");
        th.failed("a", t(10)); // the failure at t(1) was forgotten by then
        assert!(th.check("a", t(10)).is_ok());
        th.failed("a", t(11));
        assert!(th.check("a", t(11)).is_err());
    }

    #[test]
    fn off_never_refuses() {
        let th = Throttle::new(AttemptLimit::OFF);
        for m in 0..100 {
            th.failed("a", t(m));
        }
        assert!(th.check("a", t(100)).is_ok());
    }

    #[test]
    fn many_keys_are_swept_when_expired() {
        let th = Throttle::new(AttemptLimit { max_failures: 1, lockout: TimeDelta::minutes(1) });
        for i in 0..SWEEP_ABOVE {
            th.failed(&format!("k{i}"), t(0));
        }
        th.failed("late", t(5));
        assert_eq!(th.keys().len(), 1, "expired keys swept");
        assert!(th.check("late", t(5)).is_err());
    }
}
