//! Events API processing, run in the background after the route has acknowledged: de-duplicates
//! by `event_id` through the store (so retries and several replicas answer once), ignores bots
//! (errkb included), answers `app_mention` in the thread (in a channel, through
//! [`channel_answer`](super::channel_answer)) and `message.im` in the DM, hands channel messages
//! to [`auto_answer`](super::auto_answer), publishes the App Home tab, and forgets a workspace on
//! `app_uninstalled` / `tokens_revoked`.
//!
//! Knows the store and the Web API client; never fails the request (it has already been acked).

use std::sync::Arc;
use std::time::Duration;

use super::blocks::Render;
use super::flows::answer_text;
use super::home;
use super::payload::{Callback, strip_mentions};
use super::service::{COMMAND, SlackApp};
use crate::http::AppState;

/// How long an event id is remembered (Slack retries within minutes).
pub const DEDUP_TTL: Duration = Duration::from_secs(3600);

/// Handles one event callback.
pub async fn handle(state: AppState, slack: Arc<SlackApp>, cb: Callback) {
    if cb.from_a_bot() {
        return;
    }
    if super::auto_answer::is_channel_message(&cb) {
        return super::auto_answer::handle(state, slack, cb).await;
    }
    if !claim(&state, &cb.event_id).await {
        return;
    }
    let e = &cb.event;
    match e.kind.as_str() {
        "app_mention" => {
            let thread = e.thread_ts.clone().unwrap_or_else(|| e.ts.clone());
            reply(&state, &slack, &cb, Some(thread)).await;
        }
        "message" if e.channel_type == "im" && is_plain(e.subtype.as_deref()) => {
            reply(&state, &slack, &cb, e.thread_ts.clone()).await;
        }
        "app_home_opened" if e.tab == "home" => publish_home(&state, &slack, &cb).await,
        "app_uninstalled" | "tokens_revoked" => match state.store.delete_installation("slack", &cb.team_id).await {
            Ok(gone) => tracing::info!(team = %cb.team_id, gone, "Slack workspace uninstalled"),
            Err(e) => tracing::warn!(error = %e, "removing the Slack installation failed"),
        },
        _ => {}
    }
}

/// Message subtypes that are a person writing (edits, joins, deletions are not).
fn is_plain(subtype: Option<&str>) -> bool {
    matches!(subtype, None | Some("thread_broadcast" | "file_share"))
}

/// True when this replica should process the event. A store error lets it through: answering
/// twice is better than not answering.
pub(super) async fn claim(state: &AppState, event_id: &str) -> bool {
    if event_id.is_empty() {
        return true;
    }
    match state.store.claim_event("slack", event_id, DEDUP_TTL).await {
        Ok(first) => {
            if !first {
                tracing::debug!(event_id, "Slack event already handled");
            }
            first
        }
        Err(e) => {
            tracing::warn!(error = %e, "event de-duplication failed; handling the event anyway");
            true
        }
    }
}

/// Answers a message once: a mention in a DM can arrive both as `app_mention` and as
/// `message.im` (two event ids, one message), so the message itself is claimed too.
async fn reply(state: &AppState, slack: &SlackApp, cb: &Callback, thread_ts: Option<String>) {
    if !cb.event.ts.is_empty() && !claim(state, &format!("message:{}:{}", cb.event.channel, cb.event.ts)).await {
        return;
    }
    let Some(token) = slack.token_for(&state.store, &cb.team_id).await else {
        tracing::warn!(team = %cb.team_id, "no Slack bot token for this workspace; event ignored");
        return;
    };
    if !super::channel_answer::is_dm(&cb.event.channel, &cb.event.channel_type) {
        return super::channel_answer::answer_mention(state, slack, &token, cb, thread_ts.as_deref()).await;
    }
    let message = answer_text(state, &strip_mentions(&cb.event.text), &Render::new(&slack.public_url));
    if let Err(e) = slack.api.post_message(&token, &cb.event.channel, thread_ts.as_deref(), &message).await {
        tracing::warn!(error = %e, "answering a Slack message failed");
    }
}

async fn publish_home(state: &AppState, slack: &SlackApp, cb: &Callback) {
    let Some(token) = slack.token_for(&state.store, &cb.team_id).await else { return };
    let top = match state.store.admin_stats(7, 5).await {
        Ok(stats) => stats.top_codes,
        Err(e) => {
            tracing::warn!(error = %e, "reading this week's top codes failed");
            Vec::new()
        }
    };
    let view = home::view(&slack.public_url, COMMAND, &top);
    if let Err(e) = slack.api.views_publish(&token, &cb.event.user, view).await {
        tracing::warn!(error = %e, "publishing the Slack App Home failed");
    }
}
