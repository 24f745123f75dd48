//! Teams in channels and group chats: activities de-duplicated by id through the store (a retry,
//! or the same activity at two replicas, is answered once), answers carrying "Solved it" and
//! "Still stuck" (and "Not useful here" when automatic) with the channel's live-check setting,
//! recorded for the admin page, and automatic answers: with resource-specific consent
//! (`ChannelMessage.Read.Group`) the bot receives every channel message; a person's new post that
//! holds an error code or one of Entra's messages is answered once, in its thread, paced per
//! channel, in channels set to `auto`. Every other unmentioned message is ignored.
//!
//! Owns the routing of those activities (settings are [`channels`](super::channels)', the
//! buttons' clicks [`escalation`](super::escalation)'s) and what the buttons carry ([`Asked`]).

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::activity::Activity;
use super::card::{self, MAX_ACTIONS, Mode, Render, VERB_FEEDBACK};
use super::connector::ReplyTo;
use super::service::TeamsApp;
use super::{channels, escalation};
use crate::answer::Outcome;
use crate::http::AppState;
use crate::http::certain::confident;
use crate::store::{AnswerMode, ChannelAnswer, ChannelSettings};

/// How long an activity id is remembered (Teams retries within seconds to minutes).
pub const DEDUP_TTL: Duration = Duration::from_secs(3600);
/// The question is cut to this many characters in a button's data.
const QUESTION_CHARS: usize = 1_500;

/// What the channel buttons carry: the answer's code, when the question was asked (Unix
/// seconds), who asked it, and the question.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asked {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub asked: i64,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub q: String,
}

/// True the first time this activity is seen by any replica; invokes always pass (they are
/// answered in their own HTTP response, and what they record is recorded once by the store).
pub async fn first_delivery(state: &AppState, a: &Activity) -> bool {
    let Some(id) = a.id.as_deref().filter(|id| !id.is_empty() && a.kind != "invoke") else { return true };
    let conversation = a.conversation.as_ref().map_or("", |c| c.id.as_str());
    match state.store.claim_event("teams", &format!("{conversation}|{id}"), DEDUP_TTL).await {
        Ok(first) => {
            if !first {
                tracing::debug!(id, "Teams activity already handled");
            }
            first
        }
        Err(e) => {
            tracing::warn!(error = %e, "activity de-duplication failed; handling the activity anyway");
            true
        }
    }
}

/// Handles what belongs to channels and group chats; `None` leaves the activity to the bot's
/// general flow (personal chat, message extension, feedback, ...).
pub async fn route(state: &AppState, teams: &Arc<TeamsApp>, a: &Activity, raw: &Value) -> Option<Response> {
    if a.kind == "invoke" && a.name.as_deref() == Some("adaptiveCard/action") {
        let action = &a.value.as_ref()?["action"];
        let verb = action["verb"].as_str()?;
        let data = if action["data"].is_object() { action["data"].clone() } else { json!({}) };
        let card = if escalation::is_verb(verb) {
            escalation::resolve(state, teams, a, verb, &data).await
        } else if verb == channels::VERB_SAVE {
            channels::save(state, a, raw, &data).await
        } else {
            return None;
        };
        return Some(Json(json!({"statusCode": 200, "type": card::CONTENT_TYPE, "value": card})).into_response());
    }
    if a.kind != "message" {
        return None;
    }
    if let Some(verb) = a.value.as_ref().and_then(|v| v["verb"].as_str()) {
        return submitted(state, teams, a, raw, verb).await;
    }
    if !is_group(a) {
        return None;
    }
    // A message is handled after its 200, in the route's background task: awaited here, so it
    // stays within that task's place in the budget.
    if mentions_bot(a) {
        let text = a.question_text();
        if channels::is_command(&text) {
            channels::command(state, teams, a, raw, &text).await;
        } else {
            answer(state, teams, a, &text, false).await;
        }
    } else {
        auto_answer(state, teams, a, raw).await;
    }
    Some(StatusCode::OK.into_response())
}

