//! Feature flags (DESIGN §9): percentage rollout bucketed exactly like
//! Unleash's gradual rollout, so a flag evaluated here and on an Unleash
//! server gives the same answer for the same user.
//!
//! Evaluation is a pure function of the flag row, the user, the environment
//! the caller runs in and `now` — no clock, no cache, no I/O.

mod murmur3;

pub use murmur3::murmur3_32;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::entities::FeatureFlag;
use crate::enums::Environment;

/// Number of rollout buckets; buckets run `1..=BUCKET_COUNT`, so a flag at
/// `user_percentage = p` reaches users whose bucket is at most `p`.
pub const BUCKET_COUNT: u32 = 100;

/// Seed of the rollout hash — Unleash's `STRATEGY_SEED`.
pub const BUCKET_SEED: u32 = 0;

/// The rollout bucket (1–100) of `user_id` for `flag_name`:
/// `murmur3_32("{flag_name}:{user_id}", 0) mod 100 + 1`.
///
/// The flag name is the group id, so the same user lands in independent
/// buckets for different flags. The id is written in the canonical
/// lower-case hyphenated form and the text is hashed as UTF-8 — the form
/// Unleash's `normalizedValue(id, groupId)` uses. (For the usual ASCII flag
/// names every Unleash SDK agrees; an SDK that hashes UTF-16 code units
/// instead of UTF-8 bytes may bucket a non-ASCII flag name differently.)
///
/// # Example
/// ```
/// use elson_core::flags::bucket;
/// use uuid::Uuid;
/// let user = Uuid::parse_str("6f1c1c3e-2b4a-4c1e-9d3a-0e5b8f7a9c21").unwrap();
/// let b = bucket("new_dashboard", user);
/// assert!((1..=100).contains(&b));
/// ```
pub fn bucket(flag_name: &str, user_id: Uuid) -> u32 {
    // "{flag}:{uuid}" without allocating: a uuid is 36 bytes hyphenated.
    let mut id_buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let id = user_id.hyphenated().encode_lower(&mut id_buf);
    let mut key = Vec::with_capacity(flag_name.len() + 1 + id.len());
    key.extend_from_slice(flag_name.as_bytes());
    key.push(b':');
    key.extend_from_slice(id.as_bytes());
    murmur3_32(&key, BUCKET_SEED) % BUCKET_COUNT + 1
}

/// Whether `flag` is on for `user_id` in `environment` at `now` (DESIGN §9).
///
/// In order: off if the flag is not `enabled`, if it belongs to another
/// environment, or if it has expired (`expires_at ≤ now`); on if the user is
/// in `user_whitelist`; otherwise on when the user's [`bucket`] is at most
/// `user_percentage`. A percentage of 0 (or below) reaches nobody outside the
/// whitelist; 100 (or above) reaches everyone.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use elson_core::entities::FeatureFlag;
/// use elson_core::enums::Environment;
/// use elson_core::flags::is_enabled;
/// use uuid::Uuid;
///
/// let now = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
/// let alice = Uuid::parse_str("6f1c1c3e-2b4a-4c1e-9d3a-0e5b8f7a9c21").unwrap();
/// let mut flag = FeatureFlag {
///     id: Uuid::nil(),
///     flag_name: "new_dashboard".into(),
///     description: None,
///     enabled: true,
///     environment: Environment::Beta,
///     user_percentage: 0,
///     user_whitelist: vec![alice],
///     created_at: now,
///     updated_at: now,
///     created_by: "admin".into(),
///     expires_at: None,
/// };
/// // Whitelisted: on, even at 0 %.
/// assert!(is_enabled(&flag, alice, Environment::Beta, now));
/// // Another environment: off.
/// assert!(!is_enabled(&flag, alice, Environment::Production, now));
/// // Expired at `now`: off.
/// flag.expires_at = Some(now);
/// assert!(!is_enabled(&flag, alice, Environment::Beta, now));
/// ```
pub fn is_enabled(
    flag: &FeatureFlag,
    user_id: Uuid,
    environment: Environment,
    now: DateTime<Utc>,
) -> bool {
    if !flag.enabled || flag.environment != environment {
        return false;
    }
    if flag.expires_at.is_some_and(|expires_at| expires_at <= now) {
        return false;
    }
    if flag.user_whitelist.contains(&user_id) {
        return true;
    }
    if flag.user_percentage <= 0 {
        return false;
    }
    // Percentages above 100 reach everyone; the cast cannot truncate here.
    bucket(&flag.flag_name, user_id) <= flag.user_percentage.unsigned_abs()
}

/// The flags of the BETA environment that are switched on — the data
/// model's "feature flag evaluation" query (`environment = 'BETA' AND
/// enabled`), for a client that loads all flags once and filters locally.
/// Expiry and rollout still need [`is_enabled`] per user.
pub fn beta_flags(flags: &[FeatureFlag]) -> impl Iterator<Item = &FeatureFlag> {
    flags.iter().filter(|f| f.enabled && f.environment == Environment::Beta)
}

/// Names of the flags that are on for `user_id` in `environment` at `now`,
/// in input order — what a client sends to its UI in one call.
pub fn enabled_flag_names(
    flags: &[FeatureFlag],
    user_id: Uuid,
    environment: Environment,
    now: DateTime<Utc>,
) -> Vec<&str> {
    flags
        .iter()
        .filter(|f| is_enabled(f, user_id, environment, now))
        .map(|f| f.flag_name.as_str())
        .collect()
}
