//! A Teams channel's settings: `@errkb settings` in a channel (or group chat) shows them in a
//! card (answer mode and live-check buttons, saved with `Action.Execute`), and `@errkb experts
//! @person @tag` chooses who "Still stuck" calls in, from the message's own mention entities (the
//! ids and names Teams vouches for); `@errkb experts none` clears them. Only the people in
//! `ERRKB_CHANNEL_ADMINS` (by Teams user id or Entra object id) may change anything; anyone else
//! is told, politely, who can.
//!
//! Owns the settings card and the command words. Knows the store and the connector (replies).

use std::sync::Arc;

use serde_json::{Value, json};

use super::activity::Activity;
use super::card;
use super::service::TeamsApp;
use super::support::{channel_of, is_group, reply, settings};
use super::text::neutralise;
use crate::http::AppState;
use crate::store::{AnswerMode, ChannelSettings, EscalationTarget};

/// The settings card's save verb.
pub const VERB_SAVE: &str = "channel_settings";
pub const INPUT_MODE: &str = "answer_mode";
pub const INPUT_PROBE: &str = "probe_buttons";

/// `settings`, or `experts ...`.
pub fn is_command(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
    first == "settings" || first == "experts"
}

/// `ERRKB_CHANNEL_ADMINS` names this user (Teams id or Entra object id).
fn allowed(state: &AppState, a: &Activity, raw: &Value) -> bool {
    let id = a.from.as_ref().map_or("", |f| f.id.as_str());
    let aad = raw["from"]["aadObjectId"].as_str().unwrap_or_default();
    state.settings.is_channel_admin("teams", &[id, aad])
}

/// Handles `settings` or `experts ...` (after the route has answered 200): a reply in the thread.
pub async fn command(state: &AppState, teams: &Arc<TeamsApp>, a: &Activity, raw: &Value, text: &str) {
    let card = if !allowed(state, a, raw) {
        refusal_card()
    } else if text.split_whitespace().next().is_some_and(|w| w.eq_ignore_ascii_case("settings")) {
        settings_card(&settings(state, &channel_of(a)).await, state.probe.is_some())
    } else {
        set_experts(state, a, raw, text).await
    };
    reply(teams, a, card, "errkb settings").await;
}

fn refusal_card() -> Value {
    notice(
        "Sorry, only channel admins can change errkb's settings: the people listed in ERRKB_CHANNEL_ADMINS on \
         this errkb. Ask one of them.",
    )
}

/// `experts @A @tag` (the mention entities other than the bot), or `experts none`.
async fn set_experts(state: &AppState, a: &Activity, raw: &Value, text: &str) -> Value {
    let bot = a.recipient.as_ref().map_or("", |r| r.id.as_str());
    let targets: Vec<EscalationTarget> = a
        .entities
        .iter()
        .filter(|e| {
            e["type"] == "mention" && e["mentioned"]["id"].as_str().is_some_and(|id| !id.is_empty() && id != bot)
        })
        .map(|e| EscalationTarget {
            kind: if e["mentioned"]["type"] == "tag" { "tag".into() } else { "user".into() },
            id: e["mentioned"]["id"].as_str().unwrap_or_default().to_string(),
            name: e["mentioned"]["name"].as_str().unwrap_or_default().trim_start_matches('@').to_string(),
        })
        .collect();
    let clearing = text.split_whitespace().nth(1).is_some_and(|w| w.eq_ignore_ascii_case("none"));
    if targets.is_empty() && !clearing {
        return notice(
            "Mention the people (or the tag) to call in: \"@errkb experts @Alice @Support\". \"@errkb experts none\" clears them.",
        );
    }
    let current = settings(state, &channel_of(a)).await;
    let updated =
        ChannelSettings { escalation: targets, updated_by: who(a, raw), channel_name: name_of(raw), ..current };
    save_and_summarise(state, &updated).await
}

/// The settings card was saved (`Action.Execute`): the card is replaced by a summary.
pub async fn save(state: &AppState, a: &Activity, raw: &Value, data: &Value) -> Value {
    if !allowed(state, a, raw) {
        return refusal_card();
    }
    if !is_group(a) {
        return notice("Settings are per channel: send \"@errkb settings\" in the channel you want to set up.");
    }
    let current = settings(state, &channel_of(a)).await;
    let probe = data[INPUT_PROBE].as_str().map_or(current.probe_buttons, |v| v == "true");
    let updated = ChannelSettings {
        answer_mode: AnswerMode::parse(data[INPUT_MODE].as_str().unwrap_or_default()),
        probe_buttons: probe,
        updated_by: who(a, raw),
        channel_name: name_of(raw),
        ..current
    };
    save_and_summarise(state, &updated).await
}