/// An `Action.Submit` fallback of our buttons (older clients): handled, the card sent as a reply.
async fn submitted(state: &AppState, teams: &Arc<TeamsApp>, a: &Activity, raw: &Value, verb: &str) -> Option<Response> {
    if !escalation::is_verb(verb) && verb != channels::VERB_SAVE {
        return None;
    }
    let data = a.value.clone().unwrap_or(Value::Null);
    let card = if verb == channels::VERB_SAVE {
        channels::save(state, a, raw, &data).await
    } else {
        escalation::resolve(state, teams, a, verb, &data).await
    };
    reply(teams, a, card, "errkb").await;
    Some(StatusCode::OK.into_response())
}

/// A channel or a group chat.
pub fn is_group(a: &Activity) -> bool {
    let kind = a.conversation.as_ref().and_then(|c| c.conversation_type.as_deref());
    matches!(kind, Some("channel" | "groupChat"))
}

/// True when the bot itself is mentioned (per the mention entities, Microsoft's advice).
pub fn mentions_bot(a: &Activity) -> bool {
    let Some(bot) = &a.recipient else { return false };
    a.entities.iter().any(|e| e["type"] == "mention" && e["mentioned"]["id"].as_str() == Some(bot.id.as_str()))
}

/// The channel (or group chat) a conversation is in: its id without the `;messageid=` thread.
pub fn channel_of(a: &Activity) -> String {
    let id = a.conversation.as_ref().map_or("", |c| c.id.as_str());
    id.split(';').next().unwrap_or_default().to_string()
}

/// A new post, not a reply in a thread: the conversation's thread is the activity itself.
fn is_top_level(a: &Activity) -> bool {
    let id = a.conversation.as_ref().map_or("", |c| c.id.as_str());
    match id.split_once(";messageid=") {
        Some((_, thread)) => Some(thread) == a.id.as_deref(),
        None => true,
    }
}

fn from_a_bot(a: &Activity, raw: &Value) -> bool {
    let id = a.from.as_ref().map_or("", |f| f.id.as_str());
    id.starts_with("28:") || raw["from"]["role"] == "bot" || a.recipient.as_ref().is_some_and(|r| r.id == id)
}

/// The settings of a Teams channel; the defaults when the store cannot say.
pub async fn settings(state: &AppState, channel: &str) -> ChannelSettings {
    match state.store.effective_channel_settings("teams", channel).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "reading channel settings failed; using the defaults");
            ChannelSettings::default_for("teams", channel)
        }
    }
}

/// A person's new channel post: answered when the channel is set to `auto` and the answer is
/// certain, once per thread, paced per channel.
async fn auto_answer(state: &AppState, teams: &Arc<TeamsApp>, a: &Activity, raw: &Value) {
    let channel = channel_of(a);
    let is_channel = a.conversation.as_ref().and_then(|c| c.conversation_type.as_deref()) == Some("channel");
    let text = a.question_text();
    if !is_channel || !is_top_level(a) || from_a_bot(a, raw) || text.is_empty() {
        return;
    }
    if settings(state, &channel).await.answer_mode != AnswerMode::Auto || !confident(state, &text) {
        return;
    }
    let thread = a.conversation.as_ref().map_or(String::new(), |c| c.id.clone());
    match state.store.claim_event("teams", &format!("auto:{thread}"), DEDUP_TTL).await {
        Ok(false) => return,
        Ok(true) => {}
        Err(e) => tracing::warn!(error = %e, "thread claim failed; answering anyway"),
    }
    let key = format!("teams:{channel}");
    if let Err(full) = state.pacer.run(&key, answer(state, teams, a, &text, true)).await {
        tracing::warn!(channel, %full, "automatic answer not posted: too many are waiting in this channel");
    }
}

