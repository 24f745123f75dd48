//! The Slack Web API client: chat.postMessage, chat.postEphemeral, chat.update, views.open,
//! views.publish, response_url posts, oauth.v2.access and apps.connections.open, over reqwest.
//!
//! Owns the wire calls: the configurable base URL (tests point it at a local fake), the Bearer
//! token, the limit check on every outgoing message or view ([`limits::fit`]), and bounded retries
//! honouring 429 `Retry-After`. Knows nothing of answers or routes. Tokens are passed per call as
//! `SecretString`, never stored, logged or put in an error.

use std::time::Duration;

use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::blocks::Message;
use super::limits::{self, Surface};

/// Slack's Web API.
pub const DEFAULT_BASE_URL: &str = "https://slack.com/api";

/// A failed Web API call. Never carries a token, and never a `response_url` (it is a credential).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{method}: request failed: {source}")]
    Transport { method: String, source: reqwest::Error },
    #[error("{method}: still rate limited after {attempts} attempts")]
    RateLimited { method: String, attempts: u32 },
    #[error("{method}: HTTP {status}")]
    Status { method: String, status: StatusCode },
    #[error("{method}: Slack answered ok=false: {error}")]
    Slack { method: String, error: String },
}

impl ApiError {
    /// Slack's error code (`channel_not_found`, `invalid_auth`, ...) when Slack gave one.
    pub fn slack_error(&self) -> Option<&str> {
        match self {
            ApiError::Slack { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// How to reach Slack and how long to keep trying.
#[derive(Debug, Clone)]
pub struct SlackApi {
    http: reqwest::Client,
    base_url: String,
    max_retries: u32,
    max_wait: Duration,
}

impl SlackApi {
    /// A client for `base_url` (e.g. [`DEFAULT_BASE_URL`]): 3 retries, waits capped at 30 s.
    pub fn new(base_url: &str) -> SlackApi {
        // A credential travels with every call: a 307/308 would resend it (and a form body) to
        // wherever the redirect points, so redirects are never followed.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a rustls HTTP client builds");
        SlackApi {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            max_retries: 3,
            max_wait: Duration::from_secs(30),
        }
    }

    /// Changes the retry policy (tests use short waits).
    pub fn with_retries(mut self, max_retries: u32, max_wait: Duration) -> SlackApi {
        self.max_retries = max_retries;
        self.max_wait = max_wait;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// chat.postMessage (`thread_ts` answers in a thread); returns the message's `ts`.
    pub async fn post_message(
        &self,
        token: &SecretString,
        channel: &str,
        thread_ts: Option<&str>,
        message: &Message,
    ) -> Result<String, ApiError> {
        let mut body = message_body(message.to_json());
        body["channel"] = json!(channel);
        if let Some(ts) = thread_ts {
            body["thread_ts"] = json!(ts);
        }
        let reply = self.call("chat.postMessage", token, &body).await?;
        Ok(reply["ts"].as_str().unwrap_or_default().to_string())
    }

    /// chat.postEphemeral: a message only `user` sees.
    pub async fn post_ephemeral(
        &self,
        token: &SecretString,
        channel: &str,
        user: &str,
        thread_ts: Option<&str>,
        message: &Message,
    ) -> Result<(), ApiError> {
        let mut body = message_body(message.to_json());
        body["channel"] = json!(channel);
        body["user"] = json!(user);
        if let Some(ts) = thread_ts {
            body["thread_ts"] = json!(ts);
        }
        self.call("chat.postEphemeral", token, &body).await.map(drop)
    }

    /// chat.update: replaces the message at `ts`.
    pub async fn update(
        &self,
        token: &SecretString,
        channel: &str,
        ts: &str,
        message: &Message,
    ) -> Result<(), ApiError> {
        let mut body = message_body(message.to_json());
        body["channel"] = json!(channel);
        body["ts"] = json!(ts);
        self.call("chat.update", token, &body).await.map(drop)
    }

    /// views.open: a modal for a fresh `trigger_id`.
    pub async fn views_open(&self, token: &SecretString, trigger_id: &str, view: Value) -> Result<(), ApiError> {
        let body = json!({"trigger_id": trigger_id, "view": fit_view(view)});
        self.call("views.open", token, &body).await.map(drop)
    }

    /// views.publish: the user's App Home tab.
    pub async fn views_publish(&self, token: &SecretString, user_id: &str, view: Value) -> Result<(), ApiError> {
        let body = json!({"user_id": user_id, "view": fit_view(view)});
        self.call("views.publish", token, &body).await.map(drop)
    }

    /// Posts to an interaction's `response_url` (no token: the URL is the credential). `extra`
    /// adds `response_type`, `replace_original`, `thread_ts` ...
    pub async fn respond(&self, response_url: &str, message: Message, extra: Value) -> Result<(), ApiError> {
        let mut body = message_body(message.into_json());
        if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
            body.extend(extra);
        }
        let request = || self.http.post(response_url).json(&body);
        self.send("response_url", request).await.map(drop)
    }

    /// oauth.v2.access: exchanges an install `code` for the workspace's bot token.
    pub async fn oauth_access(
        &self,
        client_id: &str,
        client_secret: &SecretString,
        code: &str,
        redirect_uri: &str,
    ) -> Result<Value, ApiError> {
        let form = [
            ("client_id", client_id),
            ("client_secret", client_secret.expose_secret()),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ];
        let url = format!("{}/oauth.v2.access", self.base_url);
        let request = || self.http.post(&url).form(&form);
        self.send("oauth.v2.access", request).await
    }

    /// apps.connections.open: a Socket Mode WebSocket URL for the app-level token.
    pub async fn connections_open(&self, app_token: &SecretString) -> Result<String, ApiError> {
        let reply = self.call("apps.connections.open", app_token, &json!({})).await?;
        Ok(reply["url"].as_str().unwrap_or_default().to_string())
    }

    /// Any Web API method with a JSON body and a Bearer token; returns Slack's reply.
    pub async fn call(&self, method: &str, token: &SecretString, body: &Value) -> Result<Value, ApiError> {
        let url = format!("{}/{method}", self.base_url);
        let request = || self.http.post(&url).bearer_auth(token.expose_secret()).json(body);
        self.send(method, request).await
    }

    /// A Web API method that reads a form (users.info, usergroups.list, ...), with a Bearer token.
    pub async fn call_form(
        &self,
        method: &str,
        token: &SecretString,
        form: &[(&str, &str)],
    ) -> Result<Value, ApiError> {
        let url = format!("{}/{method}", self.base_url);
        let request = || self.http.post(&url).bearer_auth(token.expose_secret()).form(form);
        self.send(method, request).await
    }

    /// Sends, waiting out 429s (up to `max_retries` retries), and checks Slack's `ok`.
    async fn send(&self, method: &str, request: impl Fn() -> reqwest::RequestBuilder) -> Result<Value, ApiError> {
        let transport =
            |source: reqwest::Error| ApiError::Transport { method: method.to_string(), source: source.without_url() };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let response = request().send().await.map_err(transport)?;
            let status = response.status();
            if status == StatusCode::TOO_MANY_REQUESTS {
                if attempt > self.max_retries {
                    return Err(ApiError::RateLimited { method: method.to_string(), attempts: attempt });
                }
                let wait = retry_after(&response).min(self.max_wait);
                tracing::warn!(
                    method,
                    wait_ms = wait.as_millis() as u64,
                    attempt,
                    "Slack rate limited the call; waiting"
                );
                tokio::time::sleep(wait).await;
                continue;
            }
            if !status.is_success() {
                return Err(ApiError::Status { method: method.to_string(), status });
            }
            let text = response.text().await.map_err(transport)?;
            return check_ok(method, &text);
        }
    }
}

/// response_url answers `ok` as plain text; the Web API answers JSON with `ok`.
fn check_ok(method: &str, text: &str) -> Result<Value, ApiError> {
    let Ok(reply) = serde_json::from_str::<Value>(text) else {
        return Ok(json!({"ok": true, "body": text.trim()}));
    };
    if reply.get("ok").and_then(Value::as_bool) == Some(false) {
        let error = reply["error"].as_str().unwrap_or("unknown_error").to_string();
        return Err(ApiError::Slack { method: method.to_string(), error });
    }
    Ok(reply)
}

fn retry_after(response: &reqwest::Response) -> Duration {
    let seconds =
        response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    Duration::from_secs(seconds.unwrap_or(1))
}

/// A message's JSON body, with Slack's limits enforced once more on the way out.
fn message_body(mut body: Value) -> Value {
    let full = first_url(&body).unwrap_or_default();
    limits::fit(&mut body, Surface::Message, &full);
    body
}

fn fit_view(mut view: Value) -> Value {
    limits::fit(&mut view, Surface::View, "");
    view
}

/// The first button URL in a message (the "Full guide" button), the best "read more" target.
fn first_url(body: &Value) -> Option<String> {
    body["blocks"]
        .as_array()?
        .iter()
        .filter_map(|b| b["elements"].as_array())
        .flatten()
        .find_map(|e| e["url"].as_str().map(String::from))
}
