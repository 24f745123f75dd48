//! The bot's outbound token: OAuth 2.0 client credentials for a single-tenant bot
//! (`{authority}/{MICROSOFT_APP_TENANT_ID}/oauth2/v2.0/token`, scope
//! `https://api.botframework.com/.default`), cached and refreshed five minutes before it expires,
//! fetched once however many replies wait for it, and dropped when the connector answers 401.
//!
//! Owns the token request and cache. The app password and the token are [`SecretString`]s and
//! never appear in `Debug`, logs or errors. Knows nothing of activities or the connector API.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::clock::Clock;

pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
pub const BOT_SCOPE: &str = "https://api.botframework.com/.default";
/// Refresh this long before the token's expiry.
pub const REFRESH_MARGIN_SECS: u64 = 300;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("cannot reach the token endpoint: {0}")]
    Network(String),
    #[error("the token endpoint answered HTTP {status} ({error})")]
    Refused { status: u16, error: String },
    #[error("the token endpoint's answer has no usable access_token")]
    BadAnswer,
}

/// An access token; `Debug` never shows it.
#[derive(Clone)]
pub struct AccessToken(SecretString);

impl AccessToken {
    pub fn secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

struct Cached {
    token: AccessToken,
    expires_at: u64,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
}

/// Client-credentials tokens for one bot.
pub struct TokenSource {
    http: reqwest::Client,
    token_url: String,
    app_id: String,
    password: SecretString,
    clock: Clock,
    cache: Mutex<Option<Cached>>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("token_url", &self.token_url)
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// `authority` is e.g. `https://login.microsoftonline.com`; `tenant` the bot's tenant id.
    pub fn new(authority: &str, tenant: &str, app_id: &str, password: SecretString, clock: Clock) -> TokenSource {
        let token_url = format!("{}/{}/oauth2/v2.0/token", authority.trim_end_matches('/'), tenant);
        // A credential travels with every call: a 307/308 would resend it (and a form body) to
        // wherever the redirect points, so redirects are never followed.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a rustls HTTP client builds");
        TokenSource { http, token_url, app_id: app_id.to_string(), password, clock, cache: Mutex::new(None) }
    }

    /// A token valid for at least [`REFRESH_MARGIN_SECS`]; concurrent callers share one fetch.
    pub async fn get(&self) -> Result<AccessToken, TokenError> {
        let mut cache = self.cache.lock().await;
        let now = self.clock.now();
        if let Some(c) = cache.as_ref().filter(|c| c.expires_at > now + REFRESH_MARGIN_SECS) {
            return Ok(c.token.clone());
        }
        let (token, lifetime) = self.fetch().await?;
        *cache = Some(Cached { token: token.clone(), expires_at: now + lifetime });
        Ok(token)
    }

    /// Forgets `rejected` (the connector answered 401 with it) so the next [`get`](Self::get)
    /// fetches a new token; a token another caller already replaced is left alone.
    pub async fn invalidate(&self, rejected: &AccessToken) {
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|c| c.token.secret() == rejected.secret()) {
            *cache = None;
        }
    }

    async fn fetch(&self) -> Result<(AccessToken, u64), TokenError> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.app_id.as_str()),
            ("client_secret", self.password.expose_secret()),
            ("scope", BOT_SCOPE),
        ];
        let response = self.http.post(&self.token_url).form(&form).send().await.map_err(network)?;
        let status = response.status().as_u16();
        let answer: TokenAnswer = response.json().await.map_err(|_| TokenError::BadAnswer)?;
        if !(200..300).contains(&status) {
            return Err(TokenError::Refused { status, error: answer.error.unwrap_or_default() });
        }
        let token = answer.access_token.filter(|t| !t.is_empty()).ok_or(TokenError::BadAnswer)?;
        Ok((AccessToken(SecretString::from(token)), answer.expires_in.unwrap_or(3600)))
    }
}

/// A network error without the request URL's query or body (nothing secret is in either, but
/// the message stays short).
fn network(e: reqwest::Error) -> TokenError {
    TokenError::Network(e.without_url().to_string())
}
