//! What the bot does with an authenticated activity, as a pure decision: answer a message with a
//! card (personal chat, channel thread, group chat), welcome a new install, answer card actions
//! (`adaptiveCard/action`: feedback, "Did you mean"), Teams' own feedback (`message/submitAction`)
//! and message-extension searches (`composeExtension/query`).
//!
//! Owns the invoke response shapes and the routing on activity type, invoke name and verb. Knows
//! nothing of HTTP, tokens or the store: [`Knowledge`] answers questions and the caller posts
//! replies and records [`Vote`]s.

use std::sync::Arc;

use serde_json::{Value, json};

use super::activity::Activity;
use super::card::{self, Mode, Render, VERB_FEEDBACK, VERB_SHOW};
use crate::answer::Answer;
use crate::kb::Guide;

/// Teams refuses message-extension result cards over 28 KB.
pub const MAX_RESULT_CARD_BYTES: usize = 28 * 1024;
/// Codes offered when the message extension opens with no query yet (`initialRun`).
const STARTER_CODES: &[&str] = &["AADSTS50011", "AADSTS7000215", "AADSTS700016", "AADSTS50076", "AADSTS65001"];

/// Where answers come from.
pub trait Knowledge {
    fn ask(&self, text: &str) -> Option<Answer>;
    fn guide(&self, code: &str) -> Option<Arc<Guide>>;
    /// The card for an answer from [`Knowledge::ask`] (a cache may keep its rendering).
    fn answer_card(&self, answer: &Answer, r: &Render) -> Value {
        card::answer_card(answer, r)
    }
}

/// What to do with an activity.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// 200 and nothing else (typing, reactions, installationUpdate, ...).
    Ack,
    /// 200 at once, then post this reply activity through the connector.
    Reply(Value),
    /// 200 with this body (invokes are answered in the HTTP response).
    Invoke(Value),
    /// 400: the activity is unusable.
    BadRequest(&'static str),
}

/// A Helpful / Not helpful vote to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Vote {
    pub code: String,
    pub helpful: bool,
    pub user_id: String,
    pub message_id: String,
}

/// Decides how to answer `a`, and which vote (if any) to record.
pub fn decide(a: &Activity, k: &dyn Knowledge, r: &Render) -> (Decision, Option<Vote>) {
    match a.kind.as_str() {
        "message" => message(a, k, r),
        "conversationUpdate" if a.adds_the_bot() => {
            (Decision::Reply(a.reply_with_card(card::welcome_card(r.public_url), "Welcome to errkb")), None)
        }
        "invoke" => invoke(a, k, r),
        _ => (Decision::Ack, None),
    }
}

fn message(a: &Activity, k: &dyn Knowledge, r: &Render) -> (Decision, Option<Vote>) {
    if let Some(value) = a.value.as_ref().filter(|v| v.get("verb").is_some()) {
        // Action.Submit, the fallback of our Action.Execute buttons on older clients.
        let (card, vote) = card_action(value, a, k, r);
        return match card {
            Some(card) => (Decision::Reply(a.reply_with_card(card, "errkb")), vote),
            None => (Decision::Ack, vote),
        };
    }
    let text = a.question_text();
    if text.is_empty() || matches!(text.to_ascii_lowercase().as_str(), "help" | "hi" | "hello" | "start") {
        return (Decision::Reply(a.reply_with_card(card::welcome_card(r.public_url), "How to use errkb")), None);
    }
    let Some(answer) = k.ask(&text) else { return (Decision::Ack, None) };
    let summary = card::fallback_text(&answer, r);
    (Decision::Reply(a.reply_with_card(k.answer_card(&answer, r), &summary)), None)
}

