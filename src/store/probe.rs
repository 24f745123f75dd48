//! The probe's shared state: one-time links (only a hash of the token is stored; redeeming is
//! one atomic update, so a link works once across every replica), rate-limit counters (an
//! atomic upsert per bucket and window) and the audit log (who, when, cloud, tenant, client id,
//! outcome: never a secret or a token), each row written before its probe is sent and
//! completed after.

use sha2::{Digest, Sha256};

use super::{Db, Store, StoreError, with_pool};

/// A link to create.
#[derive(Debug, Clone)]
pub struct NewProbeLink<'a> {
    pub token: &'a str,
    pub platform: &'a str,
    pub user_id: &'a str,
    pub user_name: &'a str,
    pub guide_code: Option<&'a str>,
    /// Where the summary goes back, as the adapter's JSON.
    pub reply: &'a str,
    pub ttl_secs: i64,
}

/// A stored link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeLink {
    pub platform: String,
    pub user_id: String,
    pub user_name: String,
    pub guide_code: Option<String>,
    pub reply: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub at: i64,
    pub platform: String,
    pub user_id: String,
    pub via: String,
    pub cloud: String,
    pub tenant: String,
    pub client_id: String,
    pub outcome: String,
    pub error_code: Option<String>,
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

type LinkRow = (String, String, String, Option<String>, String, i64, Option<i64>);
type AuditTuple = (i64, String, String, String, String, String, String, String, Option<String>);

fn link_of(r: LinkRow) -> ProbeLink {
    let (platform, user_id, user_name, guide_code, reply, expires_at, used_at) = r;
    ProbeLink { platform, user_id, user_name, guide_code, reply, expires_at, used_at }
}

fn audit_of(r: AuditTuple) -> AuditRow {
    let (at, platform, user_id, via, cloud, tenant, client_id, outcome, error_code) = r;
    AuditRow { at, platform, user_id, via, cloud, tenant, client_id, outcome, error_code }
}

const LINK_COLUMNS: &str = "platform, user_id, user_name, guide_code, reply, expires_at, used_at";

impl Store {
    /// Stores a one-time link (its token hashed).
    pub async fn create_probe_link(&self, link: &NewProbeLink<'_>) -> Result<(), StoreError> {
        let now = self.now();
        let sql = "INSERT INTO probe_links (token_hash, platform, user_id, user_name, guide_code, reply, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        with_pool!(&self.db, pool => sqlx::query(sql)
            .bind(token_hash(link.token)).bind(link.platform).bind(link.user_id).bind(link.user_name)
            .bind(link.guide_code).bind(link.reply).bind(now).bind(now.saturating_add(link.ttl_secs))
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// The link if it exists, whatever its state (the page tells expired from used).
    pub async fn probe_link(&self, token: &str) -> Result<Option<ProbeLink>, StoreError> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM probe_links WHERE token_hash = $1");
        let row: Option<LinkRow> =
            with_pool!(&self.db, pool => sqlx::query_as(&sql).bind(token_hash(token)).fetch_optional(pool).await?);
        Ok(row.map(link_of))
    }

    /// Marks the link used if it is unused and unexpired; `None` when it was not (exactly one
    /// caller wins, across replicas).
    pub async fn redeem_probe_link(&self, token: &str) -> Result<Option<ProbeLink>, StoreError> {
        let now = self.now();
        let sql = format!(
            "UPDATE probe_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING {LINK_COLUMNS}"
        );
        let row: Option<LinkRow> = with_pool!(&self.db, pool => sqlx::query_as(&sql).bind(token_hash(token)).bind(now).fetch_optional(pool).await?);
        Ok(row.map(link_of))
    }

    /// Counts one hit in `bucket`'s current window of `window_secs` and returns the hits so far
    /// in that window, this one included. Atomic across replicas.
    pub async fn count_probe_hit(&self, bucket: &str, window_secs: i64) -> Result<i64, StoreError> {
        let window = window_secs.max(1);
        let start = self.now().div_euclid(window) * window;
        let sql = "INSERT INTO probe_rate (bucket, window_start, hits) VALUES ($1, $2, 1) \
                   ON CONFLICT (bucket, window_start) DO UPDATE SET hits = probe_rate.hits + 1 RETURNING hits";
        Ok(
            with_pool!(&self.db, pool => sqlx::query_scalar::<_, i64>(sql).bind(bucket).bind(start).fetch_one(pool).await?),
        )
    }

    /// Deletes rate windows and links older than `older_than_secs`.
    pub async fn purge_probe_state(&self, older_than_secs: i64) -> Result<(), StoreError> {
        let cutoff = self.now().saturating_sub(older_than_secs);
        with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM probe_rate WHERE window_start < $1").bind(cutoff).execute(pool).await?;
            sqlx::query("DELETE FROM probe_links WHERE expires_at < $1").bind(cutoff).execute(pool).await?;
        });
        Ok(())
    }

    /// Writes an audit row before the probe it records is sent (its `at` is the store's clock);
    /// returns its id for [`Store::complete_probe_audit`]. A probe whose row cannot be written is
    /// not run, so no probe reaches Entra unaudited.
    pub async fn begin_probe_audit(&self, row: &AuditRow) -> Result<i64, StoreError> {
        let sql = "INSERT INTO probe_audit (at, platform, user_id, via, cloud, tenant, client_id, outcome, error_code) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        Ok(with_pool!(&self.db, pool => sqlx::query_scalar::<_, i64>(sql)
            .bind(self.now()).bind(&row.platform).bind(&row.user_id).bind(&row.via).bind(&row.cloud)
            .bind(&row.tenant).bind(&row.client_id).bind(&row.outcome).bind(&row.error_code)
            .fetch_one(pool).await?))
    }

    /// Records the outcome of the probe audited as row `id`.
    pub async fn complete_probe_audit(
        &self,
        id: i64,
        outcome: &str,
        error_code: Option<&str>,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE probe_audit SET outcome = $2, error_code = $3 WHERE id = $1";
        with_pool!(&self.db, pool => sqlx::query(sql).bind(id).bind(outcome).bind(error_code).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// The newest audit rows first.
    pub async fn probe_audit(&self, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        let sql = "SELECT at, platform, user_id, via, cloud, tenant, client_id, outcome, error_code \
                   FROM probe_audit ORDER BY id DESC LIMIT $1";
        let rows: Vec<AuditTuple> =
            with_pool!(&self.db, pool => sqlx::query_as(sql).bind(limit).fetch_all(pool).await?);
        Ok(rows.into_iter().map(audit_of).collect())
    }
}
