//! The Teams HTTP endpoints: `POST /api/messages` (Bot Framework) and `POST /teams/webhook`
//! (outgoing webhook, lite mode).
//!
//! Owns the HTTP side: the raw body is authenticated first (JWT or HMAC; a bare 401 on any
//! failure, so an unauthenticated caller learns nothing, not even whether the body parsed), then
//! parsed leniently (400 for a malformed activity). Invokes are [`decide`]d and answered in the
//! response. Every other activity is acknowledged at once and handled in the replica's bounded
//! [`Background`] (a 503 with `Retry-After` when it is full, the only 5xx): de-duplicated by id
//! (a retry is answered once), then live-check submissions go to [`probe`](super::probe), channel
//! and group-chat activities to [`support`](super::support), the rest to [`decide`], and replies
//! go out through the connector. The body limit (413) comes from the service's shared layers.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use axum::{Extension, Router};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::activity::{Activity, strip_all_mentions};
use super::bot::{Decision, Knowledge, Vote, decide};
use super::card::{self, Mode, Render};
use super::connector::ReplyTo;
use super::service::TeamsApp;
use crate::answer::{Answer, QuestionError};
use crate::http::AppState;
use crate::http::background::{self, Background};
use crate::kb::Guide;
use crate::store::{Feedback, hash_user};

/// The outgoing webhook must answer within 5 s; we give the answer 4.
const WEBHOOK_BUDGET: Duration = Duration::from_secs(4);

/// The Teams routes that the configuration turns on (none when `teams` is `None`).
pub fn routes(teams: Option<Arc<TeamsApp>>) -> Router<AppState> {
    let Some(teams) = teams else { return Router::new() };
    let mut router = Router::new();
    if teams.bot.is_some() {
        router = router.route("/api/messages", post(messages));
    }
    if teams.webhook.is_some() {
        router = router.route("/teams/webhook", post(webhook));
    }
    router.layer(Extension(teams))
}

struct StateKnowledge<'a>(&'a AppState, &'static str);

impl Knowledge for StateKnowledge<'_> {
    fn ask(&self, text: &str) -> Option<Answer> {
        self.0.ask(text, self.1).ok()
    }
    fn guide(&self, code: &str) -> Option<Arc<Guide>> {
        self.0.engine.current().get(code).cloned()
    }
    fn answer_card(&self, answer: &Answer, r: &Render) -> Value {
        match super::rendered::generation_of(&self.0.engine, answer) {
            Some(generation) => super::rendered::answer_card(&self.0.renderings, generation, answer, r),
            None => card::answer_card(answer, r),
        }
    }
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
}

async fn messages(
    State(state): State<AppState>,
    Extension(teams): Extension<Arc<TeamsApp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(bot) = &teams.bot else { return StatusCode::NOT_FOUND.into_response() };
    // Without a token to check, only a JSON body: a web page can send a tokenless text/plain POST
    // (no CORS preflight), never an application/json one.
    if bot.auth.is_none() && !is_json(&headers) {
        crate::http::refused(&state.metrics, "teams_content_type", &"not application/json (anonymous mode)");
        return StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response();
    }
    // Parsed once (anything but JSON is Null, which no token matches); nothing is read from it
    // but the token's serviceUrl and channelId until the token has passed.
    let raw: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Some(auth) = &bot.auth {
        let (service_url, channel) = auth_fields(&raw);
        if let Err(reason) = auth.validate(authorization(&headers), service_url, channel).await {
            crate::http::refused(&state.metrics, "teams_token", &reason);
            return StatusCode::UNAUTHORIZED.into_response();
        }
    }
    let Some(activity) = Activity::from_json(&raw) else {
        return (StatusCode::BAD_REQUEST, "malformed activity").into_response();
    };
    if activity.kind == "invoke" {
        return invoke(&state, &teams, activity, &raw).await;
    }
    // Anything else is answered through the connector, not in the response: acknowledged now,
    // with the de-duplication claim, the card and the reply in the replica's bounded background.
    match state.background.reserve() {
        Ok(slot) => {
            Background::spawn(slot, handle_activity(state.clone(), teams.clone(), activity, raw));
            StatusCode::OK.into_response()
        }
        Err(busy) => background::busy(&state.metrics, busy),
    }
}

/// An invoke, answered in the HTTP response (card actions, message extensions, feedback).
async fn invoke(state: &AppState, teams: &Arc<TeamsApp>, activity: Activity, raw: &Value) -> Response {
    if super::probe::verb(&activity).is_some() {
        tokio::spawn(super::probe::handle(state.clone(), teams.clone(), activity));
        return StatusCode::OK.into_response();
    }
    if let Some(response) = super::support::route(state, teams, &activity, raw).await {
        return response;
    }
    let (decision, vote) = decide(&activity, &StateKnowledge(state, "teams"), &bot_render(state));
    if let Some(vote) = vote {
        tokio::spawn(record_vote(state.clone(), vote));
    }
    match decision {
        Decision::Ack => StatusCode::OK.into_response(),
        Decision::Invoke(body) => Json(body).into_response(),
        Decision::BadRequest(reason) => (StatusCode::BAD_REQUEST, reason).into_response(),
        Decision::Reply(reply) => {
            tokio::spawn(send_reply(teams.clone(), activity, reply));
            StatusCode::OK.into_response()
        }
    }
}

