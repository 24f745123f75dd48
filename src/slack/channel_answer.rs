//! Answers posted in a channel or group chat (a mention, an automatic answer, a shared answer):
//! rendered with the channel's settings (live-check buttons or not), carrying "✅ Solved it" and
//! "🙋 Still stuck" (and "Not useful here" on an automatic answer) in place of Helpful / Not
//! helpful, posted, and recorded in the store for the admin page.
//!
//! Owns the channel buttons' action ids and what their value carries ([`Asked`]: the code, when
//! and by whom it was asked, the question). Knows the store and the Web API client; the clicks
//! themselves are [`escalation`](super::escalation)'s.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::blocks::{self, HELPFUL, Message, NOT_HELPFUL, Render};
use super::payload::{Callback, strip_mentions};
use super::service::{COMMAND, SlackApp};
use crate::answer::{Answer, Outcome};
use crate::http::AppState;
use crate::store::{ChannelAnswer, ChannelSettings};

/// "✅ Solved it".
pub const SOLVED: &str = "support_solved";
/// "🙋 Still stuck".
pub const STILL_STUCK: &str = "support_stuck";
/// "Not useful here" (automatic answers only): hides the answer.
pub const NOT_USEFUL: &str = "support_hide";
/// The question is cut to this many characters in a button's value (Slack allows 2,000 in all).
const QUESTION_CHARS: usize = 1_200;

/// What the channel buttons carry: the code of the answer, when and by whom it was asked (Unix
/// seconds, a Slack user id), and the question (for "Still stuck").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asked {
    #[serde(rename = "c", default)]
    pub code: String,
    #[serde(rename = "a", default)]
    pub at: i64,
    #[serde(rename = "u", default)]
    pub user: String,
    #[serde(rename = "q", default, skip_serializing_if = "String::is_empty")]
    pub question: String,
}

impl Asked {
    /// A button value; within Slack's 2,000 characters whatever the question holds.
    pub fn to_value(&self, with_question: bool) -> String {
        let mut asked = self.clone();
        asked.question =
            if with_question { self.question.chars().take(QUESTION_CHARS).collect() } else { String::new() };
        let mut out = serde_json::to_string(&asked).unwrap_or_default();
        while out.chars().count() > 1_990 && !asked.question.is_empty() {
            let keep = asked.question.chars().count() * 3 / 4;
            asked.question = asked.question.chars().take(keep).collect();
            out = serde_json::to_string(&asked).unwrap_or_default();
        }
        out
    }

    /// Reads a button value; an unreadable one is a bare code (older messages).
    pub fn from_value(value: &str) -> Asked {
        serde_json::from_str(value).unwrap_or_else(|_| Asked { code: value.to_string(), ..Asked::default() })
    }
}

/// Seconds of a Slack `ts` (`"1700000000.000100"`), if it is one.
pub fn ts_seconds(ts: &str) -> Option<i64> {
    ts.split('.').next()?.parse().ok()
}

/// True for a direct message (no channel buttons there).
pub fn is_dm(channel: &str, channel_type: &str) -> bool {
    channel_type == "im" || channel.starts_with('D')
}

/// The guide an answer leads with, else the code it is about.
pub fn answer_code(answer: &Answer) -> (Option<String>, String) {
    match &answer.outcome {
        Outcome::Found { best, .. } => (Some(best.guide.code.to_string()), best.guide.code.to_string()),
        _ => (None, answer.lead_code().map(ToString::to_string).unwrap_or_default()),
    }
}

/// The answer to `text` for a channel with `settings`: `None` for empty text or `help` (usage
/// instead). Counts and logs the question like every other answer.
pub fn render(state: &AppState, slack: &SlackApp, text: &str, settings: &ChannelSettings) -> Option<(Answer, Message)> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("help") {
        return None;
    }
    let (answer, generation) = state.ask_tagged(text, "slack").ok()?;
    let r = Render { probe: state.probe.is_some() && settings.probe_buttons, ..Render::new(&slack.public_url) };
    let message = super::rendered::message(&state.renderings, generation, &answer, &r);
    Some((answer, message))
}

/// A shared answer for a channel (not a DM): rendered with the channel's settings, credited to
/// `sharer`, with the channel buttons; `Some((message, guide))` for a channel, `None` for a DM or
/// an empty question. The outer `Option` of the guide says "this is a channel answer".
pub async fn shared(
    state: &AppState,
    slack: &SlackApp,
    query: &str,
    sharer: &str,
    channel: &str,
) -> Option<(Message, Option<Option<String>>)> {
    if is_dm(channel, "") {
        return None;
    }
    let settings = settings(state, channel).await;
    let (answer, generation) = state.ask_tagged(query.trim(), "slack").ok()?;
    let r = Render {
        shared_by: Some(sharer),
        probe: state.probe.is_some() && settings.probe_buttons,
        ..Render::new(&slack.public_url)
    };
    let (guide, code) = answer_code(&answer);
    let asked = Asked { code, at: state.store.now(), user: sharer.to_string(), question: query.to_string() };
    let message = super::rendered::message(&state.renderings, generation, &answer, &r);
    Some((decorate(message, &asked, false), Some(guide)))
}

/// The usage message, for a mention without a question.
pub fn usage() -> Message {
    blocks::help(COMMAND)
}