/// Answers `text` in the activity's thread with the channel buttons, and records the answer.
async fn answer(state: &AppState, teams: &Arc<TeamsApp>, a: &Activity, text: &str, auto: bool) {
    if text.is_empty() || matches!(text.to_ascii_lowercase().as_str(), "help" | "hi" | "hello" | "start") {
        reply(teams, a, card::welcome_card(&state.settings.public_url), "How to use errkb").await;
        return;
    }
    let channel = channel_of(a);
    let settings = settings(state, &channel).await;
    let Ok((answer, generation)) = state.ask_tagged(text, "teams") else { return };
    let r = Render {
        public_url: &state.settings.public_url,
        mode: Mode::Bot,
        probe: state.probe.is_some() && settings.probe_buttons,
    };
    let guide = match &answer.outcome {
        Outcome::Found { best, .. } => Some(best.guide.code.to_string()),
        _ => None,
    };
    let code = guide.clone().or_else(|| answer.lead_code().map(ToString::to_string)).unwrap_or_default();
    let from = a.from.clone().unwrap_or_default();
    let asked = Asked {
        code,
        asked: state.store.now(),
        user: from.id,
        name: from.name.unwrap_or_default(),
        q: text.chars().take(QUESTION_CHARS).collect(),
    };
    let card = decorate(super::rendered::answer_card(&state.renderings, generation, &answer, &r), &asked, auto);
    let Some(id) = reply(teams, a, card, &card::fallback_text(&answer, &r)).await else { return };
    let row =
        ChannelAnswer { platform: "teams", channel_id: &channel, answer_id: &id, guide_code: guide.as_deref(), auto };
    if let Err(e) = state.store.record_channel_answer(&row).await {
        tracing::warn!(error = %e, "recording a channel answer failed");
    }
}

/// The card with Helpful / Not helpful replaced by the channel buttons (`Action.Execute`, with an
/// `Action.Submit` fallback), within Teams' six actions.
pub fn decorate(mut card: Value, asked: &Asked, auto: bool) -> Value {
    let data = serde_json::to_value(asked).unwrap_or(Value::Null);
    let mut buttons = vec![
        execute("✅ Solved it", escalation::VERB_SOLVED, &data, true),
        execute("🙋 Still stuck", escalation::VERB_STUCK, &data, false),
    ];
    if auto {
        buttons.push(execute("Not useful here", escalation::VERB_HIDE, &data, false));
    }
    let actions = card["actions"].as_array().cloned().unwrap_or_default();
    let mut kept: Vec<Value> = actions.into_iter().filter(|a| a["verb"] != VERB_FEEDBACK).collect();
    while kept.len() + buttons.len() > MAX_ACTIONS {
        let last_link = kept.iter().rposition(|a| a["type"] == "Action.OpenUrl");
        match last_link {
            Some(i) => kept.remove(i),
            None => kept.pop().unwrap_or_default(),
        };
    }
    buttons.extend(kept);
    card["actions"] = json!(buttons);
    card
}

fn execute(title: &str, verb: &str, data: &Value, positive: bool) -> Value {
    let mut submit = data.clone();
    submit["verb"] = json!(verb);
    let mut action = json!({"type": "Action.Execute", "title": title, "verb": verb, "data": data,
        "fallback": {"type": "Action.Submit", "title": title, "data": submit}});
    if positive {
        action["style"] = json!("positive");
    }
    action
}

/// Replies in the activity's conversation (its thread, in a channel); returns the new message id.
pub async fn reply(teams: &TeamsApp, a: &Activity, card: Value, summary: &str) -> Option<String> {
    let bot = teams.bot.as_ref()?;
    let (Some(service_url), Some(conversation), Some(id)) = (&a.service_url, &a.conversation, &a.id) else {
        tracing::info!("Teams activity without serviceUrl, conversation or id: no reply sent");
        return None;
    };
    let to = ReplyTo { service_url, conversation_id: &conversation.id, activity_id: id };
    match bot.connector.reply(&to, &a.reply_with_card(card, summary)).await {
        Ok(id) => Some(id.unwrap_or_default()).filter(|id| !id.is_empty()),
        Err(e) => {
            tracing::warn!(error = %e, "Teams reply failed");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thread_of_a_channel_post_is_the_post_itself() {
        let mut a = Activity { id: Some("1700".into()), ..Default::default() };
        a.conversation = Some(super::super::activity::Conversation {
            id: "19:abc@thread.tacv2;messageid=1700".into(),
            conversation_type: Some("channel".into()),
            tenant_id: None,
        });
        assert!(is_top_level(&a));
        assert_eq!(channel_of(&a), "19:abc@thread.tacv2");
        a.id = Some("1800".into());
        assert!(!is_top_level(&a), "a reply in the thread of 1700");
    }
}
