//! Chat app installations (one row per platform and workspace/tenant): the OAuth install flow
//! saves them, uninstall events delete them, handlers read the bot token. The token is sealed
//! for its row (platform and team) before it is written (see `seal`); without a key nothing is
//! stored. Plain SQL that both
//! SQLite and PostgreSQL accept.

use secrecy::SecretString;

use super::seal::{KeyUsed, Keyring, Row as SealedRow, SealError};
use super::{Db, Store, StoreError, with_pool};

/// One installed workspace. `Debug` never shows the token.
#[derive(Clone)]
pub struct Installation {
    pub platform: String,
    pub team_id: String,
    pub enterprise_id: Option<String>,
    pub bot_user_id: String,
    pub bot_token: SecretString,
    pub scopes: String,
    pub installed_by: String,
}

impl std::fmt::Debug for Installation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Installation")
            .field("platform", &self.platform)
            .field("team_id", &self.team_id)
            .field("bot_user_id", &self.bot_user_id)
            .field("bot_token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

type Row = (String, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);

impl Store {
    /// Saves (or replaces, on reinstall) a workspace's installation.
    pub async fn save_installation(&self, i: &Installation) -> Result<(), StoreError> {
        let sql = "INSERT INTO installations (platform, team_id, enterprise_id, bot_user_id, bot_token, scopes, installed_by, \
                   installed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
                   ON CONFLICT (platform, team_id) DO UPDATE SET enterprise_id = excluded.enterprise_id, \
                   bot_user_id = excluded.bot_user_id, bot_token = excluded.bot_token, scopes = excluded.scopes, \
                   installed_by = excluded.installed_by, updated_at = excluded.updated_at";
        let now = self.now();
        let row = SealedRow { platform: &i.platform, team_id: &i.team_id };
        let sealed = self.keys()?.seal(&i.bot_token, &row)?;
        with_pool!(&self.db, pool => sqlx::query(sql)
            .bind(&i.platform).bind(&i.team_id).bind(&i.enterprise_id).bind(&i.bot_user_id)
            .bind(&sealed).bind(&i.scopes).bind(&i.installed_by).bind(now)
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// The installation of a workspace, if it has one with a token.
    pub async fn installation(&self, platform: &str, team_id: &str) -> Result<Option<Installation>, StoreError> {
        let sql = "SELECT platform, team_id, enterprise_id, bot_user_id, bot_token, scopes, installed_by FROM installations \
                   WHERE platform = $1 AND team_id = $2";
        let row: Option<Row> =
            with_pool!(&self.db, pool => sqlx::query_as(sql).bind(platform).bind(team_id).fetch_optional(pool).await?);
        let Some((platform, team_id, enterprise_id, bot_user_id, token, scopes, installed_by)) = row else {
            return Ok(None);
        };
        let Some(token) = token.filter(|t| !t.is_empty()) else { return Ok(None) };
        // The token was sealed for this row: one copied here from another row does not open.
        let keys = self.keys()?;
        let row = SealedRow { platform: &platform, team_id: &team_id };
        let (bot_token, used) = keys.open(&token, &row)?;
        if used == KeyUsed::Previous {
            // Best effort: the start-up sweep re-seals whatever a failure here leaves behind.
            if let Err(e) = self.reseal_one(keys, &platform, &team_id, &token, &bot_token).await {
                tracing::warn!(error = %e, "re-sealing a workspace token with the current key failed");
            }
        }
        Ok(Some(Installation {
            platform,
            team_id,
            enterprise_id,
            bot_user_id: bot_user_id.unwrap_or_default(),
            bot_token,
            scopes: scopes.unwrap_or_default(),
            installed_by: installed_by.unwrap_or_default(),
        }))
    }

    /// Forgets a workspace (uninstalled, or its tokens revoked); returns whether it was there.
    pub async fn delete_installation(&self, platform: &str, team_id: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM installations WHERE platform = $1 AND team_id = $2";
        let gone = with_pool!(&self.db, pool => sqlx::query(sql).bind(platform).bind(team_id).execute(pool).await?.rows_affected());
        Ok(gone > 0)
    }

    /// Seals every stored token again with the current key; rows only the previous key opens
    /// are rewritten, rows neither key opens are counted and left alone. Safe to run on several
    /// replicas at once: a row is only replaced if it still holds what was read.
    pub async fn reseal_installations(&self) -> Result<Reseal, StoreError> {
        let keys = self.keys()?;
        let sql =
            "SELECT platform, team_id, bot_token FROM installations WHERE bot_token IS NOT NULL AND bot_token <> ''";
        let rows: Vec<(String, String, String)> =
            with_pool!(&self.db, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        let mut report = Reseal::default();
        for (platform, team_id, stored) in rows {
            match keys.open(&stored, &SealedRow { platform: &platform, team_id: &team_id }) {
                Ok((_, KeyUsed::Current)) => report.current += 1,
                Ok((plain, KeyUsed::Previous)) => {
                    self.reseal_one(keys, &platform, &team_id, &stored, &plain).await?;
                    report.resealed += 1;
                }
                Err(_) => report.unreadable += 1,
            }
        }
        Ok(report)
    }

    fn keys(&self) -> Result<&Keyring, SealError> {
        self.sealer.as_ref().ok_or(SealError::NoKey)
    }

    async fn reseal_one(
        &self,
        keys: &Keyring,
        platform: &str,
        team_id: &str,
        stored: &str,
        plain: &SecretString,
    ) -> Result<(), StoreError> {
        let sealed = keys.seal(plain, &SealedRow { platform, team_id })?;
        let sql = "UPDATE installations SET bot_token = $1 WHERE platform = $2 AND team_id = $3 AND bot_token = $4";
        with_pool!(&self.db, pool => sqlx::query(sql).bind(&sealed).bind(platform).bind(team_id).bind(stored)
            .execute(pool).await?.rows_affected());
        Ok(())
    }
}

/// What [`Store::reseal_installations`] found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reseal {
    /// Already sealed with the current key.
    pub current: u64,
    /// Opened with the previous key and sealed again with the current one.
    pub resealed: u64,
    /// Opened by neither key (sealed with some other key): left as they are.
    pub unreadable: u64,
}
