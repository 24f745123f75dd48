//! Socket Mode: errkb opens a WebSocket to Slack (apps.connections.open with `SLACK_APP_TOKEN`)
//! instead of receiving HTTP requests, so it needs no public URL. Envelopes (`events_api`,
//! `slash_commands`, `interactive`) go through the same [`dispatch`] as the HTTP routes and are
//! acknowledged by `envelope_id`; `disconnect` or a dropped connection opens a new one, with a
//! capped backoff after failures. A connection is watched ([`Keepalive`]): opening it is timed
//! out, errkb pings on an interval, and a connection with no frame at all (not even the pong)
//! for a minute is taken for dead and replaced, so a half-open connection cannot leave the bot
//! deaf.
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

/// How a live connection is watched.
#[derive(Debug, Clone, Copy)]
pub struct Keepalive {
    /// Opening the WebSocket (TCP, TLS and the handshake) must finish within this.
    pub connect_timeout: Duration,
    /// errkb sends a ping this often.
    pub ping_every: Duration,
    /// No frame at all (a message, a ping, or the pong to ours) for this long: the connection is
    /// dead. A send that cannot complete within it counts the same.
    pub read_timeout: Duration,
}

impl Default for Keepalive {
    fn default() -> Keepalive {
        Keepalive {
            connect_timeout: Duration::from_secs(10),
            ping_every: Duration::from_secs(20),
            read_timeout: Duration::from_secs(60),
        }
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

/// Keeps a Socket Mode connection open for as long as the task lives, watched with the default
/// [`Keepalive`].
pub async fn run(state: AppState, slack: Arc<SlackApp>, app_token: SecretString, backoff: Backoff) {
    run_with(state, slack, app_token, backoff, Keepalive::default()).await;
}

/// [`run`] with the given timers.
pub async fn run_with(
    state: AppState,
    slack: Arc<SlackApp>,
    app_token: SecretString,
    backoff: Backoff,
    keepalive: Keepalive,
) {
    let mut wait = backoff.min;
    loop {
        let end = match slack.api.connections_open(&app_token).await {
            Ok(url) => session(&state, &slack, &url, keepalive).await,
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

/// One WebSocket connection, until Slack ends it, it fails or it goes silent.
async fn session(state: &AppState, slack: &Arc<SlackApp>, url: &str, keepalive: Keepalive) -> End {
    let mut socket = match tokio::time::timeout(keepalive.connect_timeout, tokio_tungstenite::connect_async(url)).await
    {
        Ok(Ok((socket, _))) => socket,
        Ok(Err(e)) => return End::Failed(format!("connecting: {}", redact(&e.to_string(), url))),
        Err(_) => return End::Failed(format!("connecting took over {} s", keepalive.connect_timeout.as_secs())),
    };
    let start = tokio::time::Instant::now();
    let mut ping = tokio::time::interval_at(start + keepalive.ping_every, keepalive.ping_every);
    let mut silent_until = start + keepalive.read_timeout;
    loop {
        let frame = tokio::select! {
            frame = socket.next() => frame,
            _ = ping.tick() => {
                if let Err(reason) = send(&mut socket, Message::Ping(Default::default()), keepalive).await {
                    return End::Failed(reason);
                }
                continue;
            }
            () = tokio::time::sleep_until(silent_until) => {
                return End::Failed(format!("nothing received for {} s", keepalive.read_timeout.as_secs()));
            }
        };
        silent_until = tokio::time::Instant::now() + keepalive.read_timeout;
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_))) => return End::Asked,
            Some(Ok(_)) => continue,
            Some(Err(e)) => return End::Failed(e.to_string()),
            None => return End::Failed("the connection closed".into()),
        };
        let envelope: Value = match serde_json::from_str(text.as_str()) {
            Ok(v) => v,
            Err(_) => continue,
        };
        match on_envelope(state, slack, &envelope) {
            Reply::Ack(ack) => {
                if let Err(reason) = send(&mut socket, Message::text(ack.to_string()), keepalive).await {
                    return End::Failed(reason);
                }
            }
            Reply::Reconnect => return End::Asked,
            Reply::Nothing => {}
        }
    }
}

/// Sends a frame, giving up after the read timeout (a peer that stopped reading).
async fn send<S>(socket: &mut S, message: Message, keepalive: Keepalive) -> Result<(), String>
where
    S: futures_util::Sink<Message, Error = tokio_tungstenite::tungstenite::Error> + Unpin,
{
    match tokio::time::timeout(keepalive.read_timeout, socket.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("a send did not complete within {} s", keepalive.read_timeout.as_secs())),
    }
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
        Ack::JsonBytes(body) => {
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            Reply::Ack(json!({"envelope_id": id, "payload": body}))
        }
        Ack::Empty => Reply::Ack(json!({"envelope_id": id})),
        Ack::Refused(e) => {
            crate::http::refused(&state.metrics, "slack_socket_payload", &e);
            Reply::Ack(json!({"envelope_id": id}))
        }
        // Unacknowledged, the envelope is delivered again.
        Ack::Busy(busy) => {
            crate::http::refused(&state.metrics, "background_busy", &busy);
            Reply::Nothing
        }
    }
}

/// Removes the connection URL (its ticket is a credential) from an error message.
fn redact(message: &str, url: &str) -> String {
    if url.is_empty() { message.to_string() } else { message.replace(url, "[socket url]") }
}