/// A message or conversation update, after the 200: claimed once across replicas (a retry is
/// dropped), then the live check, the channel flows, or the bot's answer sent as a reply.
async fn handle_activity(state: AppState, teams: Arc<TeamsApp>, activity: Activity, raw: Value) {
    if !super::support::first_delivery(&state, &activity).await {
        return;
    }
    if super::probe::verb(&activity).is_some() {
        return super::probe::handle(state, teams, activity).await;
    }
    if super::support::route(&state, &teams, &activity, &raw).await.is_some() {
        return;
    }
    let (decision, vote) = decide(&activity, &StateKnowledge(&state, "teams"), &bot_render(&state));
    if let Some(vote) = vote {
        record_vote(state.clone(), vote).await;
    }
    match decision {
        Decision::Reply(reply) => send_reply(teams, activity, reply).await,
        Decision::Ack => {}
        Decision::Invoke(_) | Decision::BadRequest(_) => {
            tracing::debug!(kind = %activity.kind, "Teams activity needs no reply");
        }
    }
}

fn bot_render(state: &AppState) -> Render<'_> {
    Render { public_url: &state.settings.public_url, mode: Mode::Bot, probe: state.probe.is_some() }
}

/// True when the body is declared `application/json` (parameters such as a charset allowed).
fn is_json(headers: &HeaderMap) -> bool {
    let value = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    value.split(';').next().is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// The `serviceUrl` and `channelId` the token must match, read from any JSON value (empty when
/// absent, which no valid token matches).
fn auth_fields(value: &Value) -> (&str, &str) {
    let service_url = value.get("serviceUrl").and_then(Value::as_str).unwrap_or_default();
    let channel = value.get("channelId").and_then(Value::as_str).unwrap_or_default();
    (service_url, channel)
}

/// Posts a reply after the 200; failures are logged (never with a token).
async fn send_reply(teams: Arc<TeamsApp>, activity: Activity, reply: Value) {
    let Some(bot) = &teams.bot else { return };
    let (Some(service_url), Some(conversation), Some(id)) =
        (&activity.service_url, &activity.conversation, &activity.id)
    else {
        tracing::info!("Teams activity without serviceUrl, conversation or id: no reply sent");
        return;
    };
    let to = ReplyTo { service_url, conversation_id: &conversation.id, activity_id: id };
    if let Err(e) = bot.connector.reply(&to, &reply).await {
        tracing::warn!(error = %e, "Teams reply failed");
    }
}

async fn record_vote(state: AppState, vote: Vote) {
    let user_hash = hash_user(state.settings.user_hash_salt.expose_secret(), "teams", &vote.user_id);
    let feedback = Feedback {
        answer_id: &vote.message_id,
        guide_code: &vote.code,
        vote: if vote.helpful { 1 } else { -1 },
        platform: "teams",
        user_hash,
    };
    if let Err(e) = state.store.record_feedback(&feedback).await {
        tracing::warn!(error = %e, "Teams feedback not recorded");
    }
}

/// Lite mode: HMAC over the raw body, then the answer card (open-URL buttons only) in the
/// response, within [`WEBHOOK_BUDGET`].
async fn webhook(
    State(state): State<AppState>,
    Extension(teams): Extension<Arc<TeamsApp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(key) = &teams.webhook else { return StatusCode::NOT_FOUND.into_response() };
    if let Err(reason) = key.verify(authorization(&headers), &body) {
        crate::http::refused(&state.metrics, "teams_webhook_hmac", &reason);
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(activity) = Activity::parse(&body) else {
        return (StatusCode::BAD_REQUEST, "malformed activity").into_response();
    };
    let text = strip_all_mentions(activity.text.as_deref().unwrap_or_default());
    // An answer already in the cache is a lookup and, for a repeated question, the kept reply:
    // no search to move off the runtime's threads.
    if let Some(asked) = state.ask_cached(&text, "teams_webhook") {
        return json_body(lite_reply(&state, &text, asked));
    }
    let work = tokio::task::spawn_blocking(move || lite_reply(&state, &text, state.ask_tagged(&text, "teams_webhook")));
    match tokio::time::timeout(WEBHOOK_BUDGET, work).await {
        Ok(Ok(body)) => json_body(body),
        _ => Json(json!({"type": "message", "text": "Sorry, that took too long. Please try again."})).into_response(),
    }
}

/// The webhook's reply to `text`, serialized: the answer card (kept per question and index), or
/// the welcome card for unusable text.
fn lite_reply(state: &AppState, text: &str, asked: Result<(Answer, u64), QuestionError>) -> Bytes {
    let render = Render { public_url: &state.settings.public_url, mode: Mode::Lite, probe: false };
    match asked {
        Ok((answer, generation)) => {
            state.replies.get_or_compute(generation, &format!("teams-webhook\u{0}{text}"), || {
                super::rendered::webhook_reply(&state.renderings, generation, &answer, &render)
            })
        }
        Err(_) => serde_json::to_vec(&super::rendered::reply(card::welcome_card(render.public_url)))
            .unwrap_or_default()
            .into(),
    }
}

fn json_body(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
