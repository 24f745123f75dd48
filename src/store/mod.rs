//! Persistence: the only module that knows sqlx. A SQLite file by default (created on first
//! start), PostgreSQL when the database URL is `postgres://...` so several replicas can share
//! installs, feedback, the query log and event de-duplication.
//!
//! Owns the schema (embedded migrations under migrations/), the queries, redaction of logged
//! text ([`redact`]), the off-request-path query log writer ([`QueryLog`]), the retention purge
//! and the SQLite online backup, and sealing tokens at rest ([`seal`], with key rotation).
//! Knows nothing of HTTP, answers' shapes or any chat platform's payloads: callers pass plain
//! values.

mod channels;
mod installations;
mod maintenance;
mod probe;
mod query_log;
pub mod redact;
pub mod seal;
mod stats;
mod support_stats;

use std::borrow::Cow;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use sha2::{Digest, Sha256};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use channels::{AnswerMode, ChannelAnswer, ChannelSettings, EscalationTarget, Outcome, Resolution, ResolutionRow};
pub use installations::{Installation, Reseal};
pub use probe::{AuditRow, NewProbeLink, ProbeLink};
pub use query_log::{QueryLog, QueryRecord};
pub use stats::{AdminStats, GuideRating};
pub use support_stats::{ChannelSupport, GuideSupport, SupportStats};

/// A store failure. The message names what failed, never a URL's password or a row's text.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("feedback vote must be 1 or -1")]
    BadVote,
    #[error(transparent)]
    Seal(#[from] seal::SealError),
    #[error("errkb backup copies SQLite databases; back PostgreSQL up with pg_dump (see docs/operations.md)")]
    BackupNeedsPgDump,
    #[error("{} already exists: choose a new file for the backup", .0.display())]
    BackupExists(std::path::PathBuf),
    #[error("the system random generator failed")]
    Random,
}

/// The clock the store stamps rows with: Unix seconds. Injectable for tests.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64))
}

#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same generic sqlx code against whichever pool the store has.
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Db,
    clock: Clock,
    sealer: Option<seal::Keyring>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend()).finish_non_exhaustive()
    }
}

const SQLITE_INIT: &str = include_str!("../../migrations/sqlite/0001_init.sql");
const POSTGRES_INIT: &str = include_str!("../../migrations/postgres/0001_init.sql");
const SQLITE_HITS: &str = include_str!("../../migrations/sqlite/0002_query_log_hits.sql");
const POSTGRES_HITS: &str = include_str!("../../migrations/postgres/0002_query_log_hits.sql");
const SQLITE_PROBE: &str = include_str!("../../migrations/sqlite/0003_probe.sql");
const POSTGRES_PROBE: &str = include_str!("../../migrations/postgres/0003_probe.sql");
const SQLITE_CHANNELS: &str = include_str!("../../migrations/sqlite/0004_channels.sql");
const POSTGRES_CHANNELS: &str = include_str!("../../migrations/postgres/0004_channels.sql");
const SQLITE_SECRETS: &str = include_str!("../../migrations/sqlite/0005_service_secrets.sql");
const POSTGRES_SECRETS: &str = include_str!("../../migrations/postgres/0005_service_secrets.sql");