fn invoke(a: &Activity, k: &dyn Knowledge, r: &Render) -> (Decision, Option<Vote>) {
    let value = a.value.clone().unwrap_or(Value::Null);
    match a.name.as_deref() {
        Some("adaptiveCard/action") => {
            let action = &value["action"];
            let mut data = action["data"].clone();
            if !data.is_object() {
                data = json!({});
            }
            data["verb"] = action["verb"].clone();
            let (card, vote) = card_action(&data, a, k, r);
            let body = match card {
                Some(card) => json!({"statusCode": 200, "type": card::CONTENT_TYPE, "value": card}),
                None => json!({"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                    "value": "Sorry, that button is no longer available."}),
            };
            (Decision::Invoke(body), vote)
        }
        Some("message/submitAction") => (Decision::Invoke(json!({"statusCode": 200})), native_feedback(a, &value)),
        Some("composeExtension/query") => (Decision::Invoke(search(&value, k, r)), None),
        _ => (Decision::BadRequest("unsupported invoke"), None),
    }
}

/// Our card buttons: `feedback {code, helpful}` and `show {code}`.
fn card_action(data: &Value, a: &Activity, k: &dyn Knowledge, r: &Render) -> (Option<Value>, Option<Vote>) {
    let Some(guide) = data["code"].as_str().and_then(|c| k.guide(c)) else { return (None, None) };
    match data["verb"].as_str() {
        Some(VERB_FEEDBACK) => {
            let helpful = data["helpful"].as_bool().unwrap_or(data["vote"] == "up");
            let vote = vote(a, guide.code.as_str(), helpful);
            (Some(card::thanks_card(&guide, helpful, r)), Some(vote))
        }
        Some(VERB_SHOW) => (Some(card::guide_card(&guide, r)), None),
        _ => (None, None),
    }
}

/// Teams' built-in thumbs: `{actionName: "feedback", actionValue: {reaction: "like"|"dislike"}}`.
fn native_feedback(a: &Activity, value: &Value) -> Option<Vote> {
    if value["actionName"] != "feedback" {
        return None;
    }
    let helpful = match value["actionValue"]["reaction"].as_str()? {
        "like" => true,
        "dislike" => false,
        _ => return None,
    };
    Some(vote(a, "", helpful))
}

fn vote(a: &Activity, code: &str, helpful: bool) -> Vote {
    Vote {
        code: code.to_string(),
        helpful,
        user_id: a.from.as_ref().map(|f| f.id.clone()).unwrap_or_default(),
        message_id: a.reply_to_id.clone().unwrap_or_default(),
    }
}

/// `composeExtension/query`: a result list of guide cards (open-URL buttons only, as the card is
/// posted by the user) with thumbnail previews, each under [`MAX_RESULT_CARD_BYTES`].
fn search(value: &Value, k: &dyn Knowledge, r: &Render) -> Value {
    let params = value["parameters"].as_array().cloned().unwrap_or_default();
    let initial = params.iter().any(|p| p["name"] == "initialRun");
    let query =
        params.iter().find(|p| p["name"] != "initialRun").and_then(|p| p["value"].as_str()).unwrap_or("").trim();
    let guides: Vec<Arc<Guide>> = if initial || query.is_empty() {
        STARTER_CODES.iter().filter_map(|c| k.guide(c)).collect()
    } else {
        k.ask(query).map(|a| a.hits().into_iter().map(|h| h.guide.clone()).collect()).unwrap_or_default()
    };
    if guides.is_empty() {
        return json!({"composeExtension": {"type": "message", "text": "No guide matches. Try an error code such as AADSTS50011."}});
    }
    let lite = Render { public_url: r.public_url, mode: Mode::Lite, probe: false };
    let attachments: Vec<Value> = guides
        .iter()
        .map(|g| (card::guide_card(g, &lite), g))
        .filter(|(c, _)| card::size(c) <= MAX_RESULT_CARD_BYTES)
        .map(|(c, g)| json!({"contentType": card::CONTENT_TYPE, "content": c, "preview": card::preview(g)}))
        .collect();
    json!({"composeExtension": {"type": "result", "attachmentLayout": "list", "attachments": attachments}})
}
