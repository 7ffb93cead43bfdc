//! SQLite WAL checkpoints off the caller's path.
//!
//! Why: in WAL mode SQLite copies the log back into the database file (a
//! *checkpoint*) whenever a commit leaves the log over `wal_autocheckpoint`
//! pages (default 1 000), and it does so inside that commit: the unlucky
//! call pays for copying megabytes and an fsync. With an audited read
//! appending a record every few calls, that landed at the p99 of the
//! seed's queries (2 ms against a 1 ms target).
//!
//! So a file store runs a small task on the Tokio runtime it was opened on
//! that asks for a `PASSIVE` checkpoint every [`INTERVAL`] (a passive
//! checkpoint waits for no reader or writer and blocks none), and raises
//! the foreground threshold to [`FOREGROUND_PAGES`] — a safety net that
//! still bounds the log if the task cannot keep up or its runtime stops
//! running it. Durability does not change: a commit is durable when its
//! log frames are, a checkpoint only moves them.
//!
//! The task ends when the last handle of the store is dropped or the pool
//! is closed. Without a Tokio runtime at open (cannot happen through
//! [`crate::Store::open`], which sqlx runs on Tokio) the store keeps
//! SQLite's own checkpoints.

use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::SqlitePool;
use tokio::sync::oneshot;

/// How often the background task checkpoints.
pub(crate) const INTERVAL: Duration = Duration::from_millis(200);

/// The `wal_autocheckpoint` of the pool's connections while the task runs:
/// 10 000 pages (≈ 40 MiB of log at 4 KiB pages).
pub(crate) const FOREGROUND_PAGES: u32 = 10_000;

/// Keeps the background checkpoint task of one store alive; dropping the
/// last clone of the store drops this and stops the task.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The task may be gone already (pool closed): nothing to stop.
            let _ = stop.send(());
        }
    }
}

/// Whether a checkpoint task can run here: only on a Tokio runtime.
pub(crate) fn available() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

/// Starts the task on the current runtime for `pool`. `None` when there is
/// no runtime (the caller then keeps SQLite's foreground checkpoints).
pub(crate) fn start(pool: SqlitePool) -> Option<Arc<Checkpointer>> {
    let handle = tokio::runtime::Handle::try_current().ok()?;
    let (stop, mut stopped) = oneshot::channel();
    handle.spawn(async move {
        loop {
            // Ready when the store is dropped (sent, or the sender gone).
            if tokio::time::timeout(INTERVAL, &mut stopped).await.is_ok() {
                break;
            }
            if pool.is_closed() {
                break;
            }
            // A failure (a busy lock, a closing pool) only delays the next
            // checkpoint; the foreground threshold still bounds the log.
            let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await;
        }
    });
    Some(Arc::new(Checkpointer { stop: Some(stop) }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::str::FromStr;

    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

    use super::*;

    /// With the foreground threshold raised nothing copies the log into the
    /// file; once the task runs, the file holds every page.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_task_moves_the_log_into_the_file_until_its_store_is_dropped() {
        let dir = std::env::temp_dir().join(format!("elson-ckpt-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let url = format!("sqlite://{}", path.display());
        let connect = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .pragma("wal_autocheckpoint", FOREGROUND_PAGES.to_string());
        let pool = SqlitePoolOptions::new().max_connections(2).connect_with(connect).await.unwrap();
        sqlx::query("CREATE TABLE t (x BLOB)").execute(&pool).await.unwrap();
        for _ in 0..200 {
            sqlx::query("INSERT INTO t VALUES (zeroblob(3000))").execute(&pool).await.unwrap();
        }
        let page = 4096;
        assert!(std::fs::metadata(&path).unwrap().len() < 10 * page, "checkpointed early");
        let task = start(pool.clone()).unwrap();
        let mut size = 0;
        for _ in 0..50 {
            tokio::time::sleep(INTERVAL / 2).await;
            size = std::fs::metadata(&path).unwrap().len();
            if size >= 200 * page {
                break;
            }
        }
        assert!(size >= 200 * page, "the file holds {size} bytes");
        // Dropped with its store, the task checkpoints no more.
        drop(task);
        tokio::time::sleep(INTERVAL).await;
        for _ in 0..100 {
            sqlx::query("INSERT INTO t VALUES (zeroblob(3000))").execute(&pool).await.unwrap();
        }
        tokio::time::sleep(INTERVAL * 3).await;
        assert_eq!(std::fs::metadata(&path).unwrap().len(), size, "checkpointed after the stop");
        pool.close().await;
        std::fs::remove_dir_all(&dir).ok();
    }
}
