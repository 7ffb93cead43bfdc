//! Monthly partitions of `trades` and `volatility_regimes` on PostgreSQL
//! (migration 11), created ahead of time by [`Store::ensure_partitions`].
//!
//! Both tables also have a DEFAULT partition, so an insert never fails for
//! want of a month; a row written there before its month existed is moved
//! into the month's partition when that partition is created.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use sqlx::Row;

use crate::actor::Actor;
use crate::db::map_err;
use crate::error::{StoreError, StoreResult};
use crate::store::{Store, Tx};

/// The range-partitioned tables and their partition keys.
const RANGE_PARTITIONED: &[(&str, &str)] =
    &[("trades", "created_at"), ("volatility_regimes", "timestamp")];

/// What to redo after rows of `table` moved out of DEFAULT into a new
/// partition `{partition}`: the move deletes them from DEFAULT (firing the
/// delete triggers) and copies them into a table that is not yet a partition
/// (firing none), so the pending-approval copy of `trades` (migration 14)
/// takes the moved PENDING rows back.
fn after_move(table: &str, partition: &str) -> Option<String> {
    (table == "trades").then(|| {
        format!(
            "INSERT INTO trades_pending_approval SELECT * FROM {partition} \
             WHERE guardian_approval = 'PENDING' ON CONFLICT (id) DO NOTHING"
        )
    })
}

/// One partition [`Store::ensure_partitions`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionCreated {
    /// The partitioned table (`trades`, `volatility_regimes`).
    pub table: &'static str,
    /// The new partition, `<table>_YYYY_MM`.
    pub partition: String,
    /// First day of its month (the range is that month, UTC).
    pub month: NaiveDate,
    /// Rows moved into it from the DEFAULT partition.
    pub rows_moved: u64,
}

const OP: &str = "partitions.ensure";

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn utc_midnight(d: NaiveDate) -> String {
    // Composed only from a date this function formats: never from input text.
    format!("{} 00:00:00+00", d.format("%Y-%m-%d"))
}

impl Store {
    /// Creates the monthly partitions of `trades` and `volatility_regimes`
    /// for the month of `from` and the `months_ahead` months after it, and
    /// returns the ones it created (none when they all exist: idempotent).
    /// Rows already sitting in a table's DEFAULT partition for a month being
    /// created are moved into the new partition in the same transaction
    /// (PostgreSQL refuses a partition whose range matches rows in DEFAULT).
    /// Run it from a scheduler, e.g. daily with `months_ahead = 3`, as the
    /// owner of the tables (the migration role).
    ///
    /// SQLite has no partitions: this returns an empty list and writes
    /// nothing.
    ///
    /// # Errors
    /// `InvalidInput` when the range runs past the last representable date
    /// (nothing is created); `Storage` when the database refuses the DDL (e.g. a role that does
    /// not own the tables); each month is its own transaction, so months
    /// created before the failure stay.
    ///
    /// # Example
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use elson_store::{Store, system_actor};
    /// let store = Store::open("sqlite::memory:").await.unwrap();
    /// let created = store.ensure_partitions(&system_actor(), chrono::Utc::now(), 3).await.unwrap();
    /// assert!(created.is_empty()); // SQLite: nothing to partition
    /// # });
    /// ```
    pub async fn ensure_partitions(
        &self,
        actor: &Actor,
        from: DateTime<Utc>,
        months_ahead: u32,
    ) -> StoreResult<Vec<PartitionCreated>> {
        let r = async {
            let mut created = Vec::new();
            if self.backend() == crate::Backend::Sqlite {
                return Ok(created);
            }
            let first = month_start(from.date_naive());
            let months: Option<Vec<NaiveDate>> =
                (0..=months_ahead).map(|k| first.checked_add_months(Months::new(k + 1))).collect();
            if months.is_none() {
                return Err(StoreError::Domain(elson_core::ElsonError::invalid(
                    "months_ahead",
                    "goes past the last representable date",
                )));
            }
            for k in 0..=months_ahead {
                let month = first.checked_add_months(Months::new(k)).unwrap_or(first);
                for (table, key) in RANGE_PARTITIONED {
                    let mut tx = self.begin_write(OP).await?;
                    if let Some(c) = self.create_month(&mut tx, table, key, month).await? {
                        tx.commit(OP).await?;
                        created.push(c);
                    }
                }
            }
            Ok(created)
        }
        .await;
        self.audited(actor, "ensure_partitions", "partitions", None, r)
    }

    /// Creates one month's partition of `table` inside `tx` unless it exists.
    async fn create_month(
        &self,
        tx: &mut Tx,
        table: &'static str,
        key: &'static str,
        month: NaiveDate,
    ) -> StoreResult<Option<PartitionCreated>> {
        let Tx::Pg(t) = tx else { return Ok(None) };
        let conn: &mut sqlx::PgConnection = t;
        let partition = format!("{table}_{}", month.format("%Y_%m"));
        // The DEFAULT partition is locked first: no row for this month can
        // land there between the move and the ATTACH (which checks it), and
        // a concurrent ensure_partitions waits here, then sees the partition.
        let lock = format!("LOCK TABLE {table}_default IN ACCESS EXCLUSIVE MODE");
        sqlx::raw_sql(sqlx::AssertSqlSafe(lock))
            .execute(&mut *conn)
            .await
            .map_err(|e| map_err(OP, e))?;
        let exists: bool = sqlx::query("SELECT to_regclass($1) IS NOT NULL AS e")
            .bind(&partition)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| map_err(OP, e))?
            .try_get("e")
            .map_err(|e| map_err(OP, e))?;
        if exists {
            return Ok(None);
        }
        let next = month.checked_add_months(Months::new(1)).unwrap_or(month);
        let (lo, hi) = (utc_midnight(month), utc_midnight(next));
        // Names and bounds are this crate's constants and formatted dates.
        let default = format!("{table}_default");
        let steps = [
            format!(
                "CREATE TABLE {partition} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS \
                 INCLUDING STORAGE INCLUDING COMMENTS)"
            ),
            format!(
                "WITH moved AS (DELETE FROM {default} WHERE {key} >= '{lo}' AND {key} < '{hi}' \
                 RETURNING *) INSERT INTO {partition} SELECT * FROM moved"
            ),
            format!(
                "ALTER TABLE {table} ATTACH PARTITION {partition} FOR VALUES FROM ('{lo}') TO ('{hi}')"
            ),
        ];
        let mut rows_moved = 0;
        let steps = steps.into_iter().chain(after_move(table, &partition));
        for (i, sql) in steps.enumerate() {
            let done = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await
                .map_err(|e| map_err(OP, e))?;
            if i == 1 {
                rows_moved = done.rows_affected();
            }
        }
        Ok(Some(PartitionCreated { table, partition, month, rows_moved }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_bounds() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(month_start(d), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(utc_midnight(month_start(d)), "2026-12-01 00:00:00+00");
    }
}
