//! What to do with a verified, parsed Slack request, whichever way it came (HTTP or Socket
//! Mode): the immediate acknowledgement, with slow work spawned in the background.
//!
//! Owns the choice of flow per payload type. Knows no HTTP status codes or WebSocket frames;
//! the caller turns an [`Ack`] into its own wire format.

use std::sync::Arc;

use axum::body::Bytes;
use serde_json::{Value, json};

use super::flows::command_reply;
use super::payload::{Command, Interaction, PayloadError, Push};
use super::service::SlackApp;
use super::{events, interactions};
use crate::http::AppState;

/// The acknowledgement owed to Slack.
#[derive(Debug, Clone, PartialEq)]
pub enum Ack {
    /// Nothing to say (HTTP 200 with no body).
    Empty,
    /// A JSON body (a url_verification challenge, a modal's errors).
    Json(Value),
    /// A JSON body already serialized (a command's answer).
    JsonBytes(Bytes),
    /// A payload errkb cannot use (HTTP 400).
    Refused(PayloadError),
}

/// A slash command: the answer itself, ephemeral (`settings` opens the channel's settings).
pub fn command(state: &AppState, slack: &Arc<SlackApp>, command: &Command) -> Ack {
    if super::channels::is_settings(&command.text) {
        return super::channels::command(state, slack, command);
    }
    Ack::JsonBytes(command_reply(state, slack, &command.command, &command.text))
}

/// An Events API payload.
pub fn push(state: &AppState, slack: &Arc<SlackApp>, push: Push) -> Ack {
    match push {
        Push::UrlVerification { challenge } => Ack::Json(json!({ "challenge": challenge })),
        Push::Callback(callback) => {
            tracing::debug!(event_id = %callback.event_id, kind = %callback.event.kind, "Slack event");
            // A delivery this replica has already taken (a retry) needs no task: the first one
            // claimed the event in the store, which stays the judge across replicas.
            if slack.recent_events.first_sighting(&callback.event_id) {
                tokio::spawn(events::handle(state.clone(), slack.clone(), *callback));
            }
            Ack::Empty
        }
        Push::RateLimited => {
            tracing::warn!("Slack says this app is over its event rate limit");
            Ack::Empty
        }
    }
}

/// An interaction payload.
pub fn interaction(state: &AppState, slack: &Arc<SlackApp>, interaction: Interaction) -> Ack {
    match interaction.kind.as_str() {
        "block_actions" | "message_action" | "shortcut" => {
            tokio::spawn(interactions::handle(state.clone(), slack.clone(), interaction));
            Ack::Empty
        }
        "view_submission" => interactions::view_submission(state, slack, &interaction),
        "view_closed" => Ack::Empty,
        other => Ack::Refused(PayloadError::UnknownType(other.chars().take(40).collect())),
    }
}
