//! Key rotation and re-sealing of plain-text rows, in batches, online.

use uuid::Uuid;

use super::auth::wrapped_key;
use super::error::CryptoError;
use crate::actor::Actor;
use crate::db::{Arg, text, uuid};
use crate::error::{StoreError, StoreResult};
use crate::pii::PiiField;
use crate::store::Store;

const ROTATE_FIRST: &str = "SELECT id, pii_kek_id, pii_data_key FROM users \
     WHERE pii_kek_id <> $1 ORDER BY id LIMIT $2";
const ROTATE_NEXT: &str = "SELECT id, pii_kek_id, pii_data_key FROM users \
     WHERE pii_kek_id <> $1 AND id > $3 ORDER BY id LIMIT $2";
/// Compare-and-set: a row rewritten meanwhile (it then has a new data key
/// under the current key already) is left alone.
const REWRAP: &str = "UPDATE users SET pii_kek_id = $2, pii_data_key = $3 \
     WHERE id = $1 AND pii_kek_id = $4 AND pii_data_key = $5";
const KEY_USAGE: &str = "SELECT pii_kek_id AS key_id, count(*) AS n FROM users \
     WHERE pii_kek_id IS NOT NULL GROUP BY pii_kek_id ORDER BY pii_kek_id";
const PLAIN_FIRST: &str = "SELECT id, first_name, last_name, date_of_birth, two_factor_secret \
     FROM users WHERE pii_kek_id IS NULL ORDER BY id LIMIT $1";
const PLAIN_NEXT: &str = "SELECT id, first_name, last_name, date_of_birth, two_factor_secret \
     FROM users WHERE pii_kek_id IS NULL AND id > $2 ORDER BY id LIMIT $1";
/// Compare-and-set on every value read, so a concurrent plain-text write is
/// never overwritten with stale values.
const RESEAL: &str = "UPDATE users SET first_name = $2, last_name = $3, date_of_birth = $4, \
     two_factor_secret = $5, pii_kek_id = $6, pii_data_key = $7 \
     WHERE id = $1 AND pii_kek_id IS NULL AND first_name IS NOT DISTINCT FROM $8 \
     AND last_name IS NOT DISTINCT FROM $9 AND date_of_birth IS NOT DISTINCT FROM $10 \
     AND two_factor_secret IS NOT DISTINCT FROM $11";

const PII_COLUMNS: [&str; 4] = ["first_name", "last_name", "date_of_birth", "two_factor_secret"];

/// What a rotation (or a re-seal) pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRotationReport {
    /// The key-encryption key rows were moved to.
    pub current_key_id: String,
    /// Rows whose data key was re-wrapped (or, for a re-seal, encrypted).
    pub rewrapped: u64,
    /// Rows changed by another writer between read and update and so left
    /// alone (they were written under the current key already).
    pub changed_concurrently: u64,
    /// Rows that could not be re-wrapped, with why (an unknown or wrong
    /// key, a malformed key column). Every other row was still processed.
    pub failed: Vec<(Uuid, CryptoError)>,
    /// Batches (transactions) used.
    pub batches: u64,
}

fn check_batch(batch_size: u32) -> StoreResult<i64> {
    if (1..=10_000).contains(&batch_size) {
        Ok(i64::from(batch_size))
    } else {
        Err(StoreError::Domain(elson_core::ElsonError::invalid(
            "batch_size",
            "must be between 1 and 10000",
        )))
    }
}

impl Store {
    /// Re-wraps, in batches of `batch_size` rows (one short transaction
    /// each), every row data key that is not under the key provider's
    /// current key. Column ciphertexts are not touched. Reads keep working
    /// throughout, since the provider still holds the old key; once
    /// [`Store::pii_key_usage`] lists only the current key, the old key can
    /// be removed from the provider.
    ///
    /// Typical use: add the new key to the provider and make it current,
    /// reopen with [`Store::with_key_provider`], call this, then drop the
    /// old key.
    ///
    /// # Errors
    /// `Crypto(NoKeyProvider)` without a key provider; `InvalidInput` for a
    /// batch size outside 1–10000; storage failures. Rows that fail to
    /// re-wrap are reported in [`KeyRotationReport::failed`], not as an
    /// error.
    pub async fn rotate_pii_keys(
        &self,
        actor: &Actor,
        batch_size: u32,
    ) -> StoreResult<KeyRotationReport> {
        let r = self.rotate_inner(batch_size).await;
        self.audited(actor, "rotate_keys", "users", None, r)
    }