fn who(a: &Activity, raw: &Value) -> String {
    let aad = raw["from"]["aadObjectId"].as_str().unwrap_or_default();
    if aad.is_empty() { a.from.as_ref().map_or(String::new(), |f| f.id.clone()) } else { aad.to_string() }
}

/// The channel's name when Teams gives it (`channelData.channel.name`).
fn name_of(raw: &Value) -> Option<String> {
    raw["channelData"]["channel"]["name"].as_str().filter(|n| !n.is_empty()).map(String::from)
}

async fn save_and_summarise(state: &AppState, s: &ChannelSettings) -> Value {
    match state.store.save_channel_settings(s).await {
        Ok(()) => summary_card(s),
        Err(e) => {
            tracing::warn!(error = %e, "saving channel settings failed");
            notice("The settings could not be saved (the database did not answer); please try again.")
        }
    }
}

fn experts_line(s: &ChannelSettings) -> String {
    let names: Vec<String> =
        s.escalation.iter().map(|t| neutralise(if t.name.is_empty() { &t.id } else { &t.name })).collect();
    if names.is_empty() { "nobody yet".to_string() } else { names.join(", ") }
}

/// The settings card: answer mode and live-check buttons to save, experts to change by command.
pub fn settings_card(s: &ChannelSettings, probe_on: bool) -> Value {
    let choices = json!([
        {"title": "Only when mentioned", "value": AnswerMode::Mention.as_str()},
        {"title": "Also answer pasted errors (an error code or Entra's message), once per thread", "value": AnswerMode::Auto.as_str()},
    ]);
    let probe_note = if probe_on { "" } else { " (the live check is off on this errkb)" };
    let body = vec![
        json!({"type": "TextBlock", "text": "errkb settings for this channel", "weight": "Bolder", "size": "Medium", "wrap": true}),
        json!({"type": "Input.ChoiceSet", "id": INPUT_MODE, "label": "Answers", "style": "expanded",
            "value": s.answer_mode.as_str(), "choices": choices}),
        json!({"type": "Input.Toggle", "id": INPUT_PROBE, "title": format!("Show the live-check buttons{probe_note}"),
            "value": if s.probe_buttons { "true" } else { "false" }, "valueOn": "true", "valueOff": "false"}),
        json!({"type": "TextBlock", "text": format!("Still stuck calls in: {}", experts_line(s)), "wrap": true, "separator": true}),
        json!({"type": "TextBlock", "wrap": true, "isSubtle": true,
            "text": "To choose who is called in, send \"@errkb experts @person @tag\" here; \"@errkb experts none\" clears them."}),
        json!({"type": "TextBlock", "wrap": true, "isSubtle": true,
            "text": "Automatic answers need the app installed with consent to read this team's channel messages (errkb manifest teams --auto-answer)."}),
    ];
    let data = json!({});
    let actions = vec![json!({"type": "Action.Execute", "title": "Save", "verb": VERB_SAVE, "data": data,
        "fallback": {"type": "Action.Submit", "title": "Save", "data": {"verb": VERB_SAVE}}})];
    card_of(body, actions, "errkb settings for this channel")
}

/// What was saved.
pub fn summary_card(s: &ChannelSettings) -> Value {
    let answers = match s.answer_mode {
        AnswerMode::Mention => "only when mentioned",
        AnswerMode::Auto => "also pasted errors, automatically, once per thread",
    };
    let lines = format!(
        "- Answers: {answers}\r- Still stuck calls in: {}\r- Live-check buttons: {}",
        experts_line(s),
        if s.probe_buttons { "shown" } else { "hidden" }
    );
    let body = vec![
        json!({"type": "TextBlock", "text": "errkb's settings for this channel were saved", "weight": "Bolder", "wrap": true}),
        json!({"type": "TextBlock", "text": lines, "wrap": true}),
    ];
    card_of(body, Vec::new(), "errkb's settings for this channel were saved")
}

fn notice(text: &str) -> Value {
    card_of(vec![json!({"type": "TextBlock", "text": text, "wrap": true})], Vec::new(), text)
}

fn card_of(body: Vec<Value>, actions: Vec<Value>, fallback: &str) -> Value {
    json!({"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": card::VERSION, "fallbackText": fallback, "body": body, "actions": actions})
}
