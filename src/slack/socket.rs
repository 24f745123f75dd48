//! Socket Mode: errkb opens a WebSocket to Slack (apps.connections.open with `SLACK_APP_TOKEN`)
//! instead of receiving HTTP requests, so it needs no public URL. Envelopes (`events_api`,
//! `slash_commands`, `interactive`) go through the same [`dispatch`] as the HTTP routes and are
//! acknowledged by `envelope_id`; `disconnect` or a dropped connection opens a new one, with a
//! capped backoff after failures.
//!
//! Owns the connection loop and the envelope format. Knows no payload semantics. The app token
//! and the connection URL (it carries a ticket) are never logged.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::dispatch::{self, Ack};
use super::payload::{self, Interaction, Push};
use super::service::SlackApp;
use crate::config::Config;
use crate::http::AppState;

/// Waits between reconnection attempts after a failure: doubled each time, up to `max`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub min: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff { min: Duration::from_secs(1), max: Duration::from_secs(30) }
    }
}

/// How a connection ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// Slack asked us to reconnect (`disconnect`), or closed the socket politely.
    Asked,
    /// The connection failed or dropped.
    Failed(String),
}

/// Starts Socket Mode in the background when it is configured (`--socket-mode` and
/// `SLACK_APP_TOKEN`).
pub fn start(config: &Config, state: &AppState, slack: Option<&Arc<SlackApp>>) -> Option<JoinHandle<()>> {
    let (true, Some(token), Some(slack)) = (config.slack.socket_mode, &config.slack.app_token, slack) else {
        return None;
    };
    tracing::info!("Slack Socket Mode on");
    Some(tokio::spawn(run(state.clone(), slack.clone(), token.clone(), Backoff::default())))
}

/// Keeps a Socket Mode connection open for as long as the task lives.
pub async fn run(state: AppState, slack: Arc<SlackApp>, app_token: SecretString, backoff: Backoff) {
    let mut wait = backoff.min;
    loop {
        let end = match slack.api.connections_open(&app_token).await {
            Ok(url) => session(&state, &slack, &url).await,
            Err(e) => End::Failed(e.to_string()),
        };
        match end {
            End::Asked => {
                tracing::info!("Slack Socket Mode reconnecting on request");
                wait = backoff.min;
            }
            End::Failed(reason) => {
                tracing::warn!(
                    reason,
                    wait_ms = wait.as_millis() as u64,
                    "Slack Socket Mode connection lost; reconnecting"
                );
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(backoff.max);
            }
        }
    }
}

/// One WebSocket connection, until Slack ends it or it fails.
async fn session(state: &AppState, slack: &Arc<SlackApp>, url: &str) -> End {
    let mut socket = match tokio_tungstenite::connect_async(url).await {
        Ok((socket, _)) => socket,
        Err(e) => return End::Failed(format!("connecting: {}", redact(&e.to_string(), url))),
    };
    while let Some(frame) = socket.next().await {
        let text = match frame {
            Ok(Message::Text(text)) => text,
            Ok(Message::Close(_)) => return End::Asked,
            Ok(_) => continue,
            Err(e) => return End::Failed(e.to_string()),
        };
        let envelope: Value = match serde_json::from_str(text.as_str()) {
            Ok(v) => v,
            Err(_) => continue,
        };
        match on_envelope(state, slack, &envelope) {
            Reply::Ack(ack) => {
                if let Err(e) = socket.send(Message::text(ack.to_string())).await {
                    return End::Failed(e.to_string());
                }
            }
            Reply::Reconnect => return End::Asked,
            Reply::Nothing => {}
        }
    }
    End::Failed("the connection closed".into())
}

enum Reply {
    Ack(Value),
    Reconnect,
    Nothing,
}

/// Answers one envelope: an ack by `envelope_id` (with the command's answer as its payload).
fn on_envelope(state: &AppState, slack: &Arc<SlackApp>, envelope: &Value) -> Reply {
    let kind = envelope["type"].as_str().unwrap_or_default();
    let id = envelope["envelope_id"].as_str().unwrap_or_default();
    let payload = &envelope["payload"];
    let ack = match kind {
        "hello" => return Reply::Nothing,
        "disconnect" => return Reply::Reconnect,
        "events_api" => match serde_json::from_value::<payload::Callback>(payload.clone()) {
            Ok(callback) => dispatch::push(state, slack, Push::Callback(Box::new(callback))),
            Err(e) => Ack::Refused(payload::PayloadError::Json(e.to_string())),
        },
        "slash_commands" => dispatch::command(state, slack, &payload::command_from_json(payload)),
        "interactive" => match serde_json::from_value::<Interaction>(payload.clone()) {
            Ok(i) => dispatch::interaction(state, slack, i),
            Err(e) => Ack::Refused(payload::PayloadError::Json(e.to_string())),
        },
        other => {
            tracing::debug!(kind = other, "Slack Socket Mode envelope ignored");
            Ack::Empty
        }
    };
    if id.is_empty() {
        return Reply::Nothing;
    }
    match ack {
        Ack::Json(body) => Reply::Ack(json!({"envelope_id": id, "payload": body})),
        Ack::Empty => Reply::Ack(json!({"envelope_id": id})),
        Ack::Refused(e) => {
            crate::http::refused(&state.metrics, "slack_socket_payload", &e);
            Reply::Ack(json!({"envelope_id": id}))
        }
    }
}

/// Removes the connection URL (its ticket is a credential) from an error message.
fn redact(message: &str, url: &str) -> String {
    if url.is_empty() { message.to_string() } else { message.replace(url, "[socket url]") }
}
