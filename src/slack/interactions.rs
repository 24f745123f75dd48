//! Interactivity processing, run after the route has acknowledged: "Share in channel" (posted
//! publicly, crediting who shared it), Helpful / Not helpful (stored; the message thanks the
//! user), "Show all steps", "Did you mean" choices, link-button clicks (counted), and the
//! `explain_error` message shortcut (a private answer), and the live-check buttons (handed to
//! [`probe`]). [`view_submission`] routes modal submissions (the quick check's is [`probe`]'s).
//!
//! Knows the store and the Web API client; errors are logged, never shown as an HTTP failure.

use std::sync::Arc;

use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::blocks::{
    self, DID_YOU_MEAN, DOC_LINK, FULL_GUIDE, HELPFUL, Message, NOT_HELPFUL, OFFICIAL_LOOKUP, PROBE_LINK, PROBE_QUICK,
    Render, SHARE, SHOW_ALL_STEPS,
};
use super::channel_answer;
use super::dispatch::Ack;
use super::flows::{answer_code, answer_text};
use super::payload::{Action, Interaction};
use super::probe;
use super::service::{EXPLAIN_ERROR, SlackApp};
use crate::http::AppState;
use crate::store::{Feedback, hash_user};

/// Handles a block action or a message shortcut.
pub async fn handle(state: AppState, slack: Arc<SlackApp>, mut i: Interaction) {
    match i.kind.as_str() {
        "block_actions" => {
            if let Some(action) = i.actions.first().cloned() {
                on_action(&state, &slack, &mut i, &action).await;
            }
        }
        "message_action" if i.callback_id == EXPLAIN_ERROR => explain(&state, &slack, &i).await,
        other => tracing::debug!(kind = other, callback_id = %i.callback_id, "Slack interaction ignored"),
    }
}

/// A modal was submitted: the quick check answers with field errors or runs; any other
/// submission closes its modal (an empty acknowledgement, as Slack requires).
pub fn view_submission(state: &AppState, slack: &Arc<SlackApp>, i: &Interaction) -> Ack {
    let callback_id = i.view.as_ref().and_then(|v| v.get("callback_id")).and_then(Value::as_str).unwrap_or_default();
    tracing::debug!(callback_id, "Slack view submission");
    match callback_id {
        probe::QUICK_CALLBACK => probe::view_submission(state, slack, i),
        super::channels::CALLBACK => super::channels::view_submission(state, slack, i),
        _ => Ack::Empty,
    }
}

async fn on_action(state: &AppState, slack: &SlackApp, i: &mut Interaction, action: &Action) {
    let id = action.action_id.as_str();
    let render = Render { shareable: i.container.is_ephemeral, ..Render::new(&slack.public_url) };
    match id {
        SHARE => share(state, slack, i, &action.value).await,
        HELPFUL | NOT_HELPFUL => feedback(state, slack, i, &action.value, id == HELPFUL).await,
        SHOW_ALL_STEPS => {
            let message = answer_code(state, &action.value, &Render { all_steps: true, ..render });
            let message = channel_answer::carry_over(i.message_blocks(), message, &action.value);
            respond(slack, i, message, json!({"replace_original": true})).await;
        }
        _ if id.starts_with(DID_YOU_MEAN) => {
            let message = answer_code(state, &action.value, &render);
            let message = channel_answer::carry_over(i.message_blocks(), message, &action.value);
            respond(slack, i, message, json!({"replace_original": true})).await;
        }
        PROBE_LINK => probe::link(state, slack, i, &action.value).await,
        PROBE_QUICK => probe::open_quick(state, slack, i).await,
        _ if super::escalation::handles(id) => super::escalation::on_click(state, slack, i, action).await,
        FULL_GUIDE | OFFICIAL_LOOKUP => count_click(state, slack, action).await,
        _ if id.starts_with(DOC_LINK) => count_click(state, slack, action).await,
        _ => tracing::debug!(action_id = id, "unknown Slack action ignored"),
    }
}