/// The embedded migrations of one backend, in order.
fn migrator(steps: [&'static str; 5]) -> Migrator {
    let names = ["init", "query log hits", "probe", "channels", "service secrets"];
    let migrations = (1..).zip(names).zip(steps).map(|((version, name), sql)| {
        Migration::new(version, Cow::Borrowed(name), MigrationType::Simple, Cow::Borrowed(sql), false)
    });
    Migrator { migrations: Cow::Owned(migrations.collect()), ..Migrator::DEFAULT }
}

impl Store {
    /// Connects to `url` (`sqlite:PATH` or `postgres://...`, a SQLite file is created on first
    /// start) and applies the migrations.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let store = Store::open(url, true).await?;
        match &store.db {
            Db::Postgres(pool) => {
                migrator([POSTGRES_INIT, POSTGRES_HITS, POSTGRES_PROBE, POSTGRES_CHANNELS, POSTGRES_SECRETS])
                    .run(pool)
                    .await
            }
            Db::Sqlite(pool) => {
                migrator([SQLITE_INIT, SQLITE_HITS, SQLITE_PROBE, SQLITE_CHANNELS, SQLITE_SECRETS]).run(pool).await
            }
        }
        .map_err(StoreError::Migrate)?;
        Ok(store)
    }

    /// Opens an existing database as it is: nothing is created or migrated (for backups, which
    /// must copy what the running version wrote).
    pub async fn open_existing(url: &str) -> Result<Store, StoreError> {
        Store::open(url, false).await
    }

    async fn open(url: &str, create: bool) -> Result<Store, StoreError> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(Duration::from_secs(3))
                .connect(url)
                .await
                .map_err(StoreError::Connect)?;
            Db::Postgres(pool)
        } else {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(StoreError::Connect)?
                .create_if_missing(create)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(3))
                .connect_with(options)
                .await
                .map_err(StoreError::Connect)?;
            Db::Sqlite(pool)
        };
        Ok(Store { db, clock: system_clock(), sealer: None })
    }

    /// The same store with another clock.
    pub fn with_clock(self, clock: Clock) -> Store {
        Store { clock, ..self }
    }

    /// Seals chat tokens at rest with `key` (`ERRKB_TOKEN_ENCRYPTION_KEY`, 32 bytes as base64 or
    /// hex; anything else is refused); without one, installations cannot be saved.
    pub fn with_token_key(self, key: Option<&SecretString>) -> Result<Store, StoreError> {
        self.with_token_keys(key, None)
    }

    /// [`Store::with_token_key`] during a rotation: `previous` (`ERRKB_TOKEN_ENCRYPTION_KEY_PREVIOUS`,
    /// the same format) still opens rows sealed before it; they are sealed again with `key` when
    /// read, and all at once by [`Store::reseal_installations`].
    pub fn with_token_keys(
        self,
        key: Option<&SecretString>,
        previous: Option<&SecretString>,
    ) -> Result<Store, StoreError> {
        let current = key.map(seal::Sealer::new).transpose()?;
        let previous = previous.map(seal::Sealer::new).transpose()?;
        let sealer = current.map(|c| seal::Keyring::new(c, previous));
        Ok(Store { sealer, ..self })
    }

    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        with_pool!(&self.db, pool => sqlx::query("SELECT 1").execute(pool).await.is_ok())
    }

    /// Claims a chat event for this replica: true exactly once per `(platform, event_id)` until
    /// the claim expires after `ttl`, across every replica sharing the database.
    pub async fn claim_event(&self, platform: &str, event_id: &str, ttl: Duration) -> Result<bool, StoreError> {
        let now = self.now();
        let expires = now.saturating_add(ttl.as_secs() as i64);
        let sql = "INSERT INTO event_dedup (platform, event_id, claimed_at, expires_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (platform, event_id) DO UPDATE SET claimed_at = excluded.claimed_at, \
                   expires_at = excluded.expires_at WHERE event_dedup.expires_at <= $3";
        let done = with_pool!(&self.db, pool => sqlx::query(sql).bind(platform).bind(event_id).bind(now).bind(expires).execute(pool).await?.rows_affected());
        Ok(done == 1)
    }

    /// This installation's user-hash salt: made at random (256 bits) by the first replica that
    /// asks and kept in the database, so every replica and every restart hashes alike.
    pub async fn installation_salt(&self) -> Result<SecretString, StoreError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| StoreError::Random)?;
        let fresh: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let insert = "INSERT INTO service_secrets (name, value, created_at) VALUES ($1, $2, $3) \
                      ON CONFLICT (name) DO NOTHING";
        let select = "SELECT value FROM service_secrets WHERE name = $1";
        let now = self.now();
        let salt: String = with_pool!(&self.db, pool => {
            sqlx::query(insert).bind(SALT_NAME).bind(&fresh).bind(now).execute(pool).await?;
            sqlx::query_scalar(select).bind(SALT_NAME).fetch_one(pool).await?
        });
        Ok(SecretString::from(salt))
    }

    /// Deletes expired event claims; returns how many went.
    pub async fn purge_expired_events(&self) -> Result<u64, StoreError> {
        let now = self.now();
        let sql = "DELETE FROM event_dedup WHERE expires_at <= $1";
        Ok(with_pool!(&self.db, pool => sqlx::query(sql).bind(now).execute(pool).await?.rows_affected()))
    }

    /// Records a helpful (`1`) or unhelpful (`-1`) vote; a user's later vote on the same answer
    /// replaces the earlier one. `user_hash` comes from [`hash_user`].
    pub async fn record_feedback(&self, vote: &Feedback<'_>) -> Result<(), StoreError> {
        if vote.vote != 1 && vote.vote != -1 {
            return Err(StoreError::BadVote);
        }
        let sql = "INSERT INTO feedback (at, answer_id, guide_code, vote, platform, user_hash) VALUES ($1, $2, $3, $4, $5, $6) \
                   ON CONFLICT (answer_id, user_hash) DO UPDATE SET vote = excluded.vote, at = excluded.at";
        let now = self.now();
        with_pool!(&self.db, pool => sqlx::query(sql)
            .bind(now).bind(vote.answer_id).bind(vote.guide_code).bind(vote.vote).bind(vote.platform).bind(&vote.user_hash)
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Writes already-redacted query rows in one transaction, each counting once.
    pub async fn insert_queries(&self, rows: &[QueryRecord]) -> Result<(), StoreError> {
        let counted: Vec<(QueryRecord, i64)> = rows.iter().map(|r| (r.clone(), 1)).collect();
        self.insert_query_counts(&counted).await
    }

    /// Writes already-redacted query rows in one transaction; each row stands for `hits`
    /// identical queries.
    pub async fn insert_query_counts(&self, rows: &[(QueryRecord, i64)]) -> Result<(), StoreError> {
        let sql = "INSERT INTO query_log (at, day, platform, query, detected_code, answer_kind, guide_code, hits) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        with_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            for (r, hits) in rows {
                sqlx::query(sql).bind(r.at).bind(day_of(r.at)).bind(&r.platform).bind(&r.query)
                    .bind(&r.detected_code).bind(&r.answer_kind).bind(&r.guide_code).bind(*hits)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// How many queries are stored, counting folded rows by their hits.
    pub async fn query_count(&self) -> Result<i64, StoreError> {
        let sql = "SELECT CAST(COALESCE(SUM(hits), 0) AS BIGINT) FROM query_log";
        Ok(with_pool!(&self.db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?))
    }

    /// The rows of the query log, newest first (for tests and audits).
    pub async fn recent_queries(&self, limit: i64) -> Result<Vec<QueryRecord>, StoreError> {
        let sql = "SELECT at, platform, query, detected_code, answer_kind, guide_code FROM query_log ORDER BY id DESC LIMIT $1";
        let rows: Vec<QueryRow> = with_pool!(&self.db, pool => sqlx::query_as(sql).bind(limit).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(at, platform, query, detected_code, answer_kind, guide_code)| QueryRecord {
                at,
                platform,
                query,
                detected_code,
                answer_kind,
                guide_code,
            })
            .collect())
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        with_pool!(&self.db, pool => pool.close().await)
    }
}

/// The `service_secrets` row of the user-hash salt.
const SALT_NAME: &str = "user_hash_salt";

/// A query log row as selected: at, platform, query, code, kind, guide.
type QueryRow = (i64, String, String, Option<String>, String, Option<String>);

/// One feedback vote.
#[derive(Debug, Clone)]
pub struct Feedback<'a> {
    pub answer_id: &'a str,
    pub guide_code: &'a str,
    pub vote: i64,
    pub platform: &'a str,
    pub user_hash: String,
}

/// A stable, salted SHA-256 of a platform user id: the store never keeps the id itself.
pub fn hash_user(salt: &str, platform: &str, user_id: &str) -> String {
    let digest = Sha256::new()
        .chain_update(salt)
        .chain_update([0])
        .chain_update(platform)
        .chain_update([0])
        .chain_update(user_id)
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// `YYYY-MM-DD` (UTC) of a Unix time, without a date library (Hinnant's civil-from-days).
pub fn day_of(unix: i64) -> String {
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_calendar_dates() {
        assert_eq!(day_of(0), "1970-01-01");
        assert_eq!(day_of(951_782_400), "2000-02-29");
        assert_eq!(day_of(1_795_910_399), "2026-11-28");
    }

    #[test]
    fn user_hashes_are_stable_salted_and_opaque() {
        let a = hash_user("salt", "slack", "U123");
        assert_eq!(a, hash_user("salt", "slack", "U123"));
        assert_ne!(a, hash_user("other", "slack", "U123"));
        assert_ne!(a, hash_user("salt", "teams", "U123"));
        assert_eq!(a.len(), 64);
        assert!(!a.contains("U123"));
    }
}
