//! Automatic answers, opt-in per channel (`/aadsts settings`): a person's new top-level message
//! in a channel set to `auto` (not a bot, not an edit, not in a thread, not a mention of errkb,
//! which the mention path answers) that holds an error code or one of Entra's own messages gets
//! one answer in its thread, with "Not useful here" to hide it. Free text never does: only an
//! answer whose best guide matched by code, legacy code or message counts.
//!
//! At most one answer per thread, across retries and replicas (store claims on the event and on
//! the thread), and paced per channel through the service's [`Pacer`](crate::http::pacer::Pacer)
//! (Slack allows about one message a second); a refused job is logged, never dropped silently.
//! Needs the `message.channels` / `message.groups` events (`errkb manifest slack --auto-answer`).

use std::sync::Arc;

use super::channel_answer::{self, Asked, Post, ts_seconds};
use super::events::claim;
use super::payload::Callback;
use super::service::SlackApp;
use crate::http::AppState;
use crate::http::certain::confident;
use crate::store::AnswerMode;

/// True for a message event from a channel or private channel (`message.channels`,
/// `message.groups`): this module's to handle.
pub fn is_channel_message(cb: &Callback) -> bool {
    cb.event.kind == "message" && matches!(cb.event.channel_type.as_str(), "channel" | "group")
}

/// Answers the message when its channel is set to `auto` and the answer is certain.
pub async fn handle(state: AppState, slack: Arc<SlackApp>, cb: Callback) {
    let e = &cb.event;
    if !is_new_question(&cb) {
        return;
    }
    let settings = channel_answer::settings(&state, &e.channel).await;
    if settings.answer_mode != AnswerMode::Auto || !confident(&state, &e.text) {
        return;
    }
    for key in [cb.event_id.clone(), format!("message:{}:{}", e.channel, e.ts), format!("auto:{}:{}", e.channel, e.ts)]
    {
        if !claim(&state, &key).await {
            return;
        }
    }
    let Some(token) = slack.token_for(&state.store, &cb.team_id).await else {
        return tracing::warn!(team = %cb.team_id, "no Slack bot token for this workspace; automatic answer skipped");
    };
    let Some((answer, message)) = channel_answer::render(&state, &slack, &e.text, &settings) else { return };
    let (guide, code) = channel_answer::answer_code(&answer);
    let at = ts_seconds(&e.ts).unwrap_or_else(|| state.store.now());
    let asked = Asked { code, at, user: e.user.clone(), question: e.text.clone() };
    let message = channel_answer::decorate(message, &asked, true);
    let to =
        Post { team: &cb.team_id, channel: &e.channel, thread_ts: Some(&e.ts), guide: guide.as_deref(), auto: true };
    let key = format!("slack:{}", e.channel);
    let posted = state.pacer.run(&key, channel_answer::post(&state, &slack, &token, &to, &message)).await;
    if let Err(full) = posted {
        tracing::warn!(channel = %e.channel, %full, "automatic answer not posted: too many are waiting in this channel");
    }
}

/// A person's new top-level message that does not mention errkb.
fn is_new_question(cb: &Callback) -> bool {
    let e = &cb.event;
    let plain = matches!(e.subtype.as_deref(), None | Some("file_share"));
    let top_level = e.thread_ts.as_deref().is_none_or(|t| t == e.ts);
    let mentions_us = cb
        .authorizations
        .iter()
        .filter(|a| a.is_bot && !a.user_id.is_empty())
        .any(|a| e.text.contains(&format!("<@{}>", a.user_id)));
    plain && top_level && !mentions_us && !e.user.is_empty() && !e.ts.is_empty() && !e.text.trim().is_empty()
}