/// Counts a link-button click in the store, unless its URL is errkb's `/go/...`, which counts
/// the click itself when the browser follows it.
async fn count_click(state: &AppState, slack: &SlackApp, action: &Action) {
    if action.url.starts_with(&format!("{}/go/", slack.public_url)) {
        return;
    }
    let code = if action.value.is_empty() { "none" } else { action.value.as_str() };
    let link = action.action_id.replace(DOC_LINK, "doc");
    if let Err(e) = state.store.record_link_click("slack", code, &link).await {
        tracing::warn!(error = %e, "counting a Slack link click failed");
    }
}

/// Posts the answer publicly, credited to the user, then removes the private copy. Without a
/// token, or when the bot may not post there, the response_url posts it in the channel instead.
async fn share(state: &AppState, slack: &SlackApp, i: &Interaction, query: &str) {
    let (message, guide) = match channel_answer::shared(state, slack, query, &i.user.id, i.channel_id()).await {
        Some(shared) => shared,
        None => {
            (answer_text(state, query, &Render { shared_by: Some(&i.user.id), ..Render::new(&slack.public_url) }), None)
        }
    };
    let posted = match slack.token_for(&state.store, &i.team.id).await {
        Some(token) => slack.api.post_message(&token, i.channel_id(), None, &message).await.map_err(|e| e.to_string()),
        None => Err("no bot token".to_string()),
    };
    match posted {
        Ok(ts) => {
            if let Some(guide) = guide {
                let to = channel_answer::Post {
                    team: &i.team.id,
                    channel: i.channel_id(),
                    thread_ts: None,
                    guide: guide.as_deref(),
                    auto: false,
                };
                channel_answer::record(state, &to, &ts).await;
            }
            respond(slack, i, Message { text: String::new(), blocks: vec![] }, json!({"delete_original": true})).await
        }
        Err(reason) => {
            tracing::info!(reason, "sharing through chat.postMessage failed; using the response_url");
            respond(slack, i, message, json!({"response_type": "in_channel", "replace_original": false})).await;
        }
    }
}

async fn feedback(state: &AppState, slack: &SlackApp, i: &mut Interaction, code: &str, helpful: bool) {
    let message_ts =
        if i.container.message_ts.is_empty() { i.trigger_id.as_str() } else { i.container.message_ts.as_str() };
    let answer_id = format!("slack:{}:{message_ts}", i.channel_id());
    let vote = Feedback {
        answer_id: &answer_id,
        guide_code: code,
        vote: if helpful { 1 } else { -1 },
        platform: "slack",
        user_hash: hash_user(state.settings.user_hash_salt.expose_secret(), "slack", &i.user.id),
    };
    if let Err(e) = state.store.record_feedback(&vote).await {
        tracing::warn!(error = %e, "storing Slack feedback failed");
    }
    let blocks = match i.take_message_blocks() {
        Some(blocks) => blocks,
        None => {
            answer_code(state, code, &Render { shareable: i.container.is_ephemeral, ..Render::new(&slack.public_url) })
                .blocks
        }
    };
    let text = if helpful { "Thanks: glad it helped." } else { "Thanks for the feedback." };
    let message = Message { text: text.into(), blocks: blocks::thank(blocks, helpful) };
    respond(slack, i, message, json!({"replace_original": true})).await;
}

/// The `explain_error` shortcut: a private answer about the message's text.
async fn explain(state: &AppState, slack: &SlackApp, i: &Interaction) {
    let message = answer_text(state, i.message_text(), &Render { shareable: true, ..Render::new(&slack.public_url) });
    if !i.response_url.is_empty() {
        return respond(slack, i, message, json!({"response_type": "ephemeral"})).await;
    }
    let Some(token) = slack.token_for(&state.store, &i.team.id).await else { return };
    if let Err(e) = slack.api.post_ephemeral(&token, i.channel_id(), &i.user.id, None, &message).await {
        tracing::warn!(error = %e, "answering the Explain this error shortcut failed");
    }
}

async fn respond(slack: &SlackApp, i: &Interaction, message: Message, extra: Value) {
    if i.response_url.is_empty() {
        tracing::debug!("Slack interaction without a response_url; nothing to update");
        return;
    }
    if let Err(e) = slack.api.respond(&i.response_url, message, extra).await {
        tracing::warn!(error = %e, "posting to a Slack response_url failed");
    }
}
