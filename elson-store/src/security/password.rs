//! Password hashing: bcrypt (`$2b$`), through the `bcrypt` crate.

use elson_core::ElsonError;

/// The cost new hashes use unless [`crate::StoreOptions::bcrypt_cost`] says
/// otherwise: 2¹² rounds, about a quarter of a second per hash on a current
/// core (DESIGN §10: cost ≥ 12).
pub const DEFAULT_BCRYPT_COST: u32 = 12;

/// The lowest cost bcrypt accepts; only for tests.
pub const MIN_BCRYPT_COST: u32 = 4;

/// The highest cost bcrypt accepts.
pub const MAX_BCRYPT_COST: u32 = 31;

/// bcrypt reads at most 72 bytes of a password.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// A `$2b$` bcrypt hash of `password` at `cost`, with a fresh random salt.
/// Other bcrypt implementations (OpenBSD, Python `bcrypt`, …) verify it.
///
/// Passwords longer than 72 bytes are refused rather than silently cut to
/// 72 as bcrypt would.
///
/// # Errors
/// `InvalidInput` on `password` when it is empty or longer than 72 bytes,
/// on `bcrypt_cost` outside 4–31.
///
/// # Example
/// ```
/// use elson_store::security::{hash_password, verify_password};
/// let hash = hash_password("correct horse", 4).unwrap();
/// assert!(hash.starts_with("$2b$04$"));
/// assert!(verify_password("correct horse", &hash).unwrap());
/// assert!(!verify_password("wrong horse", &hash).unwrap());
/// ```
pub fn hash_password(password: &str, cost: u32) -> Result<String, ElsonError> {
    check_password(password)?;
    check_cost(cost)?;
    // At most 72 bytes (checked above), so nothing is cut; 72 exactly is
    // hashed as other implementations do (without the terminating NUL).
    bcrypt::hash(password, cost).map_err(|e| ElsonError::invalid("password", e.to_string()))
}

/// Whether `password` matches a bcrypt `hash` (`$2a$`, `$2b$`, `$2x$` or
/// `$2y$`, any cost), made here or by another implementation.
///
/// The password is refused by the rules of [`hash_password`], never
/// compared: bcrypt reads only the first 72 bytes, so a longer password
/// would match the hash of its first 72 bytes (a different password), and
/// an empty one would match an imported hash of the empty password — a
/// password nobody may set here. Refusing both alike means verify never
/// says yes to a password that hash would have refused.
///
/// # Errors
/// `InvalidInput` on `password` when it is empty or longer than 72 bytes;
/// on `password_hash` when `hash` is not a bcrypt hash.
///
/// ```
/// use elson_store::security::{hash_password, verify_password};
/// let hash = hash_password(&"a".repeat(72), 4).unwrap();
/// assert!(verify_password(&"a".repeat(73), &hash).is_err()); // not "true"
/// assert!(verify_password("", &hash).is_err());
/// ```
pub fn verify_password(password: &str, hash: &str) -> Result<bool, ElsonError> {
    check_password(password)?;
    bcrypt::verify(password, hash).map_err(|e| ElsonError::invalid("password_hash", e.to_string()))
}

/// A password bcrypt can hash and compare whole: 1–72 bytes.
///
/// # Errors
/// `InvalidInput` on `password`, naming the rule.
pub(crate) fn check_password(password: &str) -> Result<(), ElsonError> {
    if password.is_empty() {
        return Err(ElsonError::invalid("password", "must not be empty"));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ElsonError::invalid(
            "password",
            format!("must be at most {MAX_PASSWORD_BYTES} bytes (bcrypt's limit)"),
        ));
    }
    Ok(())
}

/// The cost a bcrypt hash was made with (`$2b$12$…` → 12); `None` for text
/// that is not a bcrypt hash.
pub(crate) fn hash_cost(hash: &str) -> Option<u32> {
    let mut parts = hash.split('$');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(""), Some("2a" | "2b" | "2x" | "2y"), Some(cost)) if cost.len() == 2 => {
            cost.parse().ok()
        }
        _ => None,
    }
}

pub(crate) fn check_cost(cost: u32) -> Result<(), ElsonError> {
    if (MIN_BCRYPT_COST..=MAX_BCRYPT_COST).contains(&cost) {
        Ok(())
    } else {
        Err(ElsonError::invalid(
            "bcrypt_cost",
            format!("{cost} is outside {MIN_BCRYPT_COST}-{MAX_BCRYPT_COST}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cost_is_read_from_the_hash() {
        assert_eq!(
            hash_cost("$2b$12$C6UzMDM.H6dfI/f/IKcEeO5zWJ8f0p1f3hT3q0zT9nN1bqJ2Xb5W."),
            Some(12)
        );
        assert_eq!(hash_cost("$2y$04$abc"), Some(4));
        assert_eq!(hash_cost("not-a-bcrypt-hash"), None);
        assert_eq!(hash_cost("$argon2id$v=19$m=65536"), None);
        assert_eq!(hash_cost("$2b$1$x"), None);
        let h = hash_password("pw", MIN_BCRYPT_COST).unwrap();
        assert_eq!(hash_cost(&h), Some(MIN_BCRYPT_COST));
    }
}
