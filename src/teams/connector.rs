//! The Bot Connector client: replies to an activity with
//! `POST {serviceUrl}/v3/conversations/{conversationId}/activities/{activityId}`, so channel
//! answers land in the thread, with the bot token from [`TokenSource`]; creates a personal chat
//! (`POST {serviceUrl}/v3/conversations`), posts into a conversation (private replies, a
//! thread) and deletes one of the bot's messages.
//!
//! Owns the serviceUrl allow-list (the token is only ever sent to an https serviceUrl whose host is
//! on it; the dev-only anonymous mode posts only to the one configured loopback serviceUrl), the
//! retry policy (412, 429 with `Retry-After`, 502, 503 and 504, a bounded number of
//! times; nothing else) and the single token refresh on a 401. Knows nothing of cards or answers.

use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use url::Url;

use super::token::{TokenError, TokenSource};

/// Bot Framework and Teams connector hosts (public cloud, GCC, GCC High, DoD).
pub const DEFAULT_ALLOWED_HOSTS: &[&str] = &[
    "smba.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
    "smba.infra.gov.teams.microsoft.us",
    "smba.infra.dod.teams.microsoft.us",
];

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error("serviceUrl host {0:?} is not on the allow-list; no token was sent")]
    NotAllowed(String),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("cannot reach the connector: {0}")]
    Network(String),
    #[error("the connector answered HTTP {0}")]
    Status(u16),
}

/// How often and how long to retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The first backoff; doubled each time.
    pub base_delay: Duration,
    /// No wait (including `Retry-After`) is longer than this.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy { attempts: 4, base_delay: Duration::from_millis(500), max_delay: Duration::from_secs(10) }
    }
}

/// Where a reply goes: from an authenticated activity.
#[derive(Debug, Clone)]
pub struct ReplyTo<'a> {
    pub service_url: &'a str,
    pub conversation_id: &'a str,
    pub activity_id: &'a str,
}

/// Whom to open a personal chat with: the bot and user ids and the tenant of an activity.
#[derive(Debug, Clone)]
pub struct Personal<'a> {
    pub service_url: &'a str,
    pub bot_id: &'a str,
    pub user_id: &'a str,
    pub tenant_id: &'a str,
}

#[derive(Debug)]
pub struct Connector {
    http: reqwest::Client,
    /// `None` only in the dev-only anonymous mode (local tools such as the Agents Playground).
    tokens: Option<TokenSource>,
    allowed_hosts: Vec<String>,
    /// The anonymous mode's one serviceUrl (the Playground's, from the configuration): replies go
    /// there and nowhere else, whatever an activity says.
    pinned: Option<Url>,
    retry: RetryPolicy,
}

/// Checks the anonymous mode's configured serviceUrl: an http(s) URL on a loopback address
/// (127.0.0.1, [::1] or localhost), with no user, query or fragment. The reason is for the
/// start-up error.
pub fn pinned_service_url(raw: &str) -> Result<Url, &'static str> {
    let url = Url::parse(raw.trim()).map_err(|_| "it is not an absolute URL")?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !matches!(url.scheme(), "http" | "https") || !loopback {
        return Err("it must be an http(s) URL on 127.0.0.1, [::1] or localhost");
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err("it must have no user, query or fragment");
    }
    Ok(url)
}

impl Connector {
    pub fn new(tokens: TokenSource, allowed_hosts: Vec<String>, retry: RetryPolicy) -> Connector {
        Connector::build(Some(tokens), allowed_hosts, None, retry)
    }

    /// A connector that sends no token, for the dev-only anonymous mode: it posts only to
    /// `service_url` (checked by [`pinned_service_url`]), and only for activities that name it.
    pub fn anonymous(service_url: Url, retry: RetryPolicy) -> Connector {
        Connector::build(None, Vec::new(), Some(service_url), retry)
    }

    fn build(
        tokens: Option<TokenSource>,
        allowed_hosts: Vec<String>,
        pinned: Option<Url>,
        retry: RetryPolicy,
    ) -> Connector {
        // A credential travels with every call: a 307/308 would resend it (and a form body) to
        // wherever the redirect points, so redirects are never followed.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a rustls HTTP client builds");
        Connector { http, tokens, allowed_hosts, pinned, retry }
    }

    /// Posts `activity` as a reply; returns the new message id when the connector gives one.
    pub async fn reply(&self, to: &ReplyTo<'_>, activity: &Value) -> Result<Option<String>, ConnectorError> {
        let base = self.allowed_base(to.service_url)?;
        let url =
            format!("{base}/v3/conversations/{}/activities/{}", segment(to.conversation_id), segment(to.activity_id));
        Ok(self.post(&url, activity).await?["id"].as_str().map(str::to_string))
    }

    /// Posts `activity` into a conversation (not as a reply), e.g. a personal chat.
    pub async fn send(
        &self,
        service_url: &str,
        conversation_id: &str,
        activity: &Value,
    ) -> Result<Option<String>, ConnectorError> {
        let base = self.allowed_base(service_url)?;
        let url = format!("{base}/v3/conversations/{}/activities", segment(conversation_id));
        Ok(self.post(&url, activity).await?["id"].as_str().map(str::to_string))
    }

