//! The Slack HTTP endpoints: `POST /slack/commands`, `/slack/events`, `/slack/interactions`,
//! `GET /slack/install` and `/slack/oauth/callback`.
//!
//! Owns the HTTP side of the acknowledgement: every POST is signature-checked on its raw body (a
//! bare 401 on any failure), parsed leniently (a 400 for a malformed body or an unknown payload
//! type, never a 5xx) and answered at once through [`dispatch`]. The body limit (413) comes from
//! the service's shared layers, in front of everything here.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};

use super::dispatch::{self, Ack};
use super::oauth;
use super::payload;
use super::service::SlackApp;
use crate::http::AppState;

/// The Slack routes, or none when Slack (with a signing secret) is not configured.
pub fn routes(slack: Option<Arc<SlackApp>>) -> Router<AppState> {
    let Some(slack) = slack.filter(|s| s.verifier.is_some()) else { return Router::new() };
    Router::new()
        .route("/slack/commands", post(commands))
        .route("/slack/events", post(events))
        .route("/slack/interactions", post(interactions))
        .route("/slack/install", get(oauth::install))
        .route("/slack/oauth/callback", get(oauth::callback))
        .layer(Extension(slack))
}

/// True for a request Slack signed; the caller answers anything else with a bare 401. Refusals
/// are counted and logged throttled (anyone can send them).
fn verified(state: &AppState, slack: &SlackApp, headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(verifier) = &slack.verifier else { return false };
    match verifier.verify(headers, body) {
        Ok(()) => true,
        Err(e) => {
            crate::http::refused(&state.metrics, "slack_signature", &e);
            false
        }
    }
}

/// No hint of what was wrong.
fn unauthorized() -> Response {
    StatusCode::UNAUTHORIZED.into_response()
}

fn respond(state: &AppState, ack: Ack) -> Response {
    match ack {
        Ack::Empty => StatusCode::OK.into_response(),
        Ack::Json(body) => Json(body).into_response(),
        Ack::JsonBytes(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Ack::Refused(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        Ack::Busy(busy) => crate::http::background::busy(&state.metrics, busy),
    }
}

async fn commands(
    State(state): State<AppState>,
    Extension(slack): Extension<Arc<SlackApp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let command = payload::command(&body);
    if command.ssl_check {
        return StatusCode::OK.into_response();
    }
    if !verified(&state, &slack, &headers, &body) {
        return unauthorized();
    }
    respond(&state, dispatch::command(&state, &slack, &command))
}

async fn events(
    State(state): State<AppState>,
    Extension(slack): Extension<Arc<SlackApp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !verified(&state, &slack, &headers, &body) {
        return unauthorized();
    }
    if let Some(retry) = headers.get("x-slack-retry-num").and_then(|v| v.to_str().ok()) {
        tracing::debug!(retry, "Slack event delivery retried");
    }
    respond(&state, payload::push(&body).map_or_else(Ack::Refused, |push| dispatch::push(&state, &slack, push)))
}

async fn interactions(
    State(state): State<AppState>,
    Extension(slack): Extension<Arc<SlackApp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !verified(&state, &slack, &headers, &body) {
        return unauthorized();
    }
    respond(&state, payload::interaction(&body).map_or_else(Ack::Refused, |i| dispatch::interaction(&state, &slack, i)))
}