/// The message with Helpful / Not helpful replaced by the channel buttons, in the last actions
/// block (the one the limit repair keeps).
pub fn decorate(mut message: Message, asked: &Asked, auto: bool) -> Message {
    let mut buttons = vec![
        button("✅ Solved it", SOLVED, &asked.to_value(false), Some("primary")),
        button("🙋 Still stuck", STILL_STUCK, &asked.to_value(true), None),
    ];
    if auto {
        buttons.push(button("Not useful here", NOT_USEFUL, &asked.to_value(false), None));
    }
    let last = message.blocks.iter_mut().rev().find(|b| b["type"] == "actions");
    match last.and_then(|b| b.get_mut("elements")).and_then(Value::as_array_mut) {
        Some(elements) => {
            elements.retain(|e| e["action_id"] != HELPFUL && e["action_id"] != NOT_HELPFUL);
            elements.splice(0..0, buttons);
        }
        None => message.blocks.push(json!({"type": "actions", "elements": buttons})),
    }
    message
}

/// A channel answer replaced by another rendering ("Show all steps", a "Did you mean" choice)
/// keeps its channel buttons: the clicked message's [`Asked`], now about `code`.
pub fn carry_over(clicked: Option<&Vec<Value>>, message: Message, code: &str) -> Message {
    let buttons = clicked.into_iter().flatten().filter_map(|b| b["elements"].as_array()).flatten();
    let mut found = None;
    let mut auto = false;
    for b in buttons {
        match b["action_id"].as_str() {
            Some(STILL_STUCK) => found = b["value"].as_str().map(Asked::from_value),
            Some(NOT_USEFUL) => auto = true,
            _ => {}
        }
    }
    match found {
        Some(asked) => decorate(message, &Asked { code: code.to_string(), ..asked }, auto),
        None => message,
    }
}

fn button(label: &str, action_id: &str, value: &str, style: Option<&str>) -> Value {
    let mut b = json!({"type": "button", "text": {"type": "plain_text", "text": label, "emoji": true},
        "action_id": action_id, "value": value});
    if let Some(style) = style {
        b["style"] = json!(style);
    }
    b
}

/// Where and how a channel answer goes.
#[derive(Debug, Clone, Copy)]
pub struct Post<'a> {
    pub team: &'a str,
    pub channel: &'a str,
    pub thread_ts: Option<&'a str>,
    pub guide: Option<&'a str>,
    pub auto: bool,
}

/// Posts a channel answer and records it; returns its `ts`.
pub async fn post(
    state: &AppState,
    slack: &SlackApp,
    token: &SecretString,
    to: &Post<'_>,
    message: &Message,
) -> Option<String> {
    match slack.api.post_message(token, to.channel, to.thread_ts, message).await {
        Ok(ts) => {
            record(state, to, &ts).await;
            Some(ts)
        }
        Err(e) => {
            tracing::warn!(error = %e, channel = to.channel, "posting a channel answer failed");
            None
        }
    }
}

/// Records a posted channel answer (a store failure is logged, never shown).
pub async fn record(state: &AppState, to: &Post<'_>, ts: &str) {
    if ts.is_empty() {
        return;
    }
    let row =
        ChannelAnswer { platform: "slack", channel_id: to.channel, answer_id: ts, guide_code: to.guide, auto: to.auto };
    if let Err(e) = state.store.record_channel_answer(&row).await {
        tracing::warn!(error = %e, "recording a channel answer failed");
    }
}

/// Answers a mention in a channel or group chat: in `thread_ts`, with the channel buttons and
/// the channel's live-check setting, recorded.
pub async fn answer_mention(
    state: &AppState,
    slack: &SlackApp,
    token: &SecretString,
    cb: &Callback,
    thread_ts: Option<&str>,
) {
    let e = &cb.event;
    let text = strip_mentions(&e.text);
    let settings = settings(state, &e.channel).await;
    let Some((answer, message)) = render(state, slack, &text, &settings) else {
        if let Err(e) = slack.api.post_message(token, &e.channel, thread_ts, &usage()).await {
            tracing::warn!(error = %e, "answering a Slack mention failed");
        }
        return;
    };
    let (guide, code) = answer_code(&answer);
    let at = ts_seconds(&e.ts).unwrap_or_else(|| state.store.now());
    let asked = Asked { code, at, user: e.user.clone(), question: text };
    let message = decorate(message, &asked, false);
    let to = Post { team: &cb.team_id, channel: &e.channel, thread_ts, guide: guide.as_deref(), auto: false };
    post(state, slack, token, &to, &message).await;
}

/// The settings of a Slack channel; the defaults when the store cannot say.
pub async fn settings(state: &AppState, channel: &str) -> ChannelSettings {
    match state.store.effective_channel_settings("slack", channel).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "reading channel settings failed; using the defaults");
            ChannelSettings::default_for("slack", channel)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_button_value_stays_within_slacks_limit_and_reads_back() {
        let asked =
            Asked { code: "AADSTS50011".into(), at: 1_700_000_000, user: "U1".into(), question: "\"é\"".repeat(900) };
        let value = asked.to_value(true);
        assert!(value.chars().count() <= 1_990, "{}", value.len());
        let back = Asked::from_value(&value);
        assert_eq!((back.code.as_str(), back.at, back.user.as_str()), ("AADSTS50011", 1_700_000_000, "U1"));
        assert!(!back.question.is_empty());
        assert!(Asked::from_value(&asked.to_value(false)).question.is_empty());
        assert_eq!(Asked::from_value("AADSTS7000215").code, "AADSTS7000215");
    }

    #[test]
    fn slack_timestamps_are_read_as_seconds() {
        assert_eq!(ts_seconds("1700000000.000100"), Some(1_700_000_000));
        assert_eq!(ts_seconds(""), None);
    }
}