    /// Deletes one of the bot's own messages (a hidden automatic answer). One attempt.
    pub async fn delete(
        &self,
        service_url: &str,
        conversation_id: &str,
        activity_id: &str,
    ) -> Result<(), ConnectorError> {
        let base = self.allowed_base(service_url)?;
        let url = format!("{base}/v3/conversations/{}/activities/{}", segment(conversation_id), segment(activity_id));
        let mut request = self.http.delete(&url);
        if let Some(tokens) = &self.tokens {
            request = request.bearer_auth(tokens.get().await?.secret());
        }
        let status = request.send().await.map_err(network)?.status().as_u16();
        if (200..300).contains(&status) { Ok(()) } else { Err(ConnectorError::Status(status)) }
    }

    /// Creates (or finds) the bot's 1:1 chat with `user` in `tenant`; returns its conversation id.
    pub async fn personal_conversation(&self, to: &Personal<'_>) -> Result<String, ConnectorError> {
        let base = self.allowed_base(to.service_url)?;
        let body = serde_json::json!({
            "bot": {"id": to.bot_id},
            "members": [{"id": to.user_id}],
            "channelData": {"tenant": {"id": to.tenant_id}},
            "tenantId": to.tenant_id,
            "isGroup": false,
        });
        let reply = self.post(&format!("{base}/v3/conversations"), &body).await?;
        reply["id"].as_str().filter(|id| !id.is_empty()).map(str::to_string).ok_or(ConnectorError::Status(200))
    }

    /// POSTs `body` with the bot token; one token refresh on a 401, retries as the policy says.
    async fn post(&self, url: &str, body: &Value) -> Result<Value, ConnectorError> {
        let mut refreshed = false;
        let mut attempt = 1;
        loop {
            let token = match &self.tokens {
                Some(tokens) => Some(tokens.get().await?),
                None => None,
            };
            let mut request = self.http.post(url).json(body);
            if let Some(token) = &token {
                request = request.bearer_auth(token.secret());
            }
            let response = request.send().await.map_err(network)?;
            let status = response.status().as_u16();
            if (200..300).contains(&status) {
                return Ok(response.json().await.unwrap_or(Value::Null));
            }
            if let (401, false, Some(tokens), Some(token)) = (status, refreshed, &self.tokens, &token) {
                tokens.invalidate(token).await;
                refreshed = true;
                continue;
            }
            if !matches!(status, 412 | 429 | 502 | 503 | 504) || attempt >= self.retry.attempts {
                return Err(ConnectorError::Status(status));
            }
            tokio::time::sleep(self.delay(attempt, retry_after(&response))).await;
            attempt += 1;
        }
    }

    /// The base URL to post under, without a trailing slash: in the anonymous mode the pinned
    /// serviceUrl (rebuilt from the configuration, never the activity's string) when the
    /// activity names exactly it; otherwise the serviceUrl when it is https (or loopback http, for
    /// local tools) and its host is allowed.
    fn allowed_base(&self, service_url: &str) -> Result<String, ConnectorError> {
        let parsed = Url::parse(service_url).map_err(|_| ConnectorError::NotAllowed(String::new()))?;
        let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
        if let Some(pinned) = &self.pinned {
            return if same_service_url(pinned, &parsed) {
                Ok(pinned.as_str().trim_end_matches('/').to_string())
            } else {
                Err(ConnectorError::NotAllowed(host))
            };
        }
        let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]");
        let scheme_ok = parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback);
        if !scheme_ok || !self.allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)) {
            return Err(ConnectorError::NotAllowed(host));
        }
        Ok(service_url.trim_end_matches('/').to_string())
    }

    /// `Retry-After` when given, else exponential backoff plus up to 25 % jitter; capped.
    fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let backoff = self.retry.base_delay.saturating_mul(1 << (attempt - 1).min(10));
        let jitter = backoff.mul_f64(f64::from(getrandom::u32().unwrap_or(0) % 256) / 1024.0);
        retry_after.unwrap_or(backoff + jitter).min(self.retry.max_delay)
    }
}

/// Same scheme, host, port and path (a trailing slash aside), and no query, user or fragment.
fn same_service_url(pinned: &Url, given: &Url) -> bool {
    let path = |u: &Url| u.path().trim_end_matches('/').to_string();
    pinned.scheme() == given.scheme()
        && pinned.host() == given.host()
        && pinned.port_or_known_default() == given.port_or_known_default()
        && path(pinned) == path(given)
        && given.query().is_none()
        && given.fragment().is_none()
        && given.username().is_empty()
        && given.password().is_none()
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Everything but RFC 3986 unreserved characters is encoded in a path segment (ids hold `:`, `;`, `@`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn segment(id: &str) -> String {
    utf8_percent_encode(id, SEGMENT).to_string()
}

fn network(e: reqwest::Error) -> ConnectorError {
    ConnectorError::Network(e.without_url().to_string())
}
