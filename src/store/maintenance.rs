//! Keeping the database in shape: the query log's retention purge and the SQLite online backup.
//! PostgreSQL is backed up with its own tools (`pg_dump`), which see a consistent snapshot of a
//! live database; docs/operations.md has both procedures and the restore.
//!
//! Owns the SQL of both; knows nothing of when they run (the app schedules the purge, the CLI
//! runs the backup).

use std::path::Path;

use super::{Db, Store, StoreError, with_pool};

/// Seconds in a day.
const DAY: i64 = 86_400;

impl Store {
    /// Deletes query-log rows older than `days` days (by the store's clock) and returns how many
    /// went; `0` keeps every row. Feedback votes, installs and probe audit rows are untouched.
    pub async fn purge_query_log(&self, days: u32) -> Result<u64, StoreError> {
        if days == 0 {
            return Ok(0);
        }
        let before = self.now().saturating_sub(i64::from(days) * DAY);
        let sql = "DELETE FROM query_log WHERE at < $1";
        Ok(with_pool!(&self.db, pool => sqlx::query(sql).bind(before).execute(pool).await?.rows_affected()))
    }

    /// Writes a consistent copy of a SQLite database to `out` while the service keeps running
    /// (`VACUUM INTO`: one read transaction, no writer is blocked for long). `out` must not exist.
    /// A PostgreSQL store answers [`StoreError::BackupNeedsPgDump`].
    pub async fn backup_to(&self, out: &Path) -> Result<(), StoreError> {
        let Db::Sqlite(pool) = &self.db else {
            return Err(StoreError::BackupNeedsPgDump);
        };
        if out.exists() {
            return Err(StoreError::BackupExists(out.to_path_buf()));
        }
        let target = out.to_string_lossy().into_owned();
        sqlx::query("VACUUM INTO $1").bind(target).execute(pool).await?;
        Ok(())
    }
}
