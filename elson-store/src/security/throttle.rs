//! A limit on failed login and two-factor attempts.
//!
//! Without one, a password can be guessed at the speed of bcrypt and a
//! six-digit code at the speed of the network. Each key (an email for the
//! password step, a user for the code step) may fail
//! [`AttemptLimit::max_failures`] times in a row; the next attempt within
//! [`AttemptLimit::lockout`] of the last failure is refused without being
//! checked. A success clears the key.
//!
//! An attempt takes its place in the count *before* its check, under the
//! lock ([`Throttle::reserve`]): failures so far plus checks in flight may
//! not exceed the limit. Counting only once a check had failed let
//! simultaneous attempts all pass the limit before the first of them
//! failed: 32 parallel logins were all checked by bcrypt (the right
//! password among them accepted), parallel TOTP codes got 12–18 checks
//! against a limit of 5 (issue 15 item 2). A reserved attempt then ends as
//! a failure (kept, counted), a success (the key cleared) or neither — an
//! error that is no wrong credential, such as a storage failure, or the
//! call dropped before its answer — which gives the place back.
//!
//! Keys are counted whether or not an account exists, and the refusal comes
//! before any lookup or check, so it tells an attacker nothing about which
//! emails are registered. The counts live in the store's process: several
//! processes each count their own (a limit per process is still a limit; a
//! shared one needs shared state).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};
use elson_core::ElsonError;

use super::work::LoginWork;

/// How many failed attempts in a row a key may make, and how long it is
/// then refused (counted from its last failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimit {
    /// Failures in a row after which attempts are refused; attempts being
    /// checked count towards it. 0 turns the limit off.
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

/// One key's failures in a row, when the last one happened, and its
/// attempts being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Failures {
    count: u32,
    last: DateTime<Utc>,
    /// Reserved attempts whose check has not ended yet.
    pending: u32,
}

impl Failures {
    /// Whether the failures still count at `now`.
    fn current(&self, limit: &AttemptLimit, now: DateTime<Utc>) -> bool {
        now < self.last + limit.lockout
    }

    /// Whether the record can be dropped at `now` (nothing counts, nothing
    /// in flight).
    fn idle(&self, limit: &AttemptLimit, now: DateTime<Utc>) -> bool {
        self.pending == 0 && (self.count == 0 || !self.current(limit, now))
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

/// How a reserved attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Failed,
    Succeeded,
    /// Neither: the place is given back.
    Released,
}

/// One attempt's place in its key's count, taken by [`Throttle::reserve`]
/// before the check. End it with [`Attempt::failed`] or
/// [`Attempt::succeeded`]; [`Attempt::release`], or dropping it (an error
/// that is no wrong credential, a cancelled call), gives the place back.
#[derive(Debug)]
#[must_use = "an attempt ends as failed, succeeded or released"]
pub(crate) struct Attempt<'a> {
    throttle: &'a Throttle,
    /// `None` once ended, or when the limit is off.
    key: Option<String>,
    now: DateTime<Utc>,
}

