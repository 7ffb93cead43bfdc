//! Feature flags (DESIGN §9): the same bucketing as Unleash's gradual
//! rollout, so a phone and a server agree on who sees a feature.

use elson_core::entities::FeatureFlag;
use elson_core::enums::Environment;
use elson_core::flags as core;
use uuid::Uuid;

use crate::Result;
use crate::entities::Checked;
use crate::types::Timestamp;

/// MurmurHash3 x86 32-bit of `data` (`murmur3_32` in the core; renamed
/// because uniffi would spell that `murmur332`).
#[uniffi::export]
pub fn murmur3_hash(data: Vec<u8>, seed: u32) -> u32 {
    core::murmur3_32(&data, seed)
}

/// The user's rollout bucket for a flag, 1–100.
///
/// # Errors
/// `InvalidInput` on a malformed id.
#[uniffi::export]
pub fn flag_bucket(flag_name: String, user_id: Uuid) -> Result<u32> {
    Ok(core::bucket(&flag_name, user_id))
}

/// Whether `flag` is on for `user_id` in `environment` at `now`.
///
/// # Errors
/// `InvalidInput` on a malformed record or id.
#[uniffi::export]
pub fn is_enabled(
    flag: FeatureFlag,
    user_id: Uuid,
    environment: Environment,
    now: Timestamp,
) -> Result<bool> {
    Ok(core::is_enabled(&flag.checked()?, user_id, environment, now))
}

/// The names of the flags that are on for the user.
///
/// # Errors
/// `InvalidInput` on a malformed record or id.
#[uniffi::export]
pub fn enabled_flag_names(
    flags: Vec<FeatureFlag>,
    user_id: Uuid,
    environment: Environment,
    now: Timestamp,
) -> Result<Vec<String>> {
    Ok(core::enabled_flag_names(&flags.checked()?, user_id, environment, now)
        .into_iter()
        .map(str::to_owned)
        .collect())
}