    async fn rotate_inner(&self, batch_size: u32) -> StoreResult<KeyRotationReport> {
        const OP: &str = "users.rotate_pii_keys";
        let limit = check_batch(batch_size)?;
        let current = self
            .pii()
            .current_key_id()?
            .ok_or(CryptoError::NoKeyProvider { operation: "rotate_pii_keys" })?;
        let mut report =
            KeyRotationReport { current_key_id: current.clone(), ..Default::default() };
        let mut after: Option<Uuid> = None;
        loop {
            let rows = match after {
                None => {
                    self.query_all(OP, ROTATE_FIRST, &[text(&current), Arg::I64(limit)]).await?
                }
                Some(last) => {
                    self.query_all(OP, ROTATE_NEXT, &[text(&current), Arg::I64(limit), uuid(last)])
                        .await?
                }
            };
            let Some(last_row) = rows.last() else { break };
            after = Some(last_row.uuid("id")?);
            // Crypto first, outside the write lock.
            let mut updates = Vec::with_capacity(rows.len());
            for row in &rows {
                let id = row.uuid("id")?;
                let old = match wrapped_key(row, id) {
                    Ok(Some(k)) => k,
                    Ok(None) => continue,
                    Err(StoreError::Crypto(e)) => {
                        report.failed.push((id, e));
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                match self.pii().rewrap(id, &old) {
                    Ok(new) => updates.push((id, old, new)),
                    Err(e) => report.failed.push((id, e)),
                }
            }
            let mut tx = self.begin_write(OP).await?;
            for (id, old, new) in &updates {
                let args = [
                    uuid(*id),
                    text(&new.key_id),
                    text(&new.wrapped),
                    text(&old.key_id),
                    text(&old.wrapped),
                ];
                match tx.conn().execute(OP, REWRAP, &args).await? {
                    0 => report.changed_concurrently += 1,
                    _ => report.rewrapped += 1,
                }
            }
            tx.commit(OP).await?;
            report.batches += 1;
            if (rows.len() as i64) < limit {
                break;
            }
        }
        Ok(report)
    }

    /// How many rows have their data key under each key-encryption key,
    /// by key id. Rows without a data key (plain text) are not counted.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn pii_key_usage(&self, actor: &Actor) -> StoreResult<Vec<(String, i64)>> {
        let r = async {
            let rows = self.query_all("users.pii_key_usage", KEY_USAGE, &[]).await?;
            rows.iter().map(|r| Ok((r.text("key_id")?, r.i64("n")?))).collect()
        }
        .await;
        self.audited(actor, "query", "users", None, r)
    }

    /// Encrypts, in batches, the rows written in plain text before a key
    /// provider was configured (`pii_kek_id IS NULL`): each gets a data key
    /// under the current key and its PII columns sealed. Safe to run while
    /// the application serves: each update is a compare-and-set on the
    /// values it read.
    ///
    /// # Errors
    /// `Crypto(NoKeyProvider)` without a key provider; `InvalidInput` for a
    /// batch size outside 1–10000; storage failures.
    pub async fn reseal_plaintext_users(
        &self,
        actor: &Actor,
        batch_size: u32,
    ) -> StoreResult<KeyRotationReport> {
        let r = self.reseal_inner(batch_size).await;
        self.audited(actor, "reseal", "users", None, r)
    }

    async fn reseal_inner(&self, batch_size: u32) -> StoreResult<KeyRotationReport> {
        const OP: &str = "users.reseal_plaintext_users";
        let limit = check_batch(batch_size)?;
        let current = self
            .pii()
            .current_key_id()?
            .ok_or(CryptoError::NoKeyProvider { operation: "reseal_plaintext_users" })?;
        let mut report = KeyRotationReport { current_key_id: current, ..Default::default() };
        let mut after: Option<Uuid> = None;
        loop {
            let rows = match after {
                None => self.query_all(OP, PLAIN_FIRST, &[Arg::I64(limit)]).await?,
                Some(last) => {
                    self.query_all(OP, PLAIN_NEXT, &[Arg::I64(limit), uuid(last)]).await?
                }
            };
            let Some(last_row) = rows.last() else { break };
            after = Some(last_row.uuid("id")?);
            let mut updates = Vec::with_capacity(rows.len());
            for row in &rows {
                let id = row.uuid("id")?;
                let mut plain = Vec::with_capacity(PII_COLUMNS.len());
                for column in PII_COLUMNS {
                    plain.push(row.opt_text(column)?);
                }
                let mut fields: Vec<PiiField> = PII_COLUMNS
                    .iter()
                    .zip(&plain)
                    .map(|(column, value)| PiiField { column, value: value.clone() })
                    .collect();
                match self.pii().seal_row(id, &mut fields)? {
                    Some(key) => updates.push((id, plain, fields, key)),
                    None => {
                        return Err(CryptoError::NoKeyProvider {
                            operation: "reseal_plaintext_users",
                        }
                        .into());
                    }
                }
            }
            let mut tx = self.begin_write(OP).await?;
            for (id, plain, sealed, key) in &updates {
                let mut args = vec![uuid(*id)];
                args.extend(sealed.iter().map(|f| Arg::Text(f.value.as_deref())));
                args.push(text(&key.key_id));
                args.push(text(&key.wrapped));
                args.extend(plain.iter().map(|v| Arg::Text(v.as_deref())));
                match tx.conn().execute(OP, RESEAL, &args).await? {
                    0 => report.changed_concurrently += 1,
                    _ => report.rewrapped += 1,
                }
            }
            tx.commit(OP).await?;
            report.batches += 1;
            if (rows.len() as i64) < limit {
                break;
            }
        }
        Ok(report)
    }
}