impl Attempt<'_> {
    /// The check failed: the place stays, as a counted failure at the
    /// attempt's `now`.
    pub(crate) fn failed(mut self) {
        self.end(Outcome::Failed);
    }

    /// The check passed: the key's failures are forgotten.
    pub(crate) fn succeeded(mut self) {
        self.end(Outcome::Succeeded);
    }

    /// Neither (the credential was not judged): the place is given back.
    pub(crate) fn release(mut self) {
        self.end(Outcome::Released);
    }

    fn end(&mut self, outcome: Outcome) {
        let Some(key) = self.key.take() else { return };
        let limit = &self.throttle.limit;
        let now = self.now;
        let mut keys = self.throttle.keys();
        // Never absent while reserved (sweeps keep pending keys); a record
        // made afresh is still right.
        let f = keys.entry(key.clone()).or_insert(Failures { count: 0, last: now, pending: 1 });
        f.pending = f.pending.saturating_sub(1);
        match outcome {
            Outcome::Failed => {
                if !f.current(limit, now) {
                    f.count = 0; // the earlier failures are forgotten
                }
                f.count += 1;
                f.last = f.last.max(now);
            }
            Outcome::Succeeded => f.count = 0,
            Outcome::Released => {}
        }
        if f.idle(limit, now) {
            keys.remove(&key);
        }
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        self.end(Outcome::Released);
    }
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

    /// Takes a place for one attempt of `key` at `now`, before its check:
    /// refused when the key's current failures plus its attempts being
    /// checked have reached the limit. Under one lock, so simultaneous
    /// attempts cannot all pass.
    ///
    /// # Errors
    /// `AuthenticationFailed` ("too many failed attempts"), saying when
    /// attempts are accepted again (at the latest, should the attempts in
    /// flight all fail now).
    pub(crate) fn reserve(&self, key: &str, now: DateTime<Utc>) -> Result<Attempt<'_>, ElsonError> {
        let max = self.limit.max_failures;
        if max == 0 {
            return Ok(Attempt { throttle: self, key: None, now });
        }
        let mut keys = self.keys();
        if keys.len() >= SWEEP_ABOVE {
            keys.retain(|_, f| !f.idle(&self.limit, now));
        }
        let f = keys.entry(key.to_string()).or_insert(Failures { count: 0, last: now, pending: 0 });
        if f.count > 0 && !f.current(&self.limit, now) {
            f.count = 0; // the earlier failures are forgotten
        }
        let again = if f.count >= max {
            Some(f.last + self.limit.lockout)
        } else if f.count + f.pending >= max {
            Some(f.last.max(now) + self.limit.lockout)
        } else {
            None
        };
        if let Some(again) = again {
            return Err(ElsonError::AuthenticationFailed {
                reason: format!(
                    "{TOO_MANY}; try again after {}",
                    again.format("%Y-%m-%dT%H:%M:%SZ")
                ),
            });
        }
        f.pending += 1;
        Ok(Attempt { throttle: self, key: Some(key.to_string()), now })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap() + TimeDelta::minutes(minutes)
    }

    fn limit(max_failures: u32, lockout_minutes: i64) -> Throttle {
        Throttle::new(AttemptLimit { max_failures, lockout: TimeDelta::minutes(lockout_minutes) })
    }

    fn fail(th: &Throttle, key: &str, at: DateTime<Utc>) {
        th.reserve(key, at).unwrap().failed();
    }

    #[test]
    fn refuses_after_the_limit_until_the_lockout_has_passed() {
        let th = limit(3, 10);
        for m in 0..3 {
            fail(&th, "a", t(m));
        }
        let e = th.reserve("a", t(3)).unwrap_err();
        assert_eq!(e.code(), "AUTHENTICATION_FAILED");
        assert!(e.to_string().contains(TOO_MANY), "{e}");
        assert!(e.to_string().contains("2026-11-26T12:12:00Z"), "{e}");
        assert!(th.reserve("b", t(3)).is_ok(), "other keys are not affected");
        assert!(th.reserve("a", t(11)).is_err(), "10 minutes from the last failure");
        // After the lockout the count starts over.
        fail(&th, "a", t(12));
        assert!(th.reserve("a", t(13)).is_ok());
    }

    #[test]
    fn a_success_clears_and_old_failures_are_forgotten() {
        let th = limit(2, 5);
        fail(&th, "a", t(0));
        th.reserve("a", t(0)).unwrap().succeeded();
        fail(&th, "a", t(1));
        assert!(th.reserve("a", t(1)).is_ok(), "one failure since the success");
        fail(&th, "a", t(10)); // the failure at t(1) was forgotten by then
        assert!(th.reserve("a", t(10)).is_ok());
        fail(&th, "a", t(11));
        assert!(th.reserve("a", t(11)).is_err());
    }

    /// Issue 15 item 2: an attempt takes its place before its check, so
    /// attempts in flight count towards the limit.
    #[test]
    fn attempts_in_flight_count_towards_the_limit() {
        let th = limit(3, 10);
        let (a1, a2, a3) = (
            th.reserve("a", t(0)).unwrap(),
            th.reserve("a", t(0)).unwrap(),
            th.reserve("a", t(0)).unwrap(),
        );
        let e = th.reserve("a", t(0)).unwrap_err();
        assert!(e.to_string().contains(TOO_MANY), "{e}");
        assert!(e.to_string().contains("2026-11-26T12:10:00Z"), "{e}");
        assert!(th.reserve("b", t(0)).is_ok(), "other keys are not affected");
        // Released (not a wrong credential) or dropped (a cancelled call):
        // the place is given back.
        a1.release();
        let a4 = th.reserve("a", t(1)).unwrap();
        drop(a2);
        let a5 = th.reserve("a", t(1)).unwrap();
        assert!(th.reserve("a", t(1)).is_err());
        // Failures keep their places.
        a3.failed();
        a4.failed();
        a5.failed();
        let e = th.reserve("a", t(2)).unwrap_err();
        assert!(e.to_string().contains("2026-11-26T12:11:00Z"), "{e}");
        assert!(th.reserve("a", t(11)).is_ok());
    }

    #[test]
    fn a_success_clears_the_failures_but_not_the_attempts_in_flight() {
        let th = limit(2, 5);
        let (a, b) = (th.reserve("a", t(0)).unwrap(), th.reserve("a", t(0)).unwrap());
        assert!(th.reserve("a", t(0)).is_err());
        a.succeeded();
        let c = th.reserve("a", t(0)).unwrap();
        assert!(th.reserve("a", t(0)).is_err(), "b and c are still being checked");
        b.failed();
        c.failed();
        assert!(th.reserve("a", t(1)).is_err());
    }

    #[test]
    fn ended_keys_are_forgotten() {
        let th = limit(2, 5);
        th.reserve("a", t(0)).unwrap().release();
        th.reserve("b", t(0)).unwrap().succeeded();
        drop(th.reserve("c", t(0)).unwrap());
        fail(&th, "d", t(0));
        assert_eq!(th.keys().keys().collect::<Vec<_>>(), ["d"]);
    }

    #[test]
    fn off_never_refuses() {
        let th = Throttle::new(AttemptLimit::OFF);
        let held: Vec<_> = (0..100).map(|m| th.reserve("a", t(m)).unwrap()).collect();
        for m in 0..100 {
            fail(&th, "a", t(m));
        }
        assert!(th.reserve("a", t(100)).is_ok());
        drop(held);
        assert!(th.keys().is_empty());
    }

    #[test]
    fn many_keys_are_swept_when_expired_but_not_while_in_flight() {
        let th = limit(1, 1);
        let held = th.reserve("held", t(0)).unwrap();
        for i in 1..SWEEP_ABOVE {
            fail(&th, &format!("k{i}"), t(0));
        }
        fail(&th, "late", t(5));
        let mut kept: Vec<_> = th.keys().keys().cloned().collect();
        kept.sort();
        assert_eq!(kept, ["held", "late"], "expired keys swept");
        assert!(th.reserve("late", t(5)).is_err());
        held.failed();
        assert!(th.reserve("held", t(0)).is_err());
    }
}
