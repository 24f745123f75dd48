//! What to do with a verified, parsed Slack request, whichever way it came (HTTP or Socket
//! Mode): the immediate acknowledgement, with slow work run in the replica's bounded
//! [`Background`] (a full budget is [`Ack::Busy`], so Slack sends the request again).
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
use crate::http::background::{Background, Busy};

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
    /// Too much background work already: not acknowledged, so Slack sends it again (HTTP 503;
    /// no Socket Mode ack).
    Busy(Busy),
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
            // The place is reserved before the event is taken, so that a refused event is not
            // remembered and its redelivery is handled.
            let slot = match state.background.reserve() {
                Ok(slot) => slot,
                Err(busy) => return Ack::Busy(busy),
            };
            // A delivery this replica has already taken (a retry) needs no task: the first one
            // claimed the event in the store, which stays the judge across replicas.
            if slack.recent_events.first_sighting(&callback.event_id) {
                Background::spawn(slot, events::handle(state.clone(), slack.clone(), *callback));
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
            match state.background.try_spawn(interactions::handle(state.clone(), slack.clone(), interaction)) {
                Ok(()) => Ack::Empty,
                Err(busy) => Ack::Busy(busy),
            }
        }
        "view_submission" => interactions::view_submission(state, slack, &interaction),
        "view_closed" => Ack::Empty,
        other => Ack::Refused(PayloadError::UnknownType(other.chars().take(40).collect())),
    }
}
