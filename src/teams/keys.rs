//! The Bot Framework signing-key cache: OpenID metadata, then its `jwks_uri`, kept with each key's
//! `endorsements` (the channels it may sign for), which generic JWKS types drop.
//!
//! Policy (the spec and the reference SDKs): keys are refreshed when older than a day; an unknown
//! key id triggers a refresh at most once an hour; a failed refresh (metadata outage) keeps the
//! keys already held. Only RSA keys are kept. Knows nothing of tokens or activities.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

use super::clock::Clock;

pub const REFRESH_EVERY_SECS: u64 = 24 * 3600;
pub const UNKNOWN_KID_REFRESH_SECS: u64 = 3600;

/// One RSA signing key and the channels it is endorsed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKey {
    pub kid: String,
    pub n: String,
    pub e: String,
    pub endorsements: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("cannot fetch {what}: {source}")]
    Fetch { what: &'static str, source: reqwest::Error },
    #[error("{what} answered HTTP {status}")]
    Status { what: &'static str, status: u16 },
}

#[derive(Deserialize)]
struct Metadata {
    jwks_uri: String,
}

#[derive(Deserialize)]
struct Jwks {
    #[serde(default)]
    keys: Vec<RawKey>,
}

#[derive(Deserialize)]
struct RawKey {
    kty: Option<String>,
    kid: Option<String>,
    n: Option<String>,
    e: Option<String>,
    #[serde(default)]
    endorsements: Vec<String>,
}

#[derive(Default)]
struct State {
    keys: HashMap<String, Arc<SigningKey>>,
    /// When keys were last fetched successfully.
    fetched_at: Option<u64>,
    /// When a refresh was last attempted, successful or not.
    tried_at: Option<u64>,
}

/// Keys from one OpenID metadata URL.
pub struct KeyCache {
    http: reqwest::Client,
    metadata_url: String,
    clock: Clock,
    state: RwLock<State>,
    refreshing: Mutex<()>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").field("metadata_url", &self.metadata_url).finish_non_exhaustive()
    }
}

impl KeyCache {
    pub fn new(metadata_url: impl Into<String>, clock: Clock) -> KeyCache {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        KeyCache {
            http,
            metadata_url: metadata_url.into(),
            clock,
            state: RwLock::default(),
            refreshing: Mutex::new(()),
        }
    }

    /// The key with this id, refreshing as the policy allows. `None` when it is not known.
    pub async fn get(&self, kid: &str) -> Option<Arc<SigningKey>> {
        let now = self.clock.now();
        let stale = self.state.read().await.fetched_at.is_none_or(|t| now.saturating_sub(t) >= REFRESH_EVERY_SECS);
        if stale {
            self.refresh_if(|s| {
                s.fetched_at.is_none_or(|t| now.saturating_sub(t) >= REFRESH_EVERY_SECS) && tried_long_ago(s, now, 60)
            })
            .await;
        }
        if let Some(key) = self.state.read().await.keys.get(kid) {
            return Some(key.clone());
        }
        self.refresh_if(|s| !s.keys.contains_key(kid) && tried_long_ago(s, now, UNKNOWN_KID_REFRESH_SECS)).await;
        self.state.read().await.keys.get(kid).cloned()
    }

    /// Refreshes once (other callers wait for it) when `needed` still holds under the lock.
    async fn refresh_if(&self, needed: impl Fn(&State) -> bool) {
        let _one_at_a_time = self.refreshing.lock().await;
        if !needed(&*self.state.read().await) {
            return;
        }
        let now = self.clock.now();
        let fetched = self.fetch().await;
        let mut state = self.state.write().await;
        state.tried_at = Some(now);
        match fetched {
            Ok(keys) => {
                state.keys = keys.into_iter().map(|k| (k.kid.clone(), Arc::new(k))).collect();
                state.fetched_at = Some(now);
            }
            Err(e) => tracing::warn!(error = %e, keys_kept = state.keys.len(), "Bot Framework key refresh failed"),
        }
    }

    async fn fetch(&self) -> Result<Vec<SigningKey>, KeysError> {
        let meta: Metadata = self.get_json("OpenID metadata", &self.metadata_url).await?;
        let jwks: Jwks = self.get_json("signing keys", &meta.jwks_uri).await?;
        Ok(jwks.keys.into_iter().filter_map(rsa_key).collect())
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, what: &'static str, url: &str) -> Result<T, KeysError> {
        let response = self.http.get(url).send().await.map_err(|source| KeysError::Fetch { what, source })?;
        if !response.status().is_success() {
            return Err(KeysError::Status { what, status: response.status().as_u16() });
        }
        response.json().await.map_err(|source| KeysError::Fetch { what, source })
    }
}

/// The first attempt, or the last one at least `secs` ago (so an outage is not hammered).
fn tried_long_ago(s: &State, now: u64, secs: u64) -> bool {
    s.tried_at.is_none_or(|t| now.saturating_sub(t) >= secs)
}

fn rsa_key(raw: RawKey) -> Option<SigningKey> {
    if raw.kty.as_deref() != Some("RSA") {
        return None;
    }
    Some(SigningKey { kid: raw.kid?, n: raw.n?, e: raw.e?, endorsements: raw.endorsements })
}
